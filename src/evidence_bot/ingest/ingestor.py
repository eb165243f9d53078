"""load -> chunk -> embed -> index, per document, idempotent and incremental.

A document is identified by its resolved path and versioned by the SHA-256 of
its bytes. Unchanged content costs no embedding; a changed document's new
passages are stored before the catalog switches to them in one transaction,
so a crash leaves the old version whole."""

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from evidence_bot.errors import IngestError
from evidence_bot.governance.injection import addressed_to_ai
from evidence_bot.ingest.chunking import ChunkLimits, chunk_document
from evidence_bot.ingest.files import content_hash, document_id, expand_paths
from evidence_bot.ingest.inference import infer_meta
from evidence_bot.ingest.loaders import load_document
from evidence_bot.ingest.pending import Embedded, Pending, mark_ocr
from evidence_bot.ingest.report import AccessChange, IngestReport, access_change, note_access_change, pages_line
from evidence_bot.ingest.sources import SourcesFile, read_sources
from evidence_bot.models import DocumentMeta
from evidence_bot.store.catalog import Catalog
from evidence_bot.store.embedding import UNMARKED_BACKEND, Embedder, TokenCounter
from evidence_bot.store.recovery import recover
from evidence_bot.store.vectors import VectorStore
from evidence_bot.text.units import passage_units, unit_id

# Bump when loading or chunking changes what a file becomes: documents are then processed again.
# 9: PDF running headers and footers dropped; 8: Word table cells with equal text both kept; 7: PDF tables and
# OCR (loaders/pdf.py); 6: bf16
PIPELINE_VERSION = "9"
# Passages embedded together: enough for batches sorted by length across documents, few enough that a folder
# of any size is ingested in flat memory (a window is stored before the next is read).
EMBED_WINDOW = 256
UNIT_CACHE = 20_000  # sentence vectors kept across windows of one run (about 60 MB), then started afresh


