"""Fitting the answer selector (answer/selector.py) from labelled questions, and measuring it held out.

Data: every question of the development sets is retrieved once; each candidate sentence or row of the passages
read becomes a feature row (answer/features.py) labelled 1 when it comes from a gold document and, with that
document's title, holds every asked fact (a near miss or unanswerable question has no positive candidate).

Held-out figures: the questions carry folds split by council (wider set) and by document (Thurrock set). For
each fold the candidate models (classifier and ranker) are fitted on the other folds' candidates; the abstention
model and threshold are fitted on the other folds' held-out answers (stacking, so none sees the fold), and the
fold's questions are answered with the real answerer (ExtractiveAnswerer.decide). The shipped candidate models
are then fitted on every fold, the abstention model and threshold on all held-out answers."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np

from evidence_bot.answer import support_counts
from evidence_bot.answer.extractive import (
    Candidates,
    ExtractiveAnswerer,
    eligible_candidates,
    lead_row,
)
from evidence_bot.answer.features import FEATURE_GROUPS, FEATURE_NAMES, Candidate
from evidence_bot.answer.selector import Selector, linear_probability
from evidence_bot.evaluation.abstention_fit import (
    AnswerModel,
    best_threshold,
    confidences,
    fit_answer_model,
    meaning_floor,
)
from evidence_bot.evaluation.matching import contains, fact_present
from evidence_bot.evaluation.questions import EvalQuestion
from evidence_bot.models import Answer, SearchHit

# Choices, each measured in the fit report (evals/results/selector-*.md):
REGULARISATION = 1.0  # logistic regression's C; the report's comparison shows held-out results flat from 0.1 to 10
COMPANION_SHARE = 0.6  # a second sentence joins the answer at this share of the best one's probability
RANKER_L2 = 1.0  # the conditional logit's penalty; held out, top-1 was 0.682, 0.679, 0.672 at 0.1, 1, 10
Ranker = tuple[np.ndarray, np.ndarray, np.ndarray]  # the conditional logit (fit_ranker): mean, scale, weights


@dataclass
class Labelled:
    """One question's candidates, labels and everything needed to compose its answer again."""
    question: EvalQuestion
    set_name: str
    fold: int
    found: Candidates
    hits: list[SearchHit]
    labels: np.ndarray
    seconds: float = 0.0
    vectors: np.ndarray | None = None  # the candidates' stored vectors (what the question encoder's tuning reads)


@dataclass
class HeldOut:
    """A question answered by a model that never saw its fold."""
    item: Labelled
    answer: Answer
    raw: float  # the candidate model's probability for the lead candidate
    probability: float  # the abstention model's: that the answer is right
    answer_row: np.ndarray | None  # ANSWER_FEATURE_NAMES of the answer (None: no candidate)
    correct: bool  # the answer holds every asked fact (never for an unanswerable question)
    supported: int = 0
    statements: int = 0
    correct_if_answered: bool = False  # the answer it would give at threshold 0 holds the facts (coverage curve)


def label(question: EvalQuestion, found: Candidates, hits: list[SearchHit], paths: dict[str, str]) -> np.ndarray:
    gold_documents = {d for g in question.gold for d in g.documents}
    labels = []
    for candidate in found.items:
        hit = hits[candidate.hit_index]
        documents = {paths.get(hit.passage.doc_id)} | {paths.get(r) for r in hit.renditions}
        from_gold = bool(documents & gold_documents)
        text = f"{hit.meta.title or ''} {candidate.text}"
        if question.facts:
            holds = all(fact_present(text, group) for group in question.facts)
        else:
            holds = any(contains(candidate.text, g.span) or contains(g.span, candidate.text) for g in question.gold)
        labels.append(float(from_gold and holds))
    return np.asarray(labels)


