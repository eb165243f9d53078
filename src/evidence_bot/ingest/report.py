"""What an ingest run reports: documents added, updated, unchanged, removed or failed, warnings, pages read by OCR,
and access changes as they are applied."""

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from evidence_bot.governance.access import DEFAULT_ACCESS
from evidence_bot.models import LoadedDocument, PagesRead


@dataclass
class AccessChange:
    """A newly declared access level replacing a document's stored one; audited as it is applied, through
    Ingestor.on_access_change (library.py)."""

    path: str
    doc_id: str
    before: str
    after: str
    declared_in: str  # the sources.yaml, "--access on the command line" or "the upload form"

    def line(self) -> str:
        return f"access of {self.path} changed from {self.before} to {self.after} (declared in {self.declared_in})"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "path: reason", one line each
    warnings: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # PDFs with pages read by OCR or left empty: "path: counts"
    access_changes: list[AccessChange] = field(default_factory=list)
    chunks: int = 0  # passages written in this run
    embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.failed)} failed, {len(self.removed)} removed; {self.chunks} chunks "
                f"({self.embedded} embedded) in {self.seconds:.1f}s")


def pages_line(path: Path, loaded: LoadedDocument) -> str:
    read = cast(PagesRead, loaded.pages_read)  # a PDF's: only the PDF loader reads pages by OCR or finds them empty
    confidence = min(loaded.ocr_pages.values(), default=None)
    return (f"{path}: {read.text} pages with text, {read.ocr} read by OCR"
            f"{f' (lowest confidence {confidence:.0%})' if confidence is not None else ''}, {read.empty} empty")


def access_change(existing: sqlite3.Row | None, declared: str | None, declared_in: str,
                  path: Path) -> AccessChange | None:
    """A declared level that differs from the stored one; a new document has nothing to change."""
    if not existing or not declared:
        return None
    before: str = existing["access"] or DEFAULT_ACCESS
    if declared == before:
        return None
    return AccessChange(str(path), existing["doc_id"], before, declared, declared_in)


def note_access_change(change: AccessChange, report: IngestReport) -> None:
    report.access_changes.append(change)
    report.warnings.append(change.line())
