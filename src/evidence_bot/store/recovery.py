"""Crash recovery and the index's self-check.

SQLite (the catalog and the lexical index) changes in single transactions; Chroma cannot join them. So a
document's vector writes are journalled in the catalog (vector_writes) before they start and cleared when
they end. An entry left by a process that is no longer running is an interrupted write: its document's
vectors that the catalog does not list are deleted, and the document is marked to be processed again,
like SQLite rolling back a hot journal when it next opens a database. An entry of a live process on this
host (an ingest still running) is left alone.

An upload replacing a document is staged beside its file and moved into place after the catalog swap
(uploads.py). A staged file left by a dead process is settled the same way: moved into place if the catalog
holds its content (the swap was made), deleted if not, so the file on disk matches the catalog's content_hash."""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_bot.store.catalog import Catalog
from evidence_bot.text.units import passage_of

if TYPE_CHECKING:  # chromadb loads only when vectors are needed
    from evidence_bot.ingest.uploads import UploadFolder
    from evidence_bot.store.vectors import VectorStore


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted(catalog: Catalog) -> list[str]:
    here = socket.gethostname()
    return [row["doc_id"] for row in catalog.vector_writes() if not (row["host"] == here and alive(row["pid"]))]


def recover(catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore,
            uploads: UploadFolder | None = None) -> list[str]:
    """Tidy the vector writes that a killed process left half done, then settle its staged uploads; returns the
    document ids whose vector writes were tidied."""
    recovered = interrupted(catalog)
    for doc_id in recovered:
        known = set(catalog.passage_ids(doc_id))
        vectors.delete([i for i in vectors.ids_for_document(doc_id) if i not in known])
        unit_vectors.delete([u for u in unit_vectors.ids_for_document(doc_id) if passage_of(u) not in known])
        catalog.force_reprocess(doc_id)
        catalog.end_vector_write(doc_id)
    for staged in uploads.staged_files() if uploads else []:
        if not staged.mine and (staged.pid == os.getpid() or not alive(staged.pid)):
            settle_upload(catalog, staged.staged, staged.target)
    return recovered


def settle_upload(catalog: Catalog, staged: Path, target: Path) -> bool:
    """Move staged bytes into place if the catalog holds them (the swap was made), else delete them; True if moved.
    Run after every upload too, so a refused or failed one never changes the file."""
    row = catalog.document_by_path(str(target.resolve()))
    if row is not None and row["content_hash"] == sha256_of(staged):
        os.replace(staged, target)
        return True
    staged.unlink(missing_ok=True)
    return False


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass
class IndexCheck:
    documents: int = 0
    passages: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_index(catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore,
                uploads: UploadFolder | None = None) -> IndexCheck:
    """Do the catalog, the lexical index and both vector collections agree, and the uploaded files with the
    catalog? Orphans, duplicates and differing files are named."""
    result = IndexCheck(documents=catalog.count_documents())
    passages = catalog.all_passage_ids()
    result.passages = len(passages)
    known = set(passages)
    lexical = catalog.lexical_ids()
    compare(result, "lexical index", known, lexical)
    compare(result, "passage vectors", known, vectors.all_ids())
    units = unit_vectors.all_ids()
    orphan_units = [u for u in units if passage_of(u) not in known]
    if orphan_units:
        result.problems.append(f"unit vectors: {len(orphan_units)} belong to no catalog passage, "
                               f"e.g. {orphan_units[0]}")
    empty = catalog.documents_without_passages()
    if empty:
        result.problems.append(f"catalog: {len(empty)} documents without passages, e.g. {empty[0]}")
    pending = catalog.vector_writes()
    if pending:
        result.problems.append(f"journal: {len(pending)} vector writes not finished "
                               f"({', '.join(r['doc_id'] for r in pending)})")
    if uploads:
        check_uploads(result, catalog, uploads)
    return result


def check_uploads(result: IndexCheck, catalog: Catalog, uploads: UploadFolder) -> None:
    """Each uploaded document's file holds the content the catalog indexed (its content_hash)."""
    for row in catalog.documents():
        path = Path(row["path"])
        if uploads.holds(path) and (not path.is_file() or sha256_of(path) != row["content_hash"]):
            result.problems.append(f"uploads: {path.name} ({row['doc_id']}) is not the content the catalog indexed")
    left = [s.staged.name for s in uploads.staged_files() if not s.mine]
    if left:
        result.problems.append(f"uploads: {len(left)} staged uploads not settled, e.g. {left[0]}")


def compare(result: IndexCheck, name: str, known: set[str], found: list[str]) -> None:
    duplicates = len(found) - len(set(found))
    if duplicates:
        result.problems.append(f"{name}: {duplicates} duplicate entries")
    orphans = set(found) - known
    missing = known - set(found)
    if orphans:
        result.problems.append(f"{name}: {len(orphans)} entries with no catalog passage, e.g. {sorted(orphans)[0]}")
    if missing:
        result.problems.append(f"{name}: {len(missing)} catalog passages missing, e.g. {sorted(missing)[0]}")
