"""Fitting the statement mapping (frameworks/mapping_model.py) from labelled passages, and measuring it
on folds of whole councils: evals/fit_mapping.py drives it.

A labelled passage is a row of a labels file (evals/mapping-wider.jsonl: other councils' CQC pages,
Ofsted pages, minutes and news) located in an index of its corpus. The model is one logistic regression
over (passage, statement) pairs. Each training passage is seen twice, with and without its headings,
so the weights learn what the words say as well as what the titles say (a CQC statement page's title
always names its statement; a council's self-assessment rarely does). The learned statement vectors are
each statement's description averaged with the sentence vectors of the passages filed under it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evidence_bot.evaluation.mapping import Figures, MappingLabel, locate
from evidence_bot.evidence.frameworks.framework import Framework
from evidence_bot.evidence.frameworks.mapping import (
    FEATURES,
    Embed,
    StatementVectors,
    leaf_heading,
    normalised,
    pair_features,
    statement_vectors,
)
from evidence_bot.text.units import passage_units, unit_id

if TYPE_CHECKING:
    from evidence_bot.service import EvidenceBot

Rule = tuple[float, float, int]  # (threshold, relative to the best statement's probability, most statements)
Classifier = Any  # a fitted scikit-learn LogisticRegression: scikit-learn has no type information
Scored = list[tuple["LabelledPassage", np.ndarray]]  # passages with their held-out statement probabilities

REGULARISATION = 1.0  # C of the logistic regression; 0.1 and 1.0 gave the same held-out F1 within 0.01
RULES = [(t, r, k) for t in np.round(np.arange(0.10, 0.95, 0.05), 2) for r in (0.0, 0.5, 0.7, 0.85) for k in (1, 2, 3)]


@dataclass
class LabelledPassage:
    label: MappingLabel
    group: str  # the fold: a council (or a document), never split between training and testing
    text: str
    heading: str
    leaf: str
    vector: np.ndarray
    units: np.ndarray
    leaf_vector: np.ndarray | None
    # (framework, headings shown) -> features, per fold's vectors
    rows: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict)


def labelled_passages(bot: EvidenceBot, corpus: Path, labels: list[MappingLabel],
                      group_of: Callable[[MappingLabel], str]) -> list[LabelledPassage]:
    """Locate every label's passage in the bot's index, with its vectors; group_of(label) names its fold."""
    ids = [locate(bot, corpus, label) for label in labels]
    found = bot.catalog.passages(ids)
    vectors = bot.vectors.vectors(ids)
    unit_ids = {pid: [unit_id(pid, s) for s, _ in passage_units(found[pid][0].text, found[pid][0].kind)] for pid in ids}
    units = bot.unit_vectors.vectors([u for us in unit_ids.values() for u in us])
    leaves = sorted({leaf_heading(found[pid][0]) for pid in ids} - {""})
    leaf_vectors: dict[str, np.ndarray] = dict(zip(leaves, normalised(bot.embedder.embed(leaves)))) if leaves else {}
    result = []
    for label, pid in zip(labels, ids):
        passage, meta = found[pid]
        vector = np.asarray(vectors[pid], dtype=np.float32)
        unit_matrix = np.asarray([units[u] for u in unit_ids[pid] if u in units],
                                 dtype=np.float32).reshape(-1, len(vector))
        result.append(LabelledPassage(label, group_of(label), passage.text,
                                      " ".join(filter(None, [meta.title, passage.section])), leaf_heading(passage),
                                      vector, unit_matrix, leaf_vectors.get(leaf_heading(passage))))
    return result


def learned_vectors(framework: Framework, described: np.ndarray, training: list[LabelledPassage]) -> np.ndarray:
    """Each statement's description averaged with the sentences of the training passages filed under it."""
    rows = []
    for j, statement in enumerate(framework.statements):
        members = [described[j][None]] + [p.units if len(p.units) else p.vector[None] for p in training
                                          if p.label.framework == framework.id and statement.id in p.label.statements]
        rows.append(np.vstack(members).mean(axis=0))
    return normalised(rows)


def features_of(passage: LabelledPassage, framework: Framework, vectors: StatementVectors,
                headings: bool = True) -> np.ndarray:
    return pair_features(vectors, framework, passage.text, passage.heading if headings else "",
                         passage.leaf if headings else "", passage.vector, passage.units,
                         passage.leaf_vector if headings else None)


def fit_pairs(frameworks: dict[str, Framework], base: dict[str, StatementVectors],
              training: list[LabelledPassage]) -> tuple[Classifier, dict[str, StatementVectors]]:
    """The regression and each framework's learned statement vectors, from the training passages."""
    from sklearn.linear_model import LogisticRegression

    fitted = {fid: fold_vectors(framework, base[fid], training) for fid, framework in frameworks.items()}
    x: list[np.ndarray] = []
    y: list[bool] = []
    for p in training:
        framework = frameworks[p.label.framework]
        for headings in (True, False):
            x.append(features_of(p, framework, fitted[framework.id], headings))
            y.extend(s.id in p.label.statements for s in framework.statements)
    model = LogisticRegression(C=REGULARISATION, max_iter=5000)  # unweighted: its probabilities are calibrated
    model.fit(np.vstack(x), np.asarray(y))
    return model, fitted