def stacked(items: list[Labelled], features: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = [i.found.rows for i in items if len(i.found.items)]
    labels = [i.labels for i in items if len(i.found.items)]
    x, y = np.vstack(rows), np.concatenate(labels)
    return (x if features is None else x[:, features]), y


class Masked:
    """A selector reading only some feature columns (the ablation), with the full interface decide() uses."""
    def __init__(self, model: Any, columns: list[int], answer_model: AnswerModel | None = None, threshold: float = 0.5,
                 ranker: Ranker | None = None, meaning_floor: float = 0.0):
        self.model, self.columns, self.ranker = model, columns, ranker
        self.answer_model, self.threshold, self.companion_share = answer_model, threshold, COMPANION_SHARE
        self.meaning_floor = meaning_floor

    def probability(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros(0)
        return cast(np.ndarray, self.model.predict_proba(rows[:, self.columns])[:, 1])

    def rank(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros(0)
        if self.ranker is None:
            return self.probability(rows)
        mean, scale, weights = self.ranker
        return cast(np.ndarray, ((rows[:, self.columns] - mean) / scale) @ weights)

    def confidence(self, answer_row: np.ndarray) -> float:
        if self.answer_model is None:  # before the abstention model: the lead candidate's own probability
            logit = answer_row[0]
            return float(1 / (1 + np.exp(-logit)))
        return linear_probability(self.answer_model, answer_row)


def fit_model(items: list[Labelled], columns: list[int], kind: str = "logistic", c: float = REGULARISATION) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = stacked(items, columns)
    if kind == "logistic":
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    else:
        model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                               l2_regularization=1.0, random_state=0)
    return model.fit(x, y)


def fit_ranker(items: list[Labelled], columns: list[int], l2: float = RANKER_L2) -> Ranker:
    """A conditional logit: weights w maximising, over questions with a right candidate, the softmax weight
    exp(w.x) of their right candidates among all their candidates; standardised features, L2 penalty."""
    from scipy.optimize import minimize

    x, _ = stacked(items, columns)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    groups = [((i.found.rows[:, columns] - mean) / scale, i.labels > 0) for i in items if i.labels.sum() > 0]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = l2 * (w @ w) / 2, l2 * w
        for rows, right in groups:
            z = rows @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            value -= np.log(p[right].sum() + 1e-12)
            q = np.where(right, p, 0.0) / (p[right].sum() + 1e-12)
            gradient = gradient + rows.T @ (p - q)
        return value, gradient

    weights = minimize(loss, np.zeros(len(columns)), jac=True, method="L-BFGS-B").x
    return mean, scale, weights


def answered(answerer: ExtractiveAnswerer, item: Labelled, selector: Masked) -> HeldOut:
    answer = answerer.decide(item.found, item.hits, cast(Selector, selector))  # Masked has all that decide() reads
    candidates = eligible(item)
    best = max(candidates, key=lambda c: c.rank, default=None)
    row = lead_row(item.found, best, candidates) if best else None
    correct = (not answer.abstained and item.question.answerable
               and all(fact_present(answer.answer, group) for group in item.question.facts))
    supported, statements = support_counts(answer)
    return HeldOut(item, answer, best.probability if best else 0.0, answer.confidence, row, correct, supported,
                   statements)


def eligible(item: Labelled) -> list[Candidate]:
    return eligible_candidates(item.found.profile, item.found.items)


@dataclass
class CrossFit:
    """Held-out answers of every fold for one model kind and feature set."""
    outcomes: list[HeldOut] = field(default_factory=list)
    thresholds: dict[int, float] = field(default_factory=dict)


def cross_fit(answerer: ExtractiveAnswerer, items: list[Labelled], columns: list[int] | None = None,
              kind: str = "logistic", c: float = REGULARISATION, ranked: bool = True,
              progress: Callable[[str], None] = lambda _: None) -> CrossFit:
    """Each fold answered by candidate models fitted on the other folds, with an abstention model and threshold
    fitted on the other folds' held-out answers (stacking: no fold's answers are judged by a model fitted on
    them)."""
    columns = list(range(len(FEATURE_NAMES))) if columns is None else columns
    folds = sorted({i.fold for i in items})
    raw: dict[str, HeldOut] = {}
    models: dict[int, tuple[Any, Ranker | None]] = {}
    for fold in folds:  # first pass: held-out answers without abstention, to fit the abstention model on
        training = [i for i in items if i.fold != fold]
        models[fold] = (fit_model(training, columns, kind, c), fit_ranker(training, columns) if ranked else None)
        selector = Masked(models[fold][0], columns, threshold=0.0, ranker=models[fold][1])
        for item in (i for i in items if i.fold == fold):
            raw[item.question.id] = answered(answerer, item, selector)
        progress(f"fold {fold}: fitted")
    result = CrossFit()
    for fold in folds:
        others = [raw[i.question.id] for i in items if i.fold != fold]
        answer_model = fit_answer_model(others)
        threshold = best_threshold(confidences(answer_model, others), np.array([o.correct for o in others]),
                                   np.array([o.item.question.answerable for o in others]))
        result.thresholds[fold] = threshold
        selector = Masked(models[fold][0], columns, answer_model, threshold, models[fold][1], meaning_floor(others))
        for item in (i for i in items if i.fold == fold):
            outcome = answered(answerer, item, selector)
            outcome.correct_if_answered = raw[item.question.id].correct
            result.outcomes.append(outcome)
    return result


def shipped_selector(items: list[Labelled], held_out: CrossFit, record: dict[str, Any]) -> Selector:
    """Candidate models fitted on every fold; the abstention model and threshold on the held-out answers of the
    cross-fit (given by candidate models that never saw them, as the shipped ones will on new evidence)."""
    columns = list(range(len(FEATURE_NAMES)))
    pipeline = fit_model(items, columns)
    scaler, model = pipeline.steps[0][1], pipeline.steps[1][1]
    mean, scale, ranker = fit_ranker(items, columns)
    ranker = ranker / scale * scaler.scale_  # the same ranking, over the classifier's standardisation
    unthresholded = [replace(o, correct=o.correct_if_answered) for o in held_out.outcomes]
    answer_model = fit_answer_model(unthresholded)
    threshold = best_threshold(confidences(answer_model, unthresholded), np.array([o.correct for o in unthresholded]),
                               np.array([o.item.question.answerable for o in unthresholded]))
    return Selector(list(FEATURE_NAMES), scaler.mean_, scaler.scale_, model.coef_[0], float(model.intercept_[0]),
                    ranker, answer_model, threshold, COMPANION_SHARE, meaning_floor(unthresholded),
                    record)


def ablation_columns() -> dict[str, list[int]]:
    """Every feature, then every feature but one group."""
    every = list(range(len(FEATURE_NAMES)))
    result = {"all features": every}
    for group, names in FEATURE_GROUPS.items():
        result[f"without {group}"] = [i for i in every if FEATURE_NAMES[i] not in names]
    return result
