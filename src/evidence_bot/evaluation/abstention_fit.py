"""The abstention side of the selector, fitted on held-out answers (selector_fit.cross_fit): the model from an
answer's features to whether it holds the asked facts, the threshold on its probability, and the off-topic
rule's floor. Each is fitted only on answers given by candidate models that never saw their questions."""

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from evidence_bot.answer.extractive import best_meaning
from evidence_bot.answer.selector import linear_probability

if TYPE_CHECKING:
    from evidence_bot.evaluation.selector_fit import HeldOut

# The threshold's costs (docs/selection.md): answering where the evidence holds no answer is the invention the
# product must not make, and costs two; a wrong sentence to an answerable question, or a false abstention, one.
UNANSWERABLE_ANSWER_COST = 2.0
# The off-topic rule (selector.meaning_floor) may silence at most this share of
# the right held-out answers.
OFF_TOPIC_LOSS = 0.01
ANSWER_REGULARISATION = 1.0  # the abstention model's C
AnswerModel = dict[str, Any]  # fit_answer_model's: mean, scale and coefficients (arrays), intercept (a float)


def fit_answer_model(outcomes: list["HeldOut"]) -> AnswerModel:
    """The abstention model: a logistic regression from an answer's features (ANSWER_FEATURE_NAMES) to whether
    it held the asked facts, fitted on answers given by candidate models that never saw their questions."""
    from sklearn.linear_model import LogisticRegression

    rows = [o for o in outcomes if o.answer_row is not None]
    x = np.vstack([o.answer_row for o in rows if o.answer_row is not None])
    y = np.array([o.correct for o in rows], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    # A yes/no column stays 0 or 1: standardised, a column true for 1% of answers is stretched tenfold and its
    # weight is paid for by the penalty as if it were common (lead_heading weighed 2.6 to 4.5 logits).
    binary = np.all(np.isin(x, (0.0, 1.0)), axis=0)
    mean[binary], scale[binary] = 0.0, 1.0
    model = LogisticRegression(C=ANSWER_REGULARISATION, max_iter=2000).fit((x - mean) / scale, y)
    return {"mean": mean, "scale": scale, "coefficients": model.coef_[0], "intercept": float(model.intercept_[0])}


def confidences(answer_model: AnswerModel, outcomes: list["HeldOut"]) -> np.ndarray:
    return np.array([linear_probability(answer_model, o.answer_row) if o.answer_row is not None else 0.0
                     for o in outcomes])


def meaning_floor(outcomes: list["HeldOut"]) -> float:
    """The largest relevance floor that silences at most OFF_TOPIC_LOSS of the answers that were right (given by
    candidate models that never saw their questions)."""
    right = [best_meaning(o.item.found) for o in right_answers(outcomes)]
    return float(np.quantile(right, OFF_TOPIC_LOSS, method="lower")) if right else 0.0


def right_answers(outcomes: list["HeldOut"]) -> list["HeldOut"]:
    return [o for o in outcomes if (o.correct_if_answered or o.correct) and o.item.found.items]


def best_threshold(confidences: np.ndarray, correct: np.ndarray, answerable: np.ndarray) -> float:
    """The middle of the thresholds whose cost is within one standard error of the least: an answer where the
    evidence holds none costs UNANSWERABLE_ANSWER_COST, a wrong answer to an answerable question or a false
    abstention 1. The cost curve is nearly flat over a wide range, so its exact lowest point moves by a tenth with
    a few answers; the one-standard-error band (Breiman's rule for choosing among models whose costs differ by
    less than their noise) does not."""
    candidates = np.unique(np.concatenate([[0.0], confidences, [1.01]]))

    def costs(t: float) -> np.ndarray:  # each question's cost at threshold t
        answered = confidences >= t
        return cast(np.ndarray, np.where(answered & ~answerable, UNANSWERABLE_ANSWER_COST, 0.0)
                    + (answered & answerable & ~correct) + (~answered & answerable))

    totals = np.array([costs(t).sum() for t in candidates])
    lowest = int(np.argmin(totals))
    noise = costs(candidates[lowest]).std(ddof=1) * np.sqrt(len(confidences)) if len(confidences) > 1 else 0.0
    return float(np.median(candidates[totals <= totals[lowest] + noise]))
