"""The sentence verifier against hand-labelled sentences (evals/verifier.jsonl): precision and recall of what
it keeps, per kind of error, and a threshold sweep for calibration."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from evidence_bot.answer.verification import Verifier
from evidence_bot.evaluation.labels import read_labelled

SWEEP = [round(0.30 + 0.05 * i, 2) for i in range(11)]


@dataclass
class Labelled:
    id: str
    passages: dict[int, str]
    answer: str
    supported: bool
    kind: str


Outcome = tuple[Labelled, bool, float]  # see outcomes()


class Figures(TypedDict):
    """The verifier's figures at one threshold."""
    threshold: float
    precision: float
    recall: float
    supported: int
    unsupported: int
    unsupported_caught_by_kind: dict[str, str]  # kind -> "caught/total"


def read_labels(path: Path) -> list[Labelled]:
    return read_labelled(path, lambda row: Labelled(
        row["id"], {int(k): v for k, v in row["passages"].items()}, row["answer"],
        {"supported": True, "unsupported": False}[row["label"]], row["kind"]))


def outcomes(labels: list[Labelled], verifier: Verifier) -> list[Outcome]:
    """(label, refused on facts or citations whatever the threshold, lowest support score of its sentences)."""
    result = []
    for item in labels:
        checked = verifier.verify(item.answer, item.passages).sentences
        hard = any(not s.kept and not (s.reason or "").startswith("not supported") for s in checked)
        result.append((item, hard, min((s.score for s in checked), default=0.0)))
    return result


def metrics(results: list[Outcome], threshold: float) -> Figures:
    kept = [(item, not hard and score >= threshold) for item, hard, score in results]
    tp = sum(1 for item, k in kept if k and item.supported)
    fp = sum(1 for item, k in kept if k and not item.supported)
    fn = sum(1 for item, k in kept if not k and item.supported)
    caught: dict[str, tuple[int, int]] = {}
    for item, k in kept:
        if not item.supported:
            total, hit = caught.get(item.kind, (0, 0))
            caught[item.kind] = (total + 1, hit + (not k))
    return {"threshold": threshold, "precision": round(tp / max(tp + fp, 1), 3),
            "recall": round(tp / max(tp + fn, 1), 3),
            "supported": tp + fn, "unsupported": len(kept) - tp - fn,
            "unsupported_caught_by_kind": {k: f"{hit}/{total}" for k, (total, hit) in sorted(caught.items())}}


MIN_RECALL = 0.9  # keep at least 9 in 10 supported sentences; within that, refuse as many unsupported as possible


def choose_threshold(results: list[Outcome]) -> float:
    """The highest-precision threshold whose recall is at least MIN_RECALL (grounding first, then fluency)."""
    fits = [metrics(results, t) for t in SWEEP]
    fits = [m for m in fits if m["recall"] >= MIN_RECALL] or fits[:1]
    return max(fits, key=lambda m: (m["precision"], -m["threshold"]))["threshold"]


def evaluate_verifier(path: Path, embed: Callable[[list[str]], list[list[float]]], threshold: float) -> dict[str, Any]:
    """At the configured threshold; a sweep; and two-fold held-out figures (threshold chosen on one half of the
    labels, measured on the other), because a threshold measured on its own calibration set flatters it."""
    results = outcomes(read_labels(path), Verifier(embed, 0.0))
    folds = []
    for held_out in (0, 1):
        train = [r for i, r in enumerate(results) if i % 2 != held_out]
        test = [r for i, r in enumerate(results) if i % 2 == held_out]
        folds.append(metrics(test, choose_threshold(train)))
    return {"at_threshold": metrics(results, threshold), "chosen_on_all": choose_threshold(results),
            "held_out": folds, "sweep": [metrics(results, t) for t in SWEEP]}


def render(result: dict[str, Any]) -> str:
    now = result["at_threshold"]
    lines = [f"verifier at threshold {now['threshold']}: precision {now['precision']}, recall {now['recall']} "
             f"({now['supported']} supported, {now['unsupported']} unsupported sentences)",
             f"unsupported caught, by kind: {now['unsupported_caught_by_kind']}"]
    lines += [f"held-out half {fold}: threshold {held['threshold']} chosen on the other half: "
              f"precision {held['precision']}, recall {held['recall']}"
              for fold, held in enumerate(result["held_out"], start=1)]
    lines.append("sweep: " + "  ".join(f"{m['threshold']}: P {m['precision']} R {m['recall']}"
                                       for m in result["sweep"]))
    return "\n".join(lines)
