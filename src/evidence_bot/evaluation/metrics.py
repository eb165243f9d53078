"""Per-question outcomes and the metrics summarised from them.

Definitions (docs/evaluation.md): a retrieved passage is a gold hit when it
contains a gold span and comes from a gold document (or holds that document's
text as a collapsed rendition). hit@k and MRR@10 are over answerable
questions. Fact accuracy: every required fact appears in the answer.
Citation support: answer statements whose cited passage contains them, over
all answered questions. Abstention precision and recall are over the
unanswerable questions; false abstentions are abstentions on answerable ones."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

RANK_DEPTH = 10
HIT_KS = (1, 4, 10)


@dataclass
class QuestionOutcome:
    id: str
    category: str
    answerable: bool
    gold_rank: int | None = None  # 1-based rank of the first gold passage within RANK_DEPTH
    answer: str = ""
    abstained: bool = False
    confidence: float = 0.0
    facts_found: bool = False
    supported: int = 0
    statements: int = 0
    seconds: float = 0.0
    cited: list[str] = field(default_factory=list)


def retrieval_metrics(outcomes: list[QuestionOutcome]) -> dict[str, float]:
    scored = [o for o in outcomes if o.answerable]
    if not scored:
        return {}
    metrics = {f"hit@{k}": share(o.gold_rank is not None and o.gold_rank <= k for o in scored) for k in HIT_KS}
    metrics["mrr@10"] = sum(1 / o.gold_rank for o in scored if o.gold_rank) / len(scored)
    return metrics


def answer_metrics(outcomes: list[QuestionOutcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    abstained = [o for o in outcomes if o.abstained]
    statements = sum(o.statements for o in outcomes)
    metrics = {}
    if answerable:
        metrics["fact_accuracy"] = share(o.facts_found for o in answerable)
        metrics["false_abstention"] = share(o.abstained for o in answerable)
    if unanswerable:
        metrics["abstention_recall"] = share(o.abstained for o in unanswerable)
    if abstained:
        metrics["abstention_precision"] = share(not o.answerable for o in abstained)
    if statements:
        metrics["citation_support"] = sum(o.supported for o in outcomes) / statements
    return metrics


def latency_metrics(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    return {"latency_p50_ms": float(np.percentile(seconds, 50) * 1000),
            "latency_p95_ms": float(np.percentile(seconds, 95) * 1000)}


def summarise(outcomes: list[QuestionOutcome]) -> dict[str, float]:
    summary: dict[str, float] = {"questions": len(outcomes)}
    summary.update(retrieval_metrics(outcomes))
    summary.update(answer_metrics(outcomes))
    summary.update(latency_metrics([o.seconds for o in outcomes]))
    return summary


def by_category(outcomes: list[QuestionOutcome]) -> dict[str, dict[str, float]]:
    categories = sorted({o.category for o in outcomes})
    return {c: summarise([o for o in outcomes if o.category == c]) for c in categories}


def share(flags: Iterable[object]) -> float:
    flags = list(flags)
    return sum(bool(f) for f in flags) / len(flags) if flags else 0.0
