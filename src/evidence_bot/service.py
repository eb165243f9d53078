"""EvidenceBot: one object per process holding the model, the catalog and the vector store.

The CLI, the HTTP service and the tests all go through it, so a query never
reloads the model or reopens a store."""

import copy
import getpass
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from evidence_bot.answer import ABSTENTION, ExtractiveAnswerer, pieces, resolve_followup
from evidence_bot.answer.extractive import read_depth
from evidence_bot.answer.fixed_replies import fixed_reply
from evidence_bot.config import Settings
from evidence_bot.errors import EmptyIndexError, EvidenceBotError, NotFoundError
from evidence_bot.governance.access import Viewer
from evidence_bot.governance.audit import AuditLog
from evidence_bot.governance.personal_data import personal_data_kinds, redacted, refusal
from evidence_bot.ingest.chunking import ChunkLimits
from evidence_bot.ingest.ingestor import AccessChange, Ingestor, IngestReport, document_id
from evidence_bot.ingest.uploads import SavedUpload, UploadError, UploadFolder
from evidence_bot.models import Answer, DocumentMeta, Filters, Passage, SearchHit
from evidence_bot.search.reader_statistics import ReaderStatistics
from evidence_bot.search.retrieval import Retriever
from evidence_bot.stages import stage
from evidence_bot.store.catalog import Catalog
from evidence_bot.store.embedding import Embedder, TokenCounter
from evidence_bot.store.index_lock import IndexLock
from evidence_bot.store.locked import Locked
from evidence_bot.store.recovery import IndexCheck, check_index, recover, settle_upload


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


