"""EvidenceBot: one object per process holding what is loaded once: the model, the catalog, the vector stores,
the frameworks and the answerer.

The CLI, the HTTP service and the tests all go through it, so a query never reloads the model or reopens a store.
Work is done by two light objects that share it, each for one viewer: the write side, bot.library(viewer)
(library.py: ingest, upload, remove, check, the mapping) and the read side, bot.reader(viewer) (reader.py: search,
ask, documents and passages; evidence/views.py: gaps, mapping, claims, briefings)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_bot.answer import ExtractiveAnswerer
from evidence_bot.config import Settings
from evidence_bot.errors import EvidenceBotError
from evidence_bot.governance.access import Viewer
from evidence_bot.ingest.uploads import UploadFolder
from evidence_bot.library import Library
from evidence_bot.models import Passage
from evidence_bot.reader import Reader
from evidence_bot.search.reader_statistics import ReaderStatistics
from evidence_bot.search.retrieval import Retriever
from evidence_bot.store.catalog import Catalog
from evidence_bot.store.embedding import Embedder, packaged_model_path
from evidence_bot.store.query_tuning import QueryTuning, tuned_model_dir
from evidence_bot.store.recovery import recover

if TYPE_CHECKING:
    from evidence_bot.answer.generative import GenerativeAnswerer
    from evidence_bot.answer.hand_set import HandSetAnswerer
    from evidence_bot.evidence.frameworks.framework import Framework
    from evidence_bot.evidence.frameworks.mapping import StatementVectors
    from evidence_bot.evidence.frameworks.mapping_model import MappingModel
    from evidence_bot.evidence.frameworks.store import MappingStore
    from evidence_bot.store.vectors import VectorStore


def tuned_query_model(settings: Settings, tuning: QueryTuning | None = None) -> Path | None:
    """The folder of the tuned question encoder (written once under the models folder), or None when questions are
    embedded by the packaged model itself."""
    if not settings.tuned_questions:
        return None
    base = Path(settings.model_path or packaged_model_path())
    tuning = tuning or QueryTuning.load(settings.query_tuning_path)
    try:
        return tuned_model_dir(base, tuning, settings.models_dir)
    except OSError as exc:  # a models folder that cannot be written costs a copy per process, never an answer
        warnings.warn(f"the tuned question encoder is written to a temporary folder: {settings.models_dir} cannot "
                      f"be written ({exc})", stacklevel=2)
        return tuned_model_dir(base, tuning, temporary_models_dir())


@lru_cache(maxsize=1)
def temporary_models_dir() -> Path:
    """One temporary models folder per process (every bot of the process shares its copy), removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="evidence-bot-models-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


class EvidenceBot:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings()
        self.catalog = Catalog(self.settings.catalog_path)
        # shared by every reader (EvidenceViews.statement_vectors)
        self.statement_vector_cache: dict[tuple[str, str, str], StatementVectors] = {}
        if embedder is not None:  # share one loaded model between several indexes
            self.embedder = embedder

    def load(self) -> None:
        """Load now every part a request may read (the model, stores, frameworks, mapping model, answerer; the
        language model's client in the llm mode), so that none is loaded during a request, under the server's
        lock, and a broken one stops the service at its start rather than failing requests (server warm-up)."""
        for part in ("embedder", "vectors", "unit_vectors", "statistics", "retriever", "answerer", "frameworks",
                     "mapping", "mapping_model", *(["generative"] if self.settings.answerer == "llm" else [])):
            getattr(self, part)

    def reader(self, viewer: Viewer | None = None) -> Reader:
        """The read side for this viewer (None: everything, as for the CLI or a local single user): every read is
        limited to the documents they may see, in the store query itself (Filters.access), before anything is
        ranked. Cheap: it shares everything loaded here."""
        return Reader(self, viewer)

    def library(self, viewer: Viewer | None = None) -> Library:
        """The write side, acting as this viewer (None: the OS user): audited as them, and what they may not read
        they may not correct or remove either."""
        return Library(self, viewer)

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return Embedder(s.model_path, s.embedding_backend, s.models_dir, s.query_cache,
                        tuned_query_model(s, self.query_tuning))

    @cached_property
    def query_tuning(self) -> QueryTuning | None:
        """The question encoder's tuning in use (None: questions embedded by the packaged model)."""
        return QueryTuning.load(self.settings.query_tuning_path) if self.settings.tuned_questions else None

    @cached_property
    def vectors(self) -> VectorStore:
        from evidence_bot.store.vectors import VectorStore  # chromadb loads only when vectors are needed

        s = self.settings
        return VectorStore(s.chroma_dir, url=s.chroma_url, namespace=s.chroma_namespace)

    @cached_property
    def unit_vectors(self) -> VectorStore:
        from evidence_bot.store.vectors import UNITS, VectorStore

        return VectorStore(self.settings.chroma_dir, UNITS, self.settings.chroma_url, self.settings.chroma_namespace)

    @cached_property
    def frameworks(self) -> dict[str, Framework]:
        from evidence_bot.evidence.frameworks.framework import load_frameworks

        return load_frameworks(self.settings.frameworks_dir)

    @cached_property
    def mapping(self) -> MappingStore:
        from evidence_bot.evidence.frameworks.store import MappingStore

        return MappingStore(self.catalog.db)

    @cached_property
    def mapping_model(self) -> MappingModel:
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
    def answerer(self) -> ExtractiveAnswerer | HandSetAnswerer:
        """The extractive answerer: hand-set weights and gates, or the learned selector (docs/selection.md)."""
        if self.settings.answer_selection == "hand-set":
            from evidence_bot.answer.hand_set import HandSetAnswerer

            return HandSetAnswerer(self.embedder, self.unit_vectors.vectors, self.statistics.document_frequency,
                                   self.statistics.passage_count, max_sentences=self.settings.max_answer_sentences)
        from evidence_bot.answer.selector import Selector

        selector = Selector.load(self.settings.selector_path)
        fitted_with = selector.record.get("query_tuning")
        in_use = self.query_tuning.digest if self.query_tuning else None
        if fitted_with != in_use:  # features move with the question encoder: answers still come, less well judged
            warnings.warn(f"the answer selector was fitted with questions embedded by tuning {fitted_with}, this "
                          f"service embeds them by {in_use or 'the packaged model'}: refit with `make fit-selector`",
                          stacklevel=2)
        return ExtractiveAnswerer(self.embedder, self.unit_vectors.vectors, self.vectors.vectors,
                                  self.statistics.document_frequency, self.statistics.passage_count, selector,
                                  self.settings.max_answer_sentences, self.preceding_text, self.catalog.table_passages)

    def preceding_text(self, passage: Passage) -> str:
        """The text of the passage before this one in its document ("" for the first): whose quotation or list
        a passage's first sentences continue (speakers.py)."""
        return next((p.text for p in self.catalog.neighbours(passage) if p.seq == passage.seq - 1), "")

    @cached_property
    def uploads(self) -> UploadFolder:
        return UploadFolder(self.settings.uploads_dir, self.settings.max_upload_bytes)

    @cached_property
    def generative(self) -> GenerativeAnswerer:
        from evidence_bot.answer.generative import GenerativeAnswerer, chat_model
        from evidence_bot.answer.verification import Verifier

        if not self.settings.llm_model:
            raise EvidenceBotError("EVIDENCE_BOT_ANSWERER=llm needs EVIDENCE_BOT_LLM_MODEL (and usually a base URL)")
        verifier = Verifier(self.embedder.embed, self.settings.verify_threshold)
        return GenerativeAnswerer(chat_model(self.settings), verifier)

    def close(self) -> None:
        self.catalog.close()