def fold_vectors(framework: Framework, base: StatementVectors, training: list[LabelledPassage]) -> StatementVectors:
    learned = learned_vectors(framework, base.described, training)
    return StatementVectors(base.described, learned, base.terms, base.owner)


def base_vectors(frameworks: dict[str, Framework], embed: Embed) -> dict[str, StatementVectors]:
    return {fid: statement_vectors(framework, embed, None) for fid, framework in frameworks.items()}


def held_out(frameworks: dict[str, Framework], base: dict[str, StatementVectors],
             passages: list[LabelledPassage]) -> Scored:
    """Each passage's statement probabilities from a model fitted without its fold."""
    result: Scored = []
    for group in sorted({p.group for p in passages}):
        training = [p for p in passages if p.group != group]
        model, fitted = fit_pairs(frameworks, base, training)
        for p in passages:
            if p.group == group:
                framework = frameworks[p.label.framework]
                result.append((p, model.predict_proba(features_of(p, framework, fitted[framework.id]))[:, 1]))
    return result


def choose(probabilities: np.ndarray, ids: list[str], rule: Rule) -> list[str]:
    threshold, relative, most = rule
    best = probabilities.max()
    order = np.argsort(-probabilities, kind="stable")[:most]
    return [ids[j] for j in order if probabilities[j] >= threshold and probabilities[j] >= relative * best]


def pair_scores(pairs: list[tuple[list[str], list[str]]]) -> dict[str, float]:
    """Precision, recall and F1 over (passage, statement) pairs: pairs of (labelled, assigned)."""
    hit = sum(len(set(a) & set(g)) for g, a in pairs)
    assigned, labelled = sum(len(a) for _, a in pairs), sum(len(g) for g, _ in pairs)
    p, r = (hit / assigned if assigned else 0.0), (hit / labelled if labelled else 0.0)
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
            "labelled": labelled, "assigned": assigned, "correct": hit}


def best_rule(frameworks: dict[str, Framework], scored: Scored) -> Rule:
    """The decision rule with the highest held-out F1 (ties: the first, i.e. the lowest threshold)."""
    def f1(rule: Rule) -> float:
        return pair_scores([(p.label.statements, choose(probs, ids_of(frameworks, p), rule))
                            for p, probs in scored])["f1"]
    return max(RULES, key=f1)


def ids_of(frameworks: dict[str, Framework], p: LabelledPassage) -> list[str]:
    return [s.id for s in frameworks[p.label.framework].statements]


def per_statement(pairs: list[tuple[str, list[str], list[str]]]) -> dict[str, Figures]:
    """framework/statement -> precision and recall; pairs of (framework, labelled, assigned)."""
    counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # labelled, assigned, correct
    for framework, labelled, assigned in pairs:
        for s in labelled:
            counts[f"{framework}/{s}"][0] += 1
        for s in assigned:
            counts[f"{framework}/{s}"][1] += 1
            counts[f"{framework}/{s}"][2] += s in labelled
    return {key: {"labelled": n, "assigned": a, "correct": c, "precision": round(c / a, 3) if a else None,
                  "recall": round(c / n, 3) if n else None} for key, (n, a, c) in sorted(counts.items())}


def top_statement_share(scored: Scored, frameworks: dict[str, Framework],
                        keep: Callable[[LabelledPassage], bool]) -> tuple[float, int]:
    """Of the passages keep() selects, the share whose highest-probability statement is among their labels."""
    chosen = [(p, probs) for p, probs in scored if keep(p) and p.label.statements]
    hits = sum(ids_of(frameworks, p)[int(np.argmax(probs))] in p.label.statements for p, probs in chosen)
    return (round(hits / len(chosen), 3) if chosen else float("nan")), len(chosen)


def model_file(model: Classifier, fitted: dict[str, StatementVectors], frameworks: dict[str, Framework], rule: Rule,
               record: dict[str, Any]) -> dict[str, Any]:
    vectors = {f"{fid}/{s.id}": [round(float(v), 6) for v in fitted[fid].learned[j]]
               for fid, framework in frameworks.items() for j, s in enumerate(framework.statements)}
    return {"format": "evidence-bot statement mapping", "version": 1, "features": list(FEATURES),
            "coefficients": [round(float(c), 6) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "rule": {"threshold": float(rule[0]), "relative": float(rule[1]), "max_statements": int(rule[2])},
            "fitted_on": record, "statement_vectors": vectors}
