"""The mapping, passage by passage, for a readiness lead to inspect and correct: `evidence-bot map`.

One record per passage mapped to any framework:
{"path", "passage_id", "page", "section", "source", "statements": [{"id": "cqc-la/safeguarding",
"probability": 0.93}, ...] (best first), "category", "corrected"}. `source` is whose words the passage
holds (speakers.py): the inspector when any of its sentences is the inspector's (a finding quoted in the
news or minutes), else its document's own voice. `category` is the evidence category under the
framework of its best statement (the first framework when it has none). `corrected` says a person set it."""

import csv
import io
import json
import sqlite3
from typing import Any, Literal

from evidence_bot.text import speakers

MappingFormat = Literal["jsonl", "csv"]
FORMATS: tuple[MappingFormat, ...] = ("jsonl", "csv")


def passage_source(row: sqlite3.Row, preceding: str) -> str:
    sources = speakers.unit_sources(row["text"], row["kind"], row["doc_type"], row["publisher"], row["title"],
                                    preceding)
    if speakers.INSPECTOR in sources:
        return speakers.INSPECTOR
    return speakers.document_source(row["doc_type"], row["publisher"])


def mapping_records(rows_by_framework: dict[str, list[sqlite3.Row]],
                    statements_by_framework: dict[str, dict[str, list[tuple[str, float]]]],
                    preceding: dict[str, str]) -> list[dict[str, Any]]:
    """rows_by_framework: MappingStore.passage_rows per framework (document order); statements_by_framework:
    MappingStore.statements_of per framework; preceding: passage id -> the text of the passage before it."""
    records: dict[str, dict[str, Any]] = {}  # one JSON object per passage
    for framework, rows in rows_by_framework.items():
        for row in rows:
            statements = statements_by_framework[framework].get(row["passage_id"], [])
            record = records.get(row["passage_id"])
            if record is None:
                record = records[row["passage_id"]] = {
                    "path": row["path"], "passage_id": row["passage_id"], "page": row["page"],
                    "section": row["section"], "source": passage_source(row, preceding.get(row["passage_id"], "")),
                    "statements": [], "category": None, "corrected": False, "_best": -1.0}
            record["statements"] += [{"id": f"{framework}/{sid}", "probability": round(p, 3)} for sid, p in statements]
            best = max((p for _, p in statements), default=0.0)
            if record["category"] is None or best > record["_best"]:
                record["category"], record["_best"] = row["category"] or None, best
            record["corrected"] = record["corrected"] or bool(row["corrected"])
    result = []
    for record in records.values():
        record.pop("_best")
        record["statements"].sort(key=lambda s: -s["probability"])
        result.append(record)
    return result


def render_mapping(records: list[dict[str, Any]], fmt: MappingFormat) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["path", "passage_id", "page", "section", "source", "statements", "category", "corrected"])
    for r in records:
        writer.writerow([r["path"], r["passage_id"], r["page"] or "", r["section"] or "", r["source"],
                         ";".join(f"{s['id']}:{s['probability']}" for s in r["statements"]), r["category"] or "",
                         r["corrected"]])
    return out.getvalue()