def process_actor() -> Viewer:
    """Who changes the index from a command line (no token): the OS user and the command, for the audit log."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = f"uid {os.getuid()}"
    return Viewer(f"{user} (OS user): {shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])}"[:500], "admin")


class EvidenceBot:
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

    def refresh_mapping(self, lock: AbstractContextManager | None = None):
        """Maps passages to the frameworks' statements (new passages, or all when a framework file or the mapping
        model changed), then applies the corrections. With a lock, only the store reads and writes hold it, not
        embedding the statements (locked.py). Returns a frameworks.refresh.MappingRefresh."""
        from evidence_bot.evidence.frameworks.corrections import CorrectionError, read_corrections
        from evidence_bot.evidence.frameworks.refresh import refresh_mapping

        stores = [self.catalog, self.mapping, self.vectors, self.unit_vectors]
        if lock is not None:
            stores = [Locked(store, lock) for store in stores]
        catalog, mapping, vectors, unit_vectors = stores
        try:
            corrections, problem = read_corrections(self.settings.corrections_path), None
        except CorrectionError as exc:  # the model still maps new passages; stored corrections stay as they are
            corrections, problem = None, f"{exc}: no correction applied until it is fixed"
        result = refresh_mapping(catalog, mapping, vectors, unit_vectors, self.embedder.embed, self.frameworks,
                                 corrections, self.mapping_model)
        result.unplaced += [problem] if problem else []
        return result

    @cached_property
    def statistics(self) -> ReaderStatistics:
        return ReaderStatistics(self.catalog)

    def rendition_groups(self) -> dict[str, str]:
        """doc id -> rendition group, found among the documents this viewer may read only: a hidden document
        quoting two others must not make them one piece of evidence (claims, gaps)."""
        from evidence_bot.search.duplicates import rendition_groups

        def compute() -> dict[str, str]:
            readable = self.catalog.allowed_documents(self.scoped(None))
            passages = self.catalog.all_passage_texts()
            if readable is not None:
                readable = set(readable)
                passages = [(doc_id, text) for doc_id, text in passages if doc_id in readable]
            return rendition_groups(passages, self.settings.duplicate_containment)

        return self.statistics.per_scope("rendition groups", self.levels(), compute)

    def gaps(self, framework_id: str = "cqc-la", as_of=None):
        """The gap view of one framework (frameworks/gaps.py), over the documents this viewer may read."""
        from evidence_bot.evidence.frameworks.findings import passage_sentences, statement_sentences
        from evidence_bot.evidence.frameworks.gaps import gap_report

        self.require_documents()
        framework = self.framework(framework_id)
        rows = [r for r in self.mapping.statement_rows(framework_id) if self.readable(r["access"])]
        vectors = self.statement_vectors(framework)
        position = {s.id: j for j, s in enumerate(framework.statements)}
        preceding = self.catalog.preceding_texts(sorted({r["passage_id"] for r in rows}))
        read = passage_sentences(rows, vectors.learned, self.unit_vectors, preceding)

        def sentences_of(statement_id: str, statement_rows: list) -> list:
            return statement_sentences(statement_rows, position[statement_id], read)

        return gap_report(framework, rows, self.rendition_groups(), as_of, sentences_of)

    def statement_vectors(self, framework):
        """The framework's statements as the mapping model sees them (frameworks/mapping.py), kept per framework."""
        from evidence_bot.evidence.frameworks.mapping import statement_vectors

        key = (framework.id, framework.fingerprint, self.mapping_model.version)
        if key not in self.statement_vector_cache:
            self.statement_vector_cache[key] = statement_vectors(framework, self.embedder.embed, self.mapping_model)
        return self.statement_vector_cache[key]

    def framework(self, framework_id: str):
        if framework_id not in self.frameworks:
            raise NotFoundError(f"no framework '{framework_id}'; known: {', '.join(sorted(self.frameworks))}")
        return self.frameworks[framework_id]

    def mapping_records(self, framework_id: str | None = None) -> list[dict]:
        """The mapping passage by passage (frameworks/export.py), over the documents this viewer may read."""
        from evidence_bot.evidence.frameworks.export import mapping_records

        self.require_documents()
        ids = [self.framework(framework_id).id] if framework_id else sorted(self.frameworks)
        rows = {f: [r for r in self.mapping.passage_rows(f) if self.readable(r["access"])] for f in ids}
        preceding = self.catalog.preceding_texts(sorted({r["passage_id"] for found in rows.values() for r in found}))
        return mapping_records(rows, {f: self.mapping.statements_of(f) for f in ids}, preceding)

    def corrector_name(self) -> str:
        """Who files a correction when no name is given: the viewer, else the OS user."""
        return self.viewer.name if self.viewer else process_actor().name.split(" (OS user)")[0]

    def correct_mapping(self, passage_id: str, framework_id: str, statements: list[str], category: str | None = None,
                        by: str = "", note: str = "", lock: AbstractContextManager | None = None):
        """A readiness lead files a passage under these statements (none: it evidences none). Kept in the
        corrections file (frameworks/corrections.py), applied at once and after every later ingest or refit."""
        from datetime import datetime

        from evidence_bot.evidence.frameworks.corrections import (
            Correction,
            append_correction,
            locate,
            read_corrections,
            span_of,
        )

        framework = self.framework(framework_id)
        statements = [s.removeprefix(f"{framework.id}/") for s in statements]  # as `map` prints them, or bare
        found = self.catalog.passages([passage_id])
        if passage_id not in found or not self.readable(found[passage_id][1].access):
            raise NotFoundError(f"no passage '{passage_id}'")
        passage, meta = found[passage_id]
        unknown = [s for s in statements if s not in {st.id for st in framework.statements}]
        if unknown:
            raise EvidenceBotError(f"statements: {', '.join(unknown)} not in {framework.id}")
        if category is not None and category not in {c.id for c in framework.categories}:
            raise EvidenceBotError(f"category: '{category}' not in {framework.id}")
        document = self.catalog.document(passage.doc_id)["path"]
        correction = Correction(document, span_of(passage.text), framework.id, tuple(statements), category,
                                by or self.corrector_name(),
                                datetime.now(UTC).isoformat(timespec="seconds"), note)
        if locate(self.catalog, correction) != passage_id:  # the opening words recur: name it by all its words
            correction = replace(correction, span=passage.text)
        if locate(self.catalog, correction) != passage_id:
            raise EvidenceBotError(f"passage '{passage_id}': its document holds the same text more than once, so a "
                                   f"correction could not find it again; correct the document instead")
        with IndexLock(self.settings.index_dir):
            read_corrections(self.settings.corrections_path)  # a malformed file is refused before it grows
            append_correction(self.settings.corrections_path, correction)
            self.refresh_mapping(lock)
        return correction

    def claims(self):
        """The self-assessments' checkable claims, each tested against the other documents (claims.py)."""
        from evidence_bot.evidence.claims import ClaimChecker

        self.require_documents()
        return ClaimChecker(self).check()

    def brief(self, topic: str, filters: Filters | None = None):
        """A councillor's briefing on a topic (briefing.py)."""
        from evidence_bot.evidence.briefing import BriefingWriter

        if not (topic or "").strip():
            raise EvidenceBotError("the topic is empty")
        return BriefingWriter(self).brief(topic, filters)

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

    def ingest(self, paths: list[Path], overrides: DocumentMeta | None = None, prune: bool = False,
               progress: bool = False, actor: Viewer | None = None,
               overrides_from: str = "--access on the command line", lock: AbstractContextManager | None = None,
               staged: dict[Path, Path] | None = None) -> IngestReport:
        """One ingest at a time per index: another one running raises IndexBusyError before anything is written.
        Each access change is audited under actor (default: the viewer this bot serves, else the OS user) as it
        is applied, not after the run: a crash or Ctrl-C later in the run cannot lose its event.
        lock: the server's reader lock, held only for each store read and write (see ingestor); staged: Ingestor."""
        _ = self.mapping_model  # loaded now: a broken mapping model file is refused before anything is written
        with IndexLock(self.settings.index_dir):
            auditor = self.access_auditor(actor or self.viewer or process_actor())
            report = self.ingestor(lock, staged, auditor).run(paths, overrides, prune, progress, overrides_from)
            report.warnings += self.refresh_mapping(lock).unplaced
        return report

    def ingestor(self, lock: AbstractContextManager | None = None, staged: dict[Path, Path] | None = None,
                 on_access_change: Callable[[AccessChange], None] | None = None) -> Ingestor:
        """With a lock, the ingest sees the catalog and vector stores through it (locked.py): readers wait only for
        its short reads and writes, never for loading, chunking or embedding."""
        stores = [self.catalog, self.vectors, self.unit_vectors]
        if lock is not None:
            stores = [Locked(store, lock) for store in stores]
        limits = ChunkLimits(self.settings.max_tokens, self.settings.max_context_tokens, self.settings.target_tokens)
        return Ingestor(*stores, self.embedder, TokenCounter(self.settings.model_path), limits, staged,
                        on_access_change, ocr=self.settings.ocr, pdf_tables=self.settings.pdf_tables)

    def access_auditor(self, actor: Viewer) -> Callable[[AccessChange], None]:
        """Writes one access change to the audit log (committed at once), before the ingest applies it."""
        def record(change: AccessChange) -> None:
            log = AuditLog(self.settings.audit_path, self.settings.audit_retention_days, purge_on_open=False)
            try:
                log.record(actor, "access", f"{change.path} ({change.doc_id}): {change.before} -> {change.after}, "
                                            f"declared in {change.declared_in}")
            finally:
                log.close()
        return record

    @cached_property
    def uploads(self) -> UploadFolder:
        return UploadFolder(self.settings.uploads_dir, self.settings.max_upload_bytes)

    def upload(self, stream: BinaryIO, sent_name: str, meta: DocumentMeta, actor: Viewer | None = None,
               lock: AbstractContextManager | None = None) -> tuple[str, SavedUpload, IngestReport]:
        """Keep a sent file in the uploads folder and ingest it: (its doc_id, where it went, the ingest report).

        The bytes are staged beside their target and ingested under its name; they move into place only once the
        catalog holds them (recovery.settle_upload, also run when the index next opens after a crash), so the
        file always matches the catalog, and a refused upload changes nothing. lock: see ingest."""
        with lock or nullcontext():
            recover(self.catalog, self.vectors, self.unit_vectors, self.uploads)  # a crashed upload's leftovers
        saved = self.uploads.stage(stream, sent_name)
        try:
            report = self.ingest([saved.path], meta, actor=actor, overrides_from="the upload form", lock=lock,
                                 staged={saved.path: saved.staged})
        finally:
            with lock or nullcontext():
                settle_upload(self.catalog, saved.staged, saved.path)
        report.warnings = [saved.for_sender(w) for w in report.warnings]  # no server paths in what is sent back
        if report.failed:
            raise UploadError("; ".join(saved.for_sender(f) for f in report.failed))
        return document_id(saved.path), saved, report

    def remove_document(self, key: str) -> str:
        """Take a document (id or path) out of the index: catalog, both vector stores, its mapping; an uploaded
        file goes too. A file in a council's own folder stays, so ingesting that folder again brings it back."""
        row = self.document(key)
        with IndexLock(self.settings.index_dir):  # a delete is a write: never interleaved with an ingest
            Ingestor.remove_from(self.catalog, self.vectors, self.unit_vectors, row["doc_id"])
        self.uploads.discard(row["path"])
        return row["path"]

    def check(self) -> tuple[list[str], IndexCheck]:
        """Open the index as a query would (recovering an interrupted ingest), then check that its stores agree."""
        recovered = recover(self.catalog, self.vectors, self.unit_vectors, self.uploads)
        return recovered, check_index(self.catalog, self.vectors, self.unit_vectors, self.uploads)

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
        earlier = [redacted(h) for h in self.checked_history(history)]  # never sent on to a model
        if self.screened(question):
            return redacted(question)
        query = resolve_followup(question, earlier, self.settings.max_query_chars)
        if self.settings.answerer == "llm" and query != question:  # a follow-up: the model rewrites it for retrieval
            rewritten = self.generative.standalone(question, earlier, query)
            query = rewritten if len(rewritten) <= self.settings.max_query_chars else query
        return query

    def checked_history(self, history: list[str] | None) -> list[str]:
        """The earlier questions a follow-up may lean on: each bounded like a question (longer is an error), and only
        the most recent Settings.max_history_questions kept (a long conversation is not an error)."""
        earlier = [h.strip() for h in (history or []) if h and h.strip()]
        limit = self.settings.max_question_chars
        if any(len(h) > limit for h in earlier):
            raise EvidenceBotError(f"an earlier question in the history is longer than {limit} characters")
        keep = self.settings.max_history_questions
        return earlier[-keep:] if keep else []

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
        history = [redacted(h) for h in history or []]  # what is logged never holds personal data
        screened = self.screened(question)
        if screened:
            return Prepared(redacted(question), redacted(question), [], [], screened, history)
        self.require_documents()
        filters = self.scoped(filters)
        reading = max(self.settings.top_k, read_depth(question))
        with stage("retrieve"):
            ranked = self.retriever.search(query, filters, max(depth or 0, reading))
        hits = ranked[:self.settings.top_k]
        with stage("answer"):
            extractive = (self.answerer.answer(question, query, ranked[:reading], filters.access)
                          if hits else Answer(ABSTENTION, True, [], 0.0, query))
        return Prepared(question, query, ranked, hits, extractive, history)

    @staticmethod
    def screened(question: str) -> Answer | None:
        """The reply to a message that must not be searched: personal data (refused, and logged redacted) or one
        that is not a question about the evidence (a greeting, thanks, about the assistant, write my speech)."""
        kinds = personal_data_kinds(question)
        if kinds:
            return Answer(refusal(kinds), True, [], 0.0, "", note="personal data: refused before retrieval")
        reply = fixed_reply(question)
        if reply:
            return Answer(reply, True, [], 0.0, "", note="not a question about the evidence: nothing was searched")
        return None

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
        """By id, unique id prefix or path, among the documents this viewer may read: one they may not read gives
        the same answer as a missing one, and never makes a prefix ambiguous."""
        row = self.catalog.find_document(key, self.viewer.levels() if self.viewer else None)
        if row is None or not self.readable(row["access"]):
            raise NotFoundError(f"no document '{key}' in the index (see `evidence-bot docs list`)")
        return row

    def close(self) -> None:
        self.catalog.close()
