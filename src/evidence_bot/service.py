"""EvidenceBot: one object per process holding the model, the catalog and the vector store.

The CLI, the HTTP service and the tests all go through it, so a query never
reloads the model or reopens a store."""

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from evidence_bot.access import Viewer
from evidence_bot.answer import ABSTENTION, ExtractiveAnswerer, pieces, resolve_followup
from evidence_bot.catalog import Catalog
from evidence_bot.chunking import ChunkLimits
from evidence_bot.config import Settings
from evidence_bot.embedding import Embedder, TokenCounter
from evidence_bot.errors import EmptyIndexError, EvidenceBotError, NotFoundError
from evidence_bot.ingest import IngestReport, Ingestor, document_id
from evidence_bot.models import Answer, DocumentMeta, Filters, Passage, SearchHit
from evidence_bot.recovery import IndexCheck, check_index, recover
from evidence_bot.retrieval import Retriever
from evidence_bot.uploads import SavedUpload, UploadError, UploadFolder


@dataclass
class Prepared:
    """A question ready to answer: its retrieval query, the ranked passages and the extractive answer over the
    top ones (the answer itself in the default mode, the fallback in the llm mode)."""
    question: str
    query: str
    ranked: list[SearchHit]
    hits: list[SearchHit]
    extractive: Answer
    history: list[str] = field(default_factory=list)


