"""What one viewer may read: the scope every read side object is built on (Reader, reader.py), with the parts of the
one EvidenceBot it shares (service.py) that the evidence features read, and the reads that need nothing more:
search, documents and passages."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING

from evidence_bot.config import Settings
from evidence_bot.errors import EmptyIndexError, NotFoundError
from evidence_bot.governance.access import Viewer
from evidence_bot.models import DocumentMeta, Filters, Passage, SearchHit
from evidence_bot.store.catalog import Catalog
from evidence_bot.store.embedding import Embedder

if TYPE_CHECKING:
    from evidence_bot.evidence.frameworks.framework import Framework
    from evidence_bot.evidence.frameworks.store import MappingStore
    from evidence_bot.service import EvidenceBot
    from evidence_bot.store.vectors import VectorStore


class Scope:
    """Every read is limited to what its viewer may see (None: everything), in the store query itself, before
    anything is ranked; a document they may not read gives the same answer as a missing one."""

    def __init__(self, bot: EvidenceBot, viewer: Viewer | None = None):
        self.bot = bot
        self.viewer = viewer

    # What the evidence features read through a reader (claims.ClaimEvidence, briefing.BriefingEvidence): the
    # loaded parts, read through to the one EvidenceBot (properties, so a reader never loads or copies them).
    @property
    def settings(self) -> Settings:
        return self.bot.settings

    @property
    def catalog(self) -> Catalog:
        return self.bot.catalog

    @property
    def embedder(self) -> Embedder:
        return self.bot.embedder

    @property
    def unit_vectors(self) -> VectorStore:
        return self.bot.unit_vectors

    @property
    def frameworks(self) -> dict[str, Framework]:
        return self.bot.frameworks

    @property
    def mapping(self) -> MappingStore:
        return self.bot.mapping

    def levels(self) -> list[str] | None:
        """The access levels this reader reads (None: all): counts, weights and groupings are taken over them only."""
        return self.viewer.levels() if self.viewer else None

    def scoped(self, filters: Filters | None) -> Filters:
        levels = self.levels()
        return replace(filters or Filters(), access=levels) if levels is not None else (filters or Filters())

    def readable(self, access: str | None) -> bool:
        return self.viewer is None or self.viewer.can_read(access)

    def require_documents(self) -> None:
        if self.catalog.count_documents(self.levels()) == 0:
            raise EmptyIndexError()

    def documents(self) -> list[sqlite3.Row]:
        return [row for row in self.catalog.documents() if self.readable(row["access"])]

    def document(self, key: str) -> sqlite3.Row:
        """By id, unique id prefix or path, among the documents this viewer may read: one they may not read gives
        the same answer as a missing one, and never makes a prefix ambiguous."""
        row = self.catalog.find_document(key, self.levels())
        if row is None or not self.readable(row["access"]):
            raise NotFoundError(f"no document '{key}' in the index (see `evidence-bot docs list`)")
        return row

    def passage(self, passage_id: str, radius: int = 1) -> tuple[Passage, DocumentMeta, list[Passage]]:
        """A passage, its document's metadata and the passages around it (itself included), for the viewer."""
        found = self.catalog.passages([passage_id]).get(passage_id)
        if found is None or not self.readable(found[1].access):  # the same answer: existence is not revealed
            raise NotFoundError(f"no passage '{passage_id}' in the index")
        passage, meta = found
        return passage, meta, self.catalog.neighbours(passage, radius)

    def search(self, query: str, filters: Filters | None = None, top_k: int | None = None) -> list[SearchHit]:
        self.require_documents()
        return self.bot.retriever.search(query, self.scoped(filters), top_k or self.settings.top_k)
