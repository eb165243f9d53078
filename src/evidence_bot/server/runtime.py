"""What one server process holds: the bot (one model, one store), the answer log, and the lock around them."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from evidence_bot.governance.access import LOCAL, TokenStore, Viewer
from evidence_bot.governance.audit import AuditLog
from evidence_bot.governance.feedback import FeedbackStore, new_id
from evidence_bot.models import Answer, DocumentMeta, Filters
from evidence_bot.reader import Prepared
from evidence_bot.server.rate_limit import RateLimit
from evidence_bot.service import EvidenceBot


@dataclass
class Reply:
    answer: Answer
    conversation_id: str
    answer_id: str

    def to_dict(self) -> dict:
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
        return reply

    def prepare(self, question: str, history: list[str], filters: Filters, viewer: Viewer = LOCAL) -> Prepared:
        """Retrieval under the lock; a model rewriting a follow-up is waited for outside it. Raises before any
        event is sent, so a bad question is an HTTP error, not a broken stream."""
        bot = self.bot.for_viewer(viewer)
        history = bot.checked_history(history)  # bounded before it is searched or stored in the answer log
        query = bot.query_for(question, history)
        with self.lock:
            return bot.prepare(question, query, filters, history=history)

    def respond(self, prepared: Prepared, conversation_id: str | None, viewer: Viewer = LOCAL) -> Iterator[tuple]:
        """The answer's events (EvidenceBot.respond), then ("done", Reply) once it is recorded. Runs outside the
        lock: in the llm mode most of its time is spent waiting on the model. The audit log gets every passage
        whose text was sent, even when the client leaves mid-stream."""
        answer, sent = None, {}
        try:
            for kind, value in self.bot.for_viewer(viewer).respond(prepared):
                if kind == "answer":
                    answer = value
                    continue
                if kind == "citations":
                    sent.update(dict.fromkeys(c.passage_id for c in value))
                yield kind, value
        finally:
            self.audit.record(viewer, "ask" if answer else "ask (left before the answer was finished)",
                              prepared.question, list(sent))
        conversation_id = conversation_id or new_id()
        answer_id = self.feedback.record_answer(conversation_id, prepared.question, prepared.history, answer)
        yield "done", Reply(answer, conversation_id, answer_id)

    def call(self, method, *args, **kwargs):
        """Any other read of the bot, under the same lock."""
        with self.lock:
            return method(*args, **kwargs)

    def upload(self, bot: EvidenceBot, stream: BinaryIO, sent_name: str, meta: DocumentMeta):
        """An upload, loaded, chunked and embedded outside the readers' lock; only its catalog and vector reads
        and writes take it (EvidenceBot.upload). Two uploads never interleave: they queue on upload_lock."""
        with self.upload_lock:
            return bot.upload(stream, sent_name, meta, lock=self.lock)

    def remove(self, bot: EvidenceBot, key: str) -> str:
        """A delete queues behind any upload in flight (else the upload would bring the document back), then
        takes the readers' lock for its writes."""
        with self.upload_lock, self.lock:
            return bot.remove_document(key)

    def correct_mapping(self, bot: EvidenceBot, *args, **kwargs):
        """A mapping correction rewrites assignments: it queues behind uploads; readers wait only for its store
        reads and writes, not for embedding the statements (as an upload)."""
        with self.upload_lock:
            return bot.correct_mapping(*args, **kwargs, lock=self.lock)

    def authentication_on(self) -> bool:
        """On from the first token ever issued, for good (TokenStore.ever_issued), or when settings require it."""
        return self.bot.settings.require_authentication or self.tokens.ever_issued()

    def warm_up(self) -> None:
        """Load the model before the first request instead of during it."""
        with self.lock:
            self.bot.embedder.embed_query("warm up")
