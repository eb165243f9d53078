"""Crash recovery and the index's self-check.

SQLite (the catalog and the lexical index) changes in single transactions; Chroma cannot join them. So a
document's vector writes are journalled in the catalog (vector_writes) before they start and cleared when
they end. An entry left by a process that is no longer running is an interrupted write: its document's
vectors that the catalog does not list are deleted, and the document is marked to be processed again,
like SQLite rolling back a hot journal when it next opens a database. An entry of a live process on this
host (an ingest still running) is left alone."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evidence_bot.catalog import Catalog
from evidence_bot.units import passage_of

if TYPE_CHECKING:  # chromadb loads only when vectors are needed
    from evidence_bot.vectors import VectorStore


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


def recover(catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore) -> list[str]:
    """Tidy the vector writes that a killed process left half done; returns their document ids."""
    recovered = interrupted(catalog)
    for doc_id in recovered:
        known = set(catalog.passage_ids(doc_id))
        vectors.delete([i for i in vectors.ids_for_document(doc_id) if i not in known])
        unit_vectors.delete([u for u in unit_vectors.ids_for_document(doc_id) if passage_of(u) not in known])
        catalog.force_reprocess(doc_id)
        catalog.end_vector_write(doc_id)
    return recovered


@dataclass
class IndexCheck:
    documents: int = 0
    passages: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_index(catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore) -> IndexCheck:
    """Do the catalog, the lexical index and both vector collections agree? Orphans and duplicates are named."""
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
        result.problems.append(f"unit vectors: {len(orphan_units)} belong to no catalog passage, e.g. {orphan_units[0]}")
    empty = catalog.documents_without_passages()
    if empty:
        result.problems.append(f"catalog: {len(empty)} documents without passages, e.g. {empty[0]}")
    pending = catalog.vector_writes()
    if pending:
        result.problems.append(f"journal: {len(pending)} vector writes not finished ({', '.join(r['doc_id'] for r in pending)})")
    return result


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
