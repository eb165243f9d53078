"""The fitted statement mapping: a logistic regression over (passage, statement) pairs, shipped as a file.

One weight per feature, shared by every statement of every framework, so a council's own framework is
scored by the same model (its statements' vectors are their descriptions). The file also holds the
learned statement vectors of CQC's and Ofsted's statements (their descriptions averaged with the labelled
passages filed under them), the decision rule, and a record of what it was fitted on. `make fit-mapping`
(evals/fit_mapping.py) writes it; docs/frameworks.md gives its figures."""

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np

from evidence_bot.errors import EvidenceBotError

FORMAT = "evidence-bot statement mapping"
SHIPPED = "mapping-v1.json"


class MappingModelError(EvidenceBotError):
    """The mapping model file is missing a field or was written for other features."""


@dataclass(frozen=True)
class MappingModel:
    version: str  # changes whenever the file does, so stored assignments are recomputed
    features: tuple[str, ...]
    coefficients: np.ndarray
    intercept: float
    threshold: float  # a statement is assigned at this probability or above ...
    relative: float  # ... and at this share of the passage's best statement's or above ...
    max_statements: int  # ... at most this many per passage
    statement_vectors: dict[str, np.ndarray]  # "framework/statement" -> unit vector learned from labels
    fitted_on: dict[str, Any]  # as the file gives it (JSON)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """rows: one row of `features` per statement -> the probability that the passage evidences each."""
        logits = rows @ self.coefficients + self.intercept
        return cast(np.ndarray, 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30))))

    def choose(self, statement_ids: list[str], probabilities: np.ndarray) -> list[tuple[str, float]]:
        best = float(probabilities.max(initial=0.0))
        order = np.argsort(-probabilities, kind="stable")[: self.max_statements]
        return [(statement_ids[j], round(float(probabilities[j]), 4)) for j in order
                if probabilities[j] >= self.threshold and probabilities[j] >= self.relative * best]


def load_mapping_model(path: Path | None = None) -> MappingModel:
    """The shipped model, or a refitted one at path; the error names the file (its name only: the message can
    reach a reader through the API)."""
    where = path.name if path is not None else f"evidence_bot/data/{SHIPPED}"
    try:
        text = (path.read_text(encoding="utf-8") if path is not None
                else resources.files("evidence_bot.data").joinpath(SHIPPED).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingModelError(f"mapping model {where}: cannot be read ({exc.__class__.__name__})") from exc
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise MappingModelError(f"{where}: not a statement mapping file (a JSON object is expected)")
        if data.get("format") != FORMAT:
            raise MappingModelError(f"{where}: not a statement mapping file (format {data.get('format')!r})")
        features = tuple(data["features"])
        coefficients = np.asarray(data["coefficients"], dtype=np.float32)
        if len(coefficients) != len(features):
            raise MappingModelError(f"{where}: {len(coefficients)} coefficients for {len(features)} features")
        vectors = {key: np.asarray(v, dtype=np.float32) for key, v in data["statement_vectors"].items()}
        rule = data["rule"]
        return MappingModel(f"{data['version']}-{hash_of(text)}", features, coefficients, float(data["intercept"]),
                            float(rule["threshold"]), float(rule["relative"]), int(rule["max_statements"]), vectors,
                            dict(data.get("fitted_on") or {}))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MappingModelError(f"{where}: missing or malformed field ({exc})") from exc


def hash_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
