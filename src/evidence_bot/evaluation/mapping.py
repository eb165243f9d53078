"""Scores the framework mapping against hand labels (evals/mapping.jsonl).

Each label names a document (relative to the corpus), a verbatim span that
starts the passage, the statements a reader would file it under (possibly
none) and its evidence category (or null when it is no evidence at all).
Precision and recall are counted over (passage, statement) pairs, per
statement and overall; categories are scored on labelled passages only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence_bot.errors import EvidenceBotError
from evidence_bot.evaluation.labels import read_labelled
from evidence_bot.evaluation.matching import normalise

if TYPE_CHECKING:
    from evidence_bot.service import EvidenceBot

Pair = tuple[str, str]  # (framework, statement)
Figures = dict[str, int | float | None]  # labelled, assigned, correct (counts); precision, recall (None: no count)


@dataclass
class MappingLabel:
    id: str
    framework: str
    document: str
    span: str
    statements: list[str]
    category: str | None


def load_labels(path: Path) -> list[MappingLabel]:
    return read_labelled(path, lambda item: MappingLabel(item["id"], item["framework"], item["document"], item["span"],
                                                         list(item["statements"]), item.get("category")))


def locate(bot: EvidenceBot, corpus: Path, label: MappingLabel) -> str:
    """The id of the one passage of the labelled document that contains the span."""
    row = bot.catalog.document_by_path(str((corpus / label.document).resolve()))
    if row is None:
        raise EvidenceBotError(f"{label.id}: document {label.document} is not in the index")
    span = normalise(label.span)
    found = [p.id for p in bot.catalog.doc_passages(row["doc_id"]) if span in normalise(p.text)]
    if len(found) != 1:
        raise EvidenceBotError(f"{label.id}: the span is in {len(found)} passages of {label.document}, not one")
    return found[0]


def score_mapping(bot: EvidenceBot, corpus: Path, labels: list[MappingLabel]) -> dict[str, Any]:
    truth: Counter[Pair] = Counter()
    guess: Counter[Pair] = Counter()
    hits: Counter[Pair] = Counter()
    categories: Counter[tuple[str, str | None]] = Counter()  # (label, guess) pairs
    per_framework: dict[str, dict[str, tuple[list[str], str | None]]] = {}
    for label in labels:
        assigned = per_framework.setdefault(label.framework, bot.mapping.assignments(label.framework))
        statements, category = assigned.get(locate(bot, corpus, label), ([], None))
        for s in label.statements:
            truth[(label.framework, s)] += 1
        for s in statements:
            guess[(label.framework, s)] += 1
            if s in label.statements:
                hits[(label.framework, s)] += 1
        if label.category:
            categories[(label.category, category)] += 1
    return {"statements": statement_table(truth, guess, hits), "categories": category_table(categories),
            "passages": len(labels)}


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def statement_table(truth: Counter[Pair], guess: Counter[Pair], hits: Counter[Pair]) -> dict[str, Any]:
    rows = {f"{fw}/{s}": {"labelled": truth[(fw, s)], "assigned": guess[(fw, s)], "correct": hits[(fw, s)],
                          "precision": ratio(hits[(fw, s)], guess[(fw, s)]),
                          "recall": ratio(hits[(fw, s)], truth[(fw, s)])}
            for fw, s in sorted(set(truth) | set(guess))}
    counts = {"labelled": sum(truth.values()), "assigned": sum(guess.values()), "correct": sum(hits.values())}
    total: Figures = {**counts, "precision": ratio(counts["correct"], counts["assigned"]),
                      "recall": ratio(counts["correct"], counts["labelled"])}
    return {"per_statement": rows, "overall": total}


def category_table(pairs: Counter[tuple[str, str | None]]) -> dict[str, Any]:
    names = sorted({label for label, _ in pairs})
    rows: dict[str, Figures] = {}
    for name in names:
        correct = pairs[(name, name)]
        labelled = sum(n for (label, _), n in pairs.items() if label == name)
        assigned = sum(n for (_, g), n in pairs.items() if g == name)
        rows[name] = {"labelled": labelled, "assigned": assigned, "precision": ratio(correct, assigned),
                      "recall": ratio(correct, labelled)}
    total = sum(pairs.values())
    return {"per_category": rows, "accuracy": ratio(sum(n for (a, b), n in pairs.items() if a == b), total),
            "labelled": total}


def render(result: dict[str, Any]) -> str:
    lines = [f"Framework mapping against {result['passages']} hand-labelled passages", "",
             f"{'statement':42} {'labelled':>8} {'assigned':>8} {'precision':>9} {'recall':>7}"]
    for name, row in result["statements"]["per_statement"].items():
        lines.append(f"{name:42} {row['labelled']:>8} {row['assigned']:>8} {fmt(row['precision']):>9} "
                     f"{fmt(row['recall']):>7}")
    o = result["statements"]["overall"]
    lines.append(f"{'all statements':42} {o['labelled']:>8} {o['assigned']:>8} {fmt(o['precision']):>9} "
                 f"{fmt(o['recall']):>7}")
    lines += ["", f"{'category':42} {'labelled':>8} {'assigned':>8} {'precision':>9} {'recall':>7}"]
    for name, row in result["categories"]["per_category"].items():
        lines.append(f"{name:42} {row['labelled']:>8} {row['assigned']:>8} {fmt(row['precision']):>9} "
                     f"{fmt(row['recall']):>7}")
    lines.append(f"category accuracy {fmt(result['categories']['accuracy'])} over {result['categories']['labelled']}")
    return "\n".join(lines)


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
