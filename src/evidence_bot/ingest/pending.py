"""A document between loading and storing: loaded and chunked, then embedded (the ingestor's working records)."""

from dataclasses import dataclass
from pathlib import Path

from evidence_bot.ingest.report import AccessChange
from evidence_bot.models import DocumentMeta, LoadedDocument, Passage


@dataclass
class Pending:
    """A new or changed document, loaded and chunked, waiting for its vectors."""

    path: Path
    doc_id: str
    content_hash: str
    loaded: LoadedDocument
    meta: DocumentMeta
    passages: list[Passage]
    is_new: bool
    access_change: AccessChange | None = None  # applied, and reported, once the document is stored


@dataclass
class Embedded:
    """A pending document's vectors: one per passage, and one per sentence or table row (units.py)."""

    passages: list[list[float]]
    unit_ids: list[str]
    units: list[list[float]]


def mark_ocr(passages: list[Passage], confidences: dict[int, float]) -> None:
    """A passage on pages read by OCR carries the lowest confidence among them (citations say so)."""
    for passage in passages:
        if passage.page is None:
            continue
        pages = range(passage.page, (passage.page_end or passage.page) + 1)
        read = [confidences[page] for page in pages if page in confidences]
        passage.ocr_confidence = min(read) if read else None
