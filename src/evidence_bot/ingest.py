"""load -> chunk -> embed -> index, per document, idempotent and incremental.

A document is identified by its resolved path and versioned by the SHA-256 of
its bytes. Unchanged content costs no embedding; a changed document's new
passages are stored before the catalog switches to them in one transaction,
so a crash leaves the old version whole."""

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from evidence_bot.catalog import Catalog
from evidence_bot.chunking import ChunkLimits, chunk_document
from evidence_bot.embedding import Embedder, TokenCounter
from evidence_bot.errors import IngestError
from evidence_bot.injection import addressed_to_ai
from evidence_bot.loaders import is_supported, load_document
from evidence_bot.models import DocumentMeta, LoadedDocument, Passage
from evidence_bot.recovery import recover
from evidence_bot.sources import SOURCES_FILE, SourcesFile, infer_meta, read_sources
from evidence_bot.units import passage_units, unit_id
from evidence_bot.vectors import VectorStore

# Bump when loading or chunking changes what a file becomes: documents are then processed again.
PIPELINE_VERSION = "3"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "path: reason", one line each
    warnings: list[str] = field(default_factory=list)
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


def inside(found: Path, folder: Path, report: IngestReport) -> bool:
    """A link in the folder to a file elsewhere is skipped: ingesting a folder must not reach outside it."""
    if found.resolve().is_relative_to(folder.resolve()):
        return True
    report.warnings.append(f"{found}: a link to a file outside {folder}; skipped")
    return False


def document_id(path: Path) -> str:
    return hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: list[Path], report: IngestReport) -> list[Path]:
    """Files named directly, and the supported files under directories named.

    In a folder, hidden files and README files (notes about the folder, not evidence) are skipped."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = [p for p in path.rglob("*")
                     if p.is_file() and is_supported(p) and p.name != SOURCES_FILE
                     and not p.name.upper().startswith("README")
                     and not any(part.startswith(".") for part in p.relative_to(path).parts)]
            files.extend(sorted(p.resolve() for p in found if inside(p, path, report)))
        elif path.is_file():
            files.append(path.resolve())
        else:
            report.failed.append(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))


class Ingestor:
    def __init__(self, catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore, embedder: Embedder,
                 counter: TokenCounter, limits: ChunkLimits):
        self.catalog, self.vectors, self.unit_vectors, self.embedder, self.counter, self.limits = (
            catalog, vectors, unit_vectors, embedder, counter, limits)
        self._sources: dict[Path, SourcesFile | None] = {}
        # A different backend gives (slightly) different vectors, so it re-embeds like a chunking change.
        self.pipeline = (f"{PIPELINE_VERSION}:{limits.max_tokens}:{limits.max_context_tokens}:{limits.target_tokens}"
                         f"{'' if embedder.backend == 'torch' else ':' + embedder.backend}")

    def run(self, paths: list[Path], overrides: DocumentMeta | None = None, prune: bool = False,
            progress: bool = False) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        for doc_id in recover(self.catalog, self.vectors, self.unit_vectors):
            report.warnings.append(f"document {doc_id}: an interrupted ingest was tidied up; it is processed again")
        pending = []
        for path in expand_paths(paths, report):
            try:
                item = self.prepare(path, overrides or DocumentMeta(), report)
            except IngestError as exc:
                report.failed.append(str(exc))
                continue
            except Exception as exc:  # one broken document never stops the rest
                report.failed.append(f"{path}: unexpected {type(exc).__name__}: {exc}")
                continue
            if item:
                pending.append(item)
        self.index(pending, report, progress)
        if prune:
            self.prune(report)
        report.seconds = time.perf_counter() - started
        return report

    def sources_for(self, path: Path, report: IngestReport) -> DocumentMeta:
        """The entry for this file in a sources.yaml in its folder or any folder above."""
        for directory in path.parents:
            if directory not in self._sources:
                self._sources[directory] = read_sources(directory)
                if self._sources[directory]:
                    report.failed.extend(self._sources[directory].errors)
            found = self._sources[directory]
            if found and path in found.entries:
                return found.entries[path]
        return DocumentMeta()

    def prepare(self, path: Path, overrides: DocumentMeta, report: IngestReport) -> Pending | None:
        doc_id, digest = document_id(path), content_hash(path)
        declared = overrides.merged_over(self.sources_for(path, report))
        existing = self.catalog.document(doc_id)
        if (existing and existing["content_hash"] == digest and existing["pipeline"] == self.pipeline
                and self.vectors_complete(doc_id)):
            self.refresh_meta(existing, declared)
            report.unchanged.append(str(path))
            return None
        loaded = load_document(path, report.warnings)
        planted = addressed_to_ai(loaded.text)
        if planted:
            report.warnings.append(f"{path}: contains text addressed to an AI assistant (\"{planted}\"); it is kept "
                                   "as quoted evidence and never followed")
        meta = declared.merged_over(infer_meta(loaded, path))
        passages = chunk_document(doc_id, meta.title or path.name, loaded, self.counter, self.limits)
        return Pending(path, doc_id, digest, loaded, meta, passages, is_new=existing is None)

    def vectors_complete(self, doc_id: str) -> bool:
        ids = self.catalog.passage_ids(doc_id)
        return len(self.vectors.has(list(ids))) == len(ids)

    def refresh_meta(self, existing, declared: DocumentMeta) -> None:
        """Unchanged content with newly declared metadata: update the catalog, embed nothing."""
        current = DocumentMeta(**{k: existing[k] for k in DocumentMeta.__dataclass_fields__})
        wanted = declared.merged_over(current)
        if wanted != current:
            self.catalog.update_meta(existing["doc_id"], wanted)

    def index(self, pending: list[Pending], report: IngestReport, progress: bool) -> None:
        total = sum(len(item.passages) for item in pending)
        with tqdm(total=total, unit="chunk", desc="Embedding", disable=not progress or total == 0,
                  leave=False) as bar:
            for item in pending:
                try:
                    self.store(item, bar.update)
                except Exception as exc:
                    report.failed.append(f"{item.path}: could not be indexed ({type(exc).__name__}: {exc})")
                    continue
                report.embedded += len(item.passages)
                report.chunks += len(item.passages)
                (report.added if item.is_new else report.updated).append(str(item.path))

    def store(self, item: Pending, advance) -> None:
        """New vectors, then the catalog swap, then the stale vectors go; journalled for a crash (recovery.py)."""
        self.catalog.begin_vector_write(item.doc_id)
        old_ids = self.vectors.ids_for_document(item.doc_id)
        old_units = self.unit_vectors.ids_for_document(item.doc_id)
        vectors = self.embedder.embed([p.embed_text for p in item.passages], progress=advance)
        self.vectors.add([p.id for p in item.passages], [item.doc_id] * len(item.passages), vectors)
        units = [(unit_id(p.id, start), text) for p in item.passages for start, text in passage_units(p.text, p.kind)]
        self.unit_vectors.add([u for u, _ in units], [item.doc_id] * len(units),
                              self.embedder.embed([text for _, text in units]))
        self.catalog.replace_document(item.doc_id, str(item.path), item.content_hash, self.pipeline,
                                      item.loaded.format,
                                      item.meta, item.loaded.page_count, item.loaded.text, item.passages)
        self.vectors.delete(sorted(set(old_ids) - {p.id for p in item.passages}))
        self.unit_vectors.delete(sorted(set(old_units) - {u for u, _ in units}))
        self.catalog.end_vector_write(item.doc_id)

    def prune(self, report: IngestReport) -> None:
        for row in self.catalog.documents():
            if not Path(row["path"]).exists():
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