class EvidenceBot:
    viewer: Viewer | None = None  # None: everything (the CLI, a local single user); see for_viewer

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings()
        self.catalog = Catalog(self.settings.catalog_path)
        if embedder is not None:  # share one loaded model between several indexes
            self.embedder = embedder

    def for_viewer(self, viewer: Viewer | None) -> "EvidenceBot":
        """The same bot (one model, one store) answering as this viewer: every read below is limited to the
        documents they may see, in the store query itself (Filters.access), before anything is ranked."""
        shared = ["embedder", "vectors", "unit_vectors", "retriever", "answerer", "frameworks", "mapping"]
        for name in shared + (["generative"] if self.settings.answerer == "llm" else []):
            getattr(self, name)  # load once here, so that every scoped copy shares them
        scoped = copy.copy(self)
        scoped.viewer = viewer
        return scoped

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
        from evidence_bot.vectors import VectorStore  # chromadb loads only when vectors are needed

        return VectorStore(self.settings.chroma_dir, url=self.settings.chroma_url, namespace=self.settings.chroma_namespace)

    @cached_property
    def unit_vectors(self):
        from evidence_bot.vectors import UNITS, VectorStore

        return VectorStore(self.settings.chroma_dir, UNITS, self.settings.chroma_url, self.settings.chroma_namespace)

    @cached_property
    def frameworks(self):
        from evidence_bot.frameworks.framework import load_frameworks

        return load_frameworks(self.settings.frameworks_dir)

    @cached_property
    def mapping(self):
        from evidence_bot.frameworks.store import MappingStore

        return MappingStore(self.catalog.db)

    def refresh_mapping(self) -> int:
        """Maps passages to the frameworks' statements (new passages, or all when a framework file changed)."""
        from evidence_bot.frameworks.refresh import refresh_mapping

        return refresh_mapping(self.catalog, self.mapping, self.vectors, self.embedder.embed, self.frameworks)

    def gaps(self, framework_id: str = "cqc-la", as_of=None):
        """The gap view of one framework (frameworks/gaps.py)."""
        from evidence_bot.duplicates import rendition_groups
        from evidence_bot.frameworks.gaps import gap_report

        self.require_documents()
        if framework_id not in self.frameworks:
            raise NotFoundError(f"no framework '{framework_id}'; known: {', '.join(sorted(self.frameworks))}")
        groups = rendition_groups(self.catalog.all_passage_texts(), self.settings.duplicate_containment)
        rows = [r for r in self.mapping.statement_rows(framework_id) if self.readable(r["access"])]
        return gap_report(self.frameworks[framework_id], rows, groups, as_of)

    def claims(self):
        """The self-assessments' checkable claims, each tested against the other documents (claims.py)."""
        from evidence_bot.claims import ClaimChecker

        self.require_documents()
        return ClaimChecker(self).check()

    def brief(self, topic: str, filters: Filters | None = None):
        """A councillor's briefing on a topic (briefing.py)."""
        from evidence_bot.briefing import BriefingWriter

        if not (topic or "").strip():
            raise EvidenceBotError("the topic is empty")
        return BriefingWriter(self).brief(topic, filters)

    @cached_property
    def retriever(self) -> Retriever:
        recover(self.catalog, self.vectors, self.unit_vectors)  # a killed ingest's half-written vectors (recovery.py)
        s = self.settings
        return Retriever(self.catalog, self.vectors, self.unit_vectors, self.embedder, s.candidates, s.rrf_k,
                         s.duplicate_containment)

    @cached_property
    def answerer(self) -> ExtractiveAnswerer:
        return ExtractiveAnswerer(self.embedder, self.unit_vectors.vectors, self.catalog.document_frequency, self.catalog.count_passages,
                                  self.settings.abstain_threshold, self.settings.max_answer_sentences)

    def ingest(self, paths: list[Path], overrides: DocumentMeta | None = None, prune: bool = False,
               progress: bool = False) -> IngestReport:
        limits = ChunkLimits(self.settings.max_tokens, self.settings.max_context_tokens, self.settings.target_tokens)
        ingestor = Ingestor(self.catalog, self.vectors, self.unit_vectors, self.embedder, TokenCounter(self.settings.model_path), limits)
        report = ingestor.run(paths, overrides, prune, progress)
        self.refresh_mapping()
        return report

    @cached_property
    def uploads(self) -> UploadFolder:
        return UploadFolder(self.settings.uploads_dir, self.settings.max_upload_bytes)

    def upload(self, stream: BinaryIO, sent_name: str, meta: DocumentMeta) -> tuple[str, SavedUpload, IngestReport]:
        """Keep a sent file in the uploads folder and ingest it: (its doc_id, where it went, the ingest report)."""
        saved = self.uploads.save(stream, sent_name)
        report = self.ingest([saved.path], meta)
        if report.failed:
            raise UploadError(f"{sent_name}: " + "; ".join(f.replace(str(saved.path), "the file") for f in report.failed))
        return document_id(saved.path), saved, report

    def remove_document(self, key: str) -> str:
        """Take a document (id or path) out of the index: catalog, both vector stores, its mapping; an uploaded
        file goes too. A file in a council's own folder stays, so ingesting that folder again brings it back."""
        row = self.document(key)
        Ingestor.remove_from(self.catalog, self.vectors, self.unit_vectors, row["doc_id"])
        self.uploads.discard(row["path"])
        return row["path"]

    def check(self) -> tuple[list[str], IndexCheck]:
        """Open the index as a query would (recovering an interrupted ingest), then check that its stores agree."""
        recovered = recover(self.catalog, self.vectors, self.unit_vectors)
        return recovered, check_index(self.catalog, self.vectors, self.unit_vectors)

    def search(self, query: str, filters: Filters | None = None, top_k: int | None = None) -> list[SearchHit]:
        self.require_documents()
        return self.retriever.search(query, self.scoped(filters), top_k or self.settings.top_k)

    def ask(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> Answer:
        return self.ask_traced(question, history, filters)[0]

    def ask_traced(self, question: str, history: list[str] | None = None, filters: Filters | None = None,
                   depth: int | None = None) -> tuple[Answer, list[SearchHit]]:
        """The answer and the ranked passages it was drawn from (depth of them, for evaluation)."""
        prepared = self.prepare(question, self.query_for(question, history), filters, depth, history)
        *_, (_, answer) = self.respond(prepared)
        return answer, prepared.ranked

    def query_for(self, question: str, history: list[str] | None = None) -> str:
        """The retrieval query: the question, or a follow-up made standalone. Reads no store (in the llm mode
        it may wait on the model, so the server calls it outside its lock)."""
        question = self.checked_question(question)
        earlier = [h for h in (history or []) if h and h.strip()]
        query = resolve_followup(question, earlier)
        if self.settings.answerer == "llm" and query != question:  # a follow-up: the model rewrites it for retrieval
            query = self.generative.standalone(question, earlier, query)
        return query

    def checked_question(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise EvidenceBotError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise EvidenceBotError(f"the question is longer than {self.settings.max_question_chars} characters")
        return question

    def prepare(self, question: str, query: str, filters: Filters | None = None, depth: int | None = None,
                history: list[str] | None = None) -> Prepared:
        """Retrieval and the extractive answer: everything that reads the stores."""
        question = self.checked_question(question)
        self.require_documents()
        ranked = self.retriever.search(query, self.scoped(filters), max(depth or 0, self.settings.top_k))
        hits = ranked[:self.settings.top_k]
        extractive = self.answerer.answer(question, query, hits) if hits else Answer(ABSTENTION, True, [], 0.0, query)
        return Prepared(question, query, ranked, hits, extractive, list(history or []))

    def respond(self, prepared: Prepared) -> Iterator[tuple[str, object]]:
        """("citations", [Citation]), ("delta", text) pieces, possibly ("reset", note), then ("answer", Answer).

        The extractive answer exists whole before its first piece; the llm mode streams the model's sentences as
        each is verified (answer/generative.py). Reads no store, so the server runs it outside its lock."""
        if self.settings.answerer == "llm" and prepared.hits:
            yield from self.generative.stream(prepared.question, prepared.query, prepared.hits, prepared.extractive)
            return
        yield "citations", prepared.extractive.citations
        for piece in pieces(prepared.extractive.answer):
            yield "delta", piece
        yield "answer", prepared.extractive

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
        row = self.catalog.find_document(key)
        if row is None or not self.readable(row["access"]):
            raise NotFoundError(f"no document '{key}' in the index (see `evidence-bot docs list`)")
        return row

    def close(self) -> None:
        self.catalog.close()
