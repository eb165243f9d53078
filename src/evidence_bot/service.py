"""EvidenceBot: one object per process holding the model, the catalog and the vector store.

The CLI, the HTTP service and the tests all go through it, so a query never reloads the model or reopens a store.
This module holds what is loaded once and the viewer it reads for (for_viewer); the rest comes in three parts,
each its own module: the write side (library.py: ingest, upload, remove, check, the mapping), the read side
(reader.py: search and ask) and the readiness views (evidence/views.py: gaps, mapping, claims, briefings)."""

import copy
from dataclasses import replace
from functools import cached_property

from evidence_bot.answer import ExtractiveAnswerer
from evidence_bot.config import Settings
from evidence_bot.errors import EmptyIndexError, EvidenceBotError, NotFoundError
from evidence_bot.evidence.views import EvidenceViews
from evidence_bot.governance.access import Viewer
from evidence_bot.ingest.uploads import UploadFolder
from evidence_bot.library import Library
from evidence_bot.models import DocumentMeta, Filters, Passage
from evidence_bot.reader import Reader
from evidence_bot.search.reader_statistics import ReaderStatistics
from evidence_bot.search.retrieval import Retriever
from evidence_bot.store.catalog import Catalog
from evidence_bot.store.embedding import Embedder
from evidence_bot.store.recovery import recover


class EvidenceBot(Library, Reader, EvidenceViews):
    viewer: Viewer | None = None  # None: everything (the CLI, a local single user); see for_viewer

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings()
        self.catalog = Catalog(self.settings.catalog_path)
        self.statement_vector_cache: dict = {}  # shared by every scoped copy (statement_vectors)
        if embedder is not None:  # share one loaded model between several indexes
            self.embedder = embedder

    def for_viewer(self, viewer: Viewer | None) -> "EvidenceBot":
        """The same bot (one model, one store) answering as this viewer: every read below is limited to the
        documents they may see, in the store query itself (Filters.access), before anything is ranked."""
        shared = ["embedder", "vectors", "unit_vectors", "statistics", "retriever", "answerer", "frameworks", "mapping",
                  "mapping_model"]
        for name in shared + (["generative"] if self.settings.answerer == "llm" else []):
            getattr(self, name)  # load once here, so that every scoped copy shares them
        scoped = copy.copy(self)
        scoped.viewer = viewer
        return scoped

    def levels(self) -> list[str] | None:
        """The access levels this bot reads (None: all): counts, weights and groupings are taken over them only."""
        return self.viewer.levels() if self.viewer else None

    def scoped(self, filters: Filters | None) -> Filters:
        levels = self.viewer.levels() if self.viewer else None
        return replace(filters or Filters(), access=levels) if levels is not None else (filters or Filters())

    def readable(self, access: str | None) -> bool:
        return self.viewer is None or self.viewer.can_read(access)

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return Embedder(s.model_path, s.embedding_backend, s.models_dir, s.query_cache)

    @cached_property
    def vectors(self):
        from evidence_bot.store.vectors import VectorStore  # chromadb loads only when vectors are needed

        s = self.settings
        return VectorStore(s.chroma_dir, url=s.chroma_url, namespace=s.chroma_namespace)

    @cached_property
    def unit_vectors(self):
        from evidence_bot.store.vectors import UNITS, VectorStore

        return VectorStore(self.settings.chroma_dir, UNITS, self.settings.chroma_url, self.settings.chroma_namespace)

    @cached_property
    def frameworks(self):
        from evidence_bot.evidence.frameworks.framework import load_frameworks

        return load_frameworks(self.settings.frameworks_dir)

    @cached_property
    def mapping(self):
        from evidence_bot.evidence.frameworks.store import MappingStore

        return MappingStore(self.catalog.db)

    @cached_property
    def mapping_model(self):
        from evidence_bot.evidence.frameworks.mapping_model import load_mapping_model

        return load_mapping_model(self.settings.mapping_model_path)

    @cached_property
    def statistics(self) -> ReaderStatistics:
        return ReaderStatistics(self.catalog)

    @cached_property
    def retriever(self) -> Retriever:
        # a killed ingest's leftovers (recovery.py)
        recover(self.catalog, self.vectors, self.unit_vectors, self.uploads)
        s = self.settings
        return Retriever(self.catalog, self.vectors, self.unit_vectors, self.embedder, s.candidates, s.rrf_k,
                         s.duplicate_containment, self.statistics)

    @cached_property
    def answerer(self):
        """The extractive answerer: hand-set weights and gates, or the learned selector (docs/selection.md)."""
        if self.settings.answer_selection == "hand-set":
            from evidence_bot.answer.hand_set import HandSetAnswerer

            return HandSetAnswerer(self.embedder, self.unit_vectors.vectors, self.statistics.document_frequency,
                                   self.statistics.passage_count, max_sentences=self.settings.max_answer_sentences)
        from evidence_bot.answer.selector import Selector

        return ExtractiveAnswerer(self.embedder, self.unit_vectors.vectors, self.vectors.vectors,
                                  self.statistics.document_frequency, self.statistics.passage_count,
                                  Selector.load(path) if (path := self.settings.selector_path) else None,
                                  self.settings.max_answer_sentences, self.preceding_text)

    def preceding_text(self, passage: Passage) -> str:
        """The text of the passage before this one in its document ("" for the first): whose quotation or list
        a passage's first sentences continue (speakers.py)."""
        return next((p.text for p in self.catalog.neighbours(passage) if p.seq == passage.seq - 1), "")

    @cached_property
    def uploads(self) -> UploadFolder:
        return UploadFolder(self.settings.uploads_dir, self.settings.max_upload_bytes)

    @cached_property
    def generative(self):
        from evidence_bot.answer.generative import GenerativeAnswerer, chat_model
        from evidence_bot.answer.verification import Verifier

        if not self.settings.llm_model:
            raise EvidenceBotError("EVIDENCE_BOT_ANSWERER=llm needs EVIDENCE_BOT_LLM_MODEL (and usually a base URL)")
        verifier = Verifier(self.embedder.embed, self.settings.verify_threshold)
        return GenerativeAnswerer(chat_model(self.settings), verifier)

    def passage(self, passage_id: str, radius: int = 1) -> tuple[Passage, DocumentMeta, list[Passage]]:
        """A passage, its document's metadata and the passages around it (itself included), for the viewer."""
        found = self.catalog.passages([passage_id]).get(passage_id)
        if found is None or not self.readable(found[1].access):  # the same answer: existence is not revealed
            raise NotFoundError(f"no passage '{passage_id}' in the index")
        passage, meta = found
        return passage, meta, self.catalog.neighbours(passage, radius)

    def require_documents(self) -> None:
        if self.catalog.count_documents(self.viewer.levels() if self.viewer else None) == 0:
            raise EmptyIndexError()

    def documents(self):
        return [row for row in self.catalog.documents() if self.readable(row["access"])]

    def document(self, key: str):
        """By id, unique id prefix or path, among the documents this viewer may read: one they may not read gives
        the same answer as a missing one, and never makes a prefix ambiguous."""
        row = self.catalog.find_document(key, self.viewer.levels() if self.viewer else None)
        if row is None or not self.readable(row["access"]):
            raise NotFoundError(f"no document '{key}' in the index (see `evidence-bot docs list`)")
        return row

    def close(self) -> None:
        self.catalog.close()
