"""The answer selector: two linear models over candidate features (features.py), fitted on labelled candidates
and shipped as a small JSON file with the record of what it was fitted on.

- rank(rows): which candidate answers best, from a conditional logit (a softmax over each question's
  candidates, fitted so the right one gets the most weight): it compares candidates of one question, which is
  the choice the answerer makes. Held out it puts a right candidate first for 0.68 of questions that have one,
  against 0.61 for the pointwise model (docs/selection.md);
- probability(rows): for each candidate, that it holds what the question asks (a logistic regression over all
  candidates, comparable across questions);
- confidence(answer_row): the probability that an answer is right, from a third logistic regression over
  ANSWER_FEATURE_NAMES (the lead candidate's probability and margin, and whether the council, period and kind
  of fact asked about are anywhere in the evidence retrieved), fitted on answers to questions held out of the
  candidate models' fitting (folds split by council and document), so it is calibrated on unseen evidence; the
  answerer abstains below `threshold`, chosen on the development folds;
- meaning_floor: the answerer also abstains when no candidate's meaning (cosine to the question or to the
  conversation's query) reaches it: nothing retrieved is about the question ("How many potholes were
  repaired?" over social care evidence), however well a figure and a year fit. It is the largest value that
  would have silenced at most 1% of the right held-out answers (evaluation/abstention_fit.meaning_floor);
- (selectors fitted before 2026-12-02 also carry `unknown_ceiling`, a rule on the share of the question's words
  the index never holds; it is no longer applied: on small collections of documents it silenced right answers
  to paraphrased questions, docs/selection.md step 7.)

Why linear models in JSON: it needs no scikit-learn at run time, cannot execute code when loaded (a pickle can),
reads the same on every version, and its weights can be read by a person. The fit report
(evals/results/selector-*.md) compares it with gradient boosting on the same folds."""

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np

from evidence_bot.answer.features import ANSWER_FEATURE_NAMES, FEATURE_NAMES
from evidence_bot.errors import EvidenceBotError

SHIPPED = "data/selector-v1.json"


@dataclass
class Selector:
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coefficients: np.ndarray
    intercept: float
    ranker: np.ndarray  # the conditional logit's weights over the same standardised features
    # mean, scale, coefficients, intercept over ANSWER_FEATURE_NAMES:
    answer_model: dict[str, np.ndarray] = field(default_factory=dict)
    threshold: float = 0.5  # abstain when the calibrated confidence is below it
    companion_share: float = 0.6  # another sentence joins the best when its probability is this share of the best's
    meaning_floor: float = 0.0  # abstain when no candidate's meaning reaches it
    record: dict[str, Any] = field(default_factory=dict)  # what it was fitted on, when, and how it scored held out

    def probability(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros(0)
        z = ((rows - self.mean) / self.scale) @ self.coefficients + self.intercept
        return cast(np.ndarray, 1.0 / (1.0 + np.exp(-z)))

    def rank(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.ranker if rows.shape[0] else np.zeros(0)

    def confidence(self, answer_row: np.ndarray) -> float:
        return linear_probability(self.answer_model, answer_row)

    def to_json(self) -> dict[str, Any]:
        return {"format": "evidence-bot selector", "version": 1, "features": self.features,
                "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coefficients": self.coefficients.tolist(), "intercept": self.intercept,
                "ranker": self.ranker.tolist(),
                "answer_features": ANSWER_FEATURE_NAMES,
                "answer_model": {k: np.asarray(v).tolist() for k, v in self.answer_model.items()},
                "threshold": self.threshold,
                "companion_share": self.companion_share, "meaning_floor": self.meaning_floor,
                "record": self.record}

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> "Selector":
        if data.get("format") != "evidence-bot selector" or data.get("version") != 1:
            raise EvidenceBotError(f"{where}: not an evidence-bot selector, version 1")
        if data["features"] != FEATURE_NAMES or data.get("answer_features") != ANSWER_FEATURE_NAMES:
            missing = sorted(set(FEATURE_NAMES) ^ set(data["features"])
                             | set(ANSWER_FEATURE_NAMES) ^ set(data.get("answer_features") or []))
            raise EvidenceBotError(f"{where}: fitted on other features than this code computes ({missing or 'order'});"
                                   f" refit it with `make fit-selector`")
        return cls(data["features"], np.asarray(data["mean"]), np.asarray(data["scale"]),
                   np.asarray(data["coefficients"]), float(data["intercept"]), np.asarray(data["ranker"]),
                   {k: np.asarray(v) for k, v in data["answer_model"].items()},
                   float(data["threshold"]), float(data["companion_share"]), float(data["meaning_floor"]),
                   data.get("record", {}))

    @classmethod
    def load(cls, path: Path | None = None) -> "Selector":
        """The given file, else the one shipped in the package."""
        if path is not None:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), str(path))
        text = resources.files("evidence_bot").joinpath(SHIPPED).read_text(encoding="utf-8")
        return cls.from_json(json.loads(text), SHIPPED)


def linear_probability(model: dict[str, np.ndarray], row: np.ndarray) -> float:
    """A fitted logistic regression over standardised features, as stored: mean, scale, coefficients, intercept."""
    z = float(((row - model["mean"]) / model["scale"]) @ model["coefficients"] + model["intercept"])
    return float(1.0 / (1.0 + np.exp(-z)))
