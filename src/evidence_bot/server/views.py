"""JSON shapes of documents, passages and search hits, shared by the API endpoints."""

import sqlite3
from dataclasses import asdict
from pathlib import PurePath
from typing import Any

from evidence_bot.governance.access import DEFAULT_ACCESS
from evidence_bot.models import DocumentMeta, Passage, SearchHit

DOCUMENT_FIELDS = ("doc_id", "path", "title", "doc_type", "date", "publisher", "service", "url", "access",
                   "format", "page_count", "ingested_at")


def document_view(row: sqlite3.Row, full_path: bool = False) -> dict[str, Any]:
    """A document's metadata. Only admins get the server's full path (full_path); others see the file's name, since
    the server's folders are not theirs to know."""
    view = {k: row[k] for k in DOCUMENT_FIELDS} | {"access": row["access"] or DEFAULT_ACCESS}
    if not full_path:
        view["path"] = PurePath(row["path"]).name
    if "passages" in row.keys():
        view["passages"] = row["passages"]
    return view


def passage_fields(p: Passage) -> dict[str, Any]:
    return {"id": p.id, "seq": p.seq, "text": p.text, "section": p.section, "page": p.page, "page_end": p.page_end,
            "kind": p.kind, "ocr_confidence": p.ocr_confidence}


def hit_view(rank: int, hit: SearchHit) -> dict[str, Any]:
    return {"rank": rank, "score": round(hit.score, 5), "passage": passage_fields(hit.passage),
            "document": {"doc_id": hit.passage.doc_id, **asdict(hit.meta)}, "also_in": hit.renditions}


def passage_view(passage: Passage, meta: DocumentMeta, around: list[Passage]) -> dict[str, Any]:
    return {"passage": passage_fields(passage), "document": {"doc_id": passage.doc_id, **asdict(meta)},
            "before": [passage_fields(p) for p in around if p.seq < passage.seq],
            "after": [passage_fields(p) for p in around if p.seq > passage.seq]}
