"""What one server process holds: the bot (one model, one store), the answer log, and the lock around them."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, ParamSpec, TypeVar, cast

from evidence_bot.governance.access import LOCAL, TokenStore, Viewer
from evidence_bot.governance.audit import AuditLog
from evidence_bot.governance.feedback import FeedbackStore, new_id
from evidence_bot.ingest.report import IngestReport
from evidence_bot.ingest.uploads import SavedUpload
from evidence_bot.models import Answer, Citation, DocumentMeta, Filters
from evidence_bot.reader import Prepared
from evidence_bot.server.rate_limit import RateLimit
from evidence_bot.service import EvidenceBot

if TYPE_CHECKING:
    from evidence_bot.evidence.frameworks.corrections import Correction

P = ParamSpec("P")
T = TypeVar("T")
# As Reader.respond's: (kind, value), the value's type depending on the kind; Runtime.respond ends with ("done", Reply).
Event = tuple[str, object]


@dataclass
class Reply:
    answer: Answer
    conversation_id: str
    answer_id: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.answer.to_dict(), "conversation_id": self.conversation_id, "answer_id": self.answer_id}


@dataclass
class Runtime:
    bot: EvidenceBot
    feedback: FeedbackStore
    tokens: TokenStore
    rate_limit: RateLimit
    audit: AuditLog
    # The catalog's SQLite connection and the model are shared by the worker threads; on two cores running
    # queries one at a time costs little throughput and rules out interleaved cursors (docs/service.md).
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Uploads one at a time, by their own lock: readers wait only for an upload's short store writes (upload).
    upload_lock: threading.Lock = field(default_factory=threading.Lock)

    def ask(self, question: str, history: list[str], filters: Filters, conversation_id: str | None,
            viewer: Viewer = LOCAL) -> Reply:
        prepared = self.prepare(question, history, filters, viewer)
        *_, (_, reply) = self.respond(prepared, conversation_id, viewer)
        return cast(Reply, reply)  # respond's last event is ("done", Reply)

    def prepare(self, question: str, history: list[str], filters: Filters, viewer: Viewer = LOCAL) -> Prepared:
        """Retrieval under the lock; a model rewriting a follow-up is waited for outside it. Raises before any
        event is sent, so a bad question is an HTTP error, not a broken stream."""
        bot = self.bot.reader(viewer)
        history = bot.checked_history(history)  # bounded before it is searched or stored in the answer log
        query = bot.query_for(question, history)
        with self.lock:
            return bot.prepare(question, query, filters, history=history)

    def respond(self, prepared: Prepared, conversation_id: str | None, viewer: Viewer = LOCAL) -> Iterator[Event]:
        """The answer's events (Reader.respond), then ("done", Reply) once it is recorded. Runs outside the
        lock: in the llm mode most of its time is spent waiting on the model. The audit log gets every passage
        whose text was sent, even when the client leaves mid-stream."""
        answer: Answer | None = None
        sent: dict[str, None] = {}
        try:
            for kind, value in self.bot.reader(viewer).respond(prepared):
                if kind == "answer":
                    answer = cast(Answer, value)  # ("answer", Answer): Reader.respond's last event
                    continue
                if kind == "citations":
                    sent.update(dict.fromkeys(c.passage_id for c in cast(list[Citation], value)))
                yield kind, value
        finally:
            self.audit.record(viewer, "ask" if answer else "ask (left before the answer was finished)",
                              prepared.question, list(sent))
        assert answer is not None  # Reader.respond always ends with ("answer", Answer)
        conversation_id = conversation_id or new_id()
        answer_id = self.feedback.record_answer(conversation_id, prepared.question, prepared.history, answer)
        yield "done", Reply(answer, conversation_id, answer_id)

    def call(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Any other read of the bot, under the same lock."""
        with self.lock:
            return method(*args, **kwargs)

    def upload(self, viewer: Viewer, stream: BinaryIO, sent_name: str, meta: DocumentMeta
               ) -> tuple[str, SavedUpload, IngestReport]:
        """An upload, loaded, chunked and embedded outside the readers' lock; only its catalog and vector reads
        and writes take it (Library.upload). Two uploads never interleave: they queue on upload_lock."""
        with self.upload_lock:
            return self.bot.library(viewer).upload(stream, sent_name, meta, lock=self.lock)

    def remove(self, viewer: Viewer, key: str) -> str:
        """A delete queues behind any upload in flight (else the upload would bring the document back), then
        takes the readers' lock for its writes."""
        with self.upload_lock, self.lock:
            return self.bot.library(viewer).remove_document(key)

    def correct_mapping(self, viewer: Viewer, passage_id: str, framework_id: str, statements: list[str],
                        category: str | None = None, by: str = "", note: str = "") -> "Correction":
        """A mapping correction rewrites assignments: it queues behind uploads; readers wait only for its store
        reads and writes, not for embedding the statements (as an upload)."""
        with self.upload_lock:
            return self.bot.library(viewer).correct_mapping(passage_id, framework_id, statements, category, by, note,
                                                            lock=self.lock)

    def authentication_on(self) -> bool:
        """On from the first token ever issued, for good (TokenStore.ever_issued), or when settings require it."""
        return self.bot.settings.require_authentication or self.tokens.ever_issued()

    def warm_up(self) -> None:
        """Load everything a request reads before the first request instead of during it (EvidenceBot.load)."""
        with self.lock:
            self.bot.load()
            self.bot.embedder.embed_query("warm up")