class Ingestor:
    def __init__(self, catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore, embedder: Embedder,
                 counter: TokenCounter, limits: ChunkLimits, staged: dict[Path, Path] | None = None,
                 on_access_change: Callable[[AccessChange], None] | None = None, ocr: bool = True,
                 pdf_tables: bool = False):
        """staged: for a path, the file holding the bytes to ingest under its name (an upload replacing it, which
        moves into place only once the catalog holds it: uploads.py). on_access_change: called with each access
        change just before it is committed (the audit: if it raises, the change is not applied). ocr: PDF pages
        without a text layer are read by OCR; pdf_tables: tables in PDFs are found (loaders/pdf_tables.py)."""
        self.catalog, self.vectors, self.unit_vectors, self.embedder, self.counter, self.limits = (
            catalog, vectors, unit_vectors, embedder, counter, limits)
        self.staged = staged or {}
        self.on_access_change = on_access_change
        self.ocr, self.pdf_tables = ocr, pdf_tables
        self._sources: dict[Path, SourcesFile | None] = {}
        self._unit_vectors: dict[str, list[float]] = {}  # sentence -> vector, for this run (embed_all)
        # A different backend gives (slightly) different vectors, so it re-embeds like a chunking change.
        self.pipeline = (f"{PIPELINE_VERSION}:{limits.max_tokens}:{limits.max_context_tokens}:{limits.target_tokens}"
                         f"{'' if embedder.backend == UNMARKED_BACKEND else ':' + embedder.backend}"
                         f"{'' if ocr else ':no-ocr'}{':pdf-tables' if pdf_tables else ''}")  # either reads PDFs again

    def run(self, paths: list[Path], overrides: DocumentMeta | None = None, prune: bool = False,
            progress: bool = False, overrides_from: str = "--access on the command line") -> IngestReport:
        """overrides_from: where the overrides were declared, for the report and audit of an access change."""
        started = time.perf_counter()
        report = IngestReport()
        for doc_id in recover(self.catalog, self.vectors, self.unit_vectors):
            report.warnings.append(f"document {doc_id}: an interrupted ingest was tidied up; it is processed again")
        given: dict[Path, Path] = {}
        files = expand_paths(paths, report, self.staged, given)
        with tqdm(total=len(files), unit="doc", desc="Ingesting", disable=not progress or not files,
                  leave=False) as bar:
            window: list[Pending] = []
            for path in files:
                item = self.prepared(path, overrides, report, overrides_from, given.get(path))
                if item:
                    window.append(item)
                else:
                    bar.update()
                if sum(len(w.passages) for w in window) >= EMBED_WINDOW:
                    self.index(window, report, bar)
                    window = []
            self.index(window, report, bar)
        if prune:
            self.prune(report)
        report.seconds = time.perf_counter() - started
        return report

    def sources_for(self, path: Path, report: IngestReport,
                    as_given: Path | None = None) -> tuple[DocumentMeta, Path | None]:
        """The entries for this file in every sources.yaml governing it, merged nearest first, and the file that
        declares its access (else the nearest with an entry).

        Fails closed: if any sources.yaml governing the file cannot be used, or two of them declare different
        levels for it, the file is not indexed (its access is unknown), and what the index holds for it stays."""
        governing = self.governing(path, report, as_given)
        blocking = next((found for found in governing if found.blocking), None)
        if blocking:
            raise IngestError(path, f"not indexed: {blocking.path} cannot be used (see its errors); fix it and "
                                    "ingest again (what the index holds for this file is kept as it was)")
        entries = [(found.entries[path], found.path) for found in governing if path in found.entries]
        levels = [(meta.access, where) for meta, where in entries if meta.access]
        other = next(((level, where) for level, where in levels if level != levels[0][0]), None)
        if other:
            raise IngestError(path, f"not indexed: {levels[0][1]} declares access '{levels[0][0]}' and {other[1]} "
                                    f"declares '{other[0]}' for it; declare one level (what the index holds for this "
                                    "file is kept as it was)")
        merged = DocumentMeta()
        for meta, _ in entries:  # the nearest first: its fields win
            merged = merged.merged_over(meta)
        return merged, levels[0][1] if levels else entries[0][1] if entries else None

    def governing(self, path: Path, report: IngestReport, as_given: Path | None = None) -> list[SourcesFile]:
        """The sources files in the folders above the file, nearest first: above its path as it was reached (through
        a linked folder: council/hr/a.txt) and above its real path (/store/hr/a.txt)."""
        found: dict[Path, SourcesFile] = {}
        for directory in [*(as_given.parents if as_given else ()), *path.parents]:
            sources = self.sources_in(directory, report)
            if sources:
                found.setdefault(sources.path.resolve(), sources)
        return list(found.values())

    def blocking_sources(self, path: Path, report: IngestReport, as_given: Path | None = None) -> SourcesFile | None:
        """The nearest sources file governing this path that cannot be used, if any."""
        return next((found for found in self.governing(path, report, as_given) if found.blocking), None)

    def sources_in(self, directory: Path, report: IngestReport) -> SourcesFile | None:
        """A folder's sources.yaml, read once per run (whatever path reaches the folder); its problems are reported
        once."""
        real = directory.resolve()
        if real not in self._sources:
            found = self._sources[real] = read_sources(directory)
            if found:
                report.failed.extend(found.blocking + found.errors)
        return self._sources[real]

    def prepare(self, path: Path, overrides: DocumentMeta, report: IngestReport,
                overrides_from: str = "--access on the command line", as_given: Path | None = None) -> Pending | None:
        """as_given: the file's path as it was reached (expand_paths), for the sources files above it."""
        doc_id, digest = document_id(path), content_hash(self.staged.get(path, path))
        entry, sources = self.sources_for(path, report, as_given)
        declared = overrides.merged_over(entry)
        existing = self.catalog.document(doc_id)
        change = access_change(existing, declared.access, overrides_from if overrides.access else str(sources), path)
        if (existing and existing["content_hash"] == digest and existing["pipeline"] == self.pipeline
                and self.vectors_complete(doc_id)):
            if change:
                self.audit(change)
            self.refresh_meta(existing, declared)
            if change:
                note_access_change(change, report)
            report.unchanged.append(str(path))
            return None
        loaded = load_document(self.staged.get(path, path), report.warnings, ocr=self.ocr, pdf_tables=self.pdf_tables)
        if loaded.ocr_pages or (loaded.pages_read and loaded.pages_read.empty):
            report.pages.append(pages_line(path, loaded))
        planted = addressed_to_ai(loaded.text)
        if planted:
            report.warnings.append(f"{path}: contains text addressed to an AI assistant (\"{planted}\"); it is kept "
                                   "as quoted evidence and never followed")
        meta = declared.merged_over(infer_meta(loaded, path)).sanitised()
        if existing and not declared.access:  # sticky: new content or reprocessing never changes who may read it
            meta.access = existing["access"]
        passages = chunk_document(doc_id, meta.heading(path.name), loaded, self.counter, self.limits)
        mark_ocr(passages, loaded.ocr_pages)
        return Pending(path, doc_id, digest, loaded, meta, passages, is_new=existing is None, access_change=change)

    def audit(self, change: AccessChange) -> None:
        """Called just before an access change is committed: never a change without its audit event."""
        if self.on_access_change:
            self.on_access_change(change)

    def vectors_complete(self, doc_id: str) -> bool:
        ids = self.catalog.passage_ids(doc_id)
        return len(self.vectors.has(list(ids))) == len(ids)

    def refresh_meta(self, existing: sqlite3.Row, declared: DocumentMeta) -> None:
        """Unchanged content with newly declared metadata: update the catalog, embed nothing."""
        current = DocumentMeta(**{k: existing[k] for k in DocumentMeta.__dataclass_fields__})
        wanted = declared.merged_over(current).sanitised()  # also cleans a title stored before sanitising
        if wanted != current:
            self.catalog.update_meta(existing["doc_id"], wanted)

    def prepared(self, path: Path, overrides: DocumentMeta | None, report: IngestReport, overrides_from: str,
                 as_given: Path | None) -> Pending | None:
        """The document loaded and chunked, or None when unchanged or broken (reported; the rest go on)."""
        try:
            return self.prepare(path, overrides or DocumentMeta(), report, overrides_from, as_given)
        except IngestError as exc:
            report.failed.append(str(exc))
        except Exception as exc:  # one broken document never stops the rest
            report.failed.append(f"{path}: unexpected {type(exc).__name__}: {exc}")
        return None

    def index(self, window: list[Pending], report: IngestReport, bar: "tqdm[Any]") -> None:
        """Embed a window of documents together (batches fill across them), then store each."""
        if not window:
            return
        embedded: Sequence[Embedded | None]  # None: a document the model failed on
        try:
            embedded = self.embed_all(window)
        except Exception:  # find the document the model fails on, and index the others
            embedded = [self.embed_or_none(item, report) for item in window]
        for item, vectors in zip(window, embedded):
            bar.update()
            if vectors is None:
                continue
            try:
                self.write(item, vectors)
            except Exception as exc:
                report.failed.append(f"{item.path}: could not be indexed ({type(exc).__name__}: {exc})")
                continue
            report.embedded += len(item.passages)
            report.chunks += len(item.passages)
            (report.added if item.is_new else report.updated).append(str(item.path))
            if item.access_change:
                note_access_change(item.access_change, report)
        if bar.total:
            bar.set_postfix(chunks=report.chunks, refresh=False)

    def embed_or_none(self, item: Pending, report: IngestReport) -> Embedded | None:
        try:
            return self.embed(item)
        except Exception as exc:
            report.failed.append(f"{item.path}: could not be indexed ({type(exc).__name__}: {exc})")
            return None

    def embed(self, item: Pending) -> Embedded:
        """The model's forward passes only: no store is read or written, so a server runs this outside its lock."""
        return self.embed_all([item])[0]

    def embed_all(self, items: list[Pending]) -> list[Embedded]:
        """Every passage, and every distinct sentence or table row once: a document in Word and PDF, or minutes
        repeating their standing items, share sentences."""
        passages = [p for item in items for p in item.passages]
        vectors = iter(self.embedder.embed([p.embed_text for p in passages]))
        units = [[(unit_id(p.id, start), text) for p in item.passages for start, text in passage_units(p.text, p.kind)]
                 for item in items]
        new = sorted({text for mine in units for _, text in mine} - self._unit_vectors.keys())
        self._unit_vectors.update(zip(new, self.embedder.embed(new)))
        result = [Embedded([next(vectors) for _ in item.passages], [u for u, _ in mine],
                           [self._unit_vectors[text] for _, text in mine]) for item, mine in zip(items, units)]
        if len(self._unit_vectors) > UNIT_CACHE:
            self._unit_vectors.clear()
        return result

    def write(self, item: Pending, embedded: Embedded) -> None:
        """New vectors, then the catalog swap, then the stale vectors go; journalled for a crash (recovery.py)."""
        self.catalog.begin_vector_write(item.doc_id)
        old_ids = self.vectors.ids_for_document(item.doc_id)
        old_units = self.unit_vectors.ids_for_document(item.doc_id)
        self.vectors.add([p.id for p in item.passages], [item.doc_id] * len(item.passages), embedded.passages)
        self.unit_vectors.add(embedded.unit_ids, [item.doc_id] * len(embedded.unit_ids), embedded.units)
        if item.access_change:
            self.audit(item.access_change)
        self.catalog.replace_document(item.doc_id, str(item.path), item.content_hash, self.pipeline,
                                      item.loaded.format,
                                      item.meta, item.loaded.page_count, item.loaded.text, item.passages)
        self.vectors.delete(sorted(set(old_ids) - {p.id for p in item.passages}))
        self.unit_vectors.delete(sorted(set(old_units) - set(embedded.unit_ids)))
        self.catalog.end_vector_write(item.doc_id)

    def prune(self, report: IngestReport) -> None:
        for row in self.catalog.documents():
            path = Path(row["path"])
            if path.exists():
                continue
            blocking = self.blocking_sources(path, report)
            if blocking:  # fail closed: while its sources.yaml cannot be read, the folder's documents stay as they were
                report.warnings.append(f"{path}: gone, but kept in the index while {blocking.path} cannot be used")
                continue
            self.remove(row["doc_id"])
            report.removed.append(row["path"])

    def remove(self, doc_id: str) -> None:
        self.remove_from(self.catalog, self.vectors, self.unit_vectors, doc_id)

    @staticmethod
    def remove_from(catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore, doc_id: str) -> None:
        """The catalog first: once it forgets the document nothing can cite it, even if a vector delete fails."""
        catalog.begin_vector_write(doc_id)
        catalog.remove_document(doc_id)
        vectors.delete(vectors.ids_for_document(doc_id))
        unit_vectors.delete(unit_vectors.ids_for_document(doc_id))
        catalog.end_vector_write(doc_id)
