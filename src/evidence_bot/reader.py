"""The read side for one viewer: questions answered with cited passages, on top of the readiness views and the
viewer's scope. Everything loaded comes from the one EvidenceBot it shares (service.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from evidence_bot.answer import ABSTENTION, pieces, resolve_followup
from evidence_bot.answer.fixed_replies import fixed_reply
from evidence_bot.answer.reading import read_depth
from evidence_bot.errors import EvidenceBotError
from evidence_bot.evidence.views import EvidenceViews
from evidence_bot.governance.personal_data import personal_data_kinds, redacted, refusal
from evidence_bot.models import Answer, Filters, SearchHit
from evidence_bot.stages import stage


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


class Reader(EvidenceViews):
    """Questions answered with cited passages, for one viewer; their scope, search, documents and passages come
    from Scope (scope.py), the readiness views from EvidenceViews (evidence/views.py)."""

    def ask(self, question: str, history: list[str] | None = None, filters: Filters | None = None) -> Answer:
        return self.ask_traced(question, history, filters)[0]

    def ask_traced(self, question: str, history: list[str] | None = None, filters: Filters | None = None,
                   depth: int | None = None) -> tuple[Answer, list[SearchHit]]:
        """The answer and the ranked passages it was drawn from (depth of them, for evaluation)."""
        prepared = self.prepare(question, self.query_for(question, history), filters, depth, history)
        *_, (_, answer) = self.respond(prepared)
        assert isinstance(answer, Answer)  # respond's last event is always the answer
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
            rewritten = self.bot.generative.standalone(question, earlier, query)
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
        reading = max(self.settings.top_k, read_depth(question, query))
        with stage("retrieve"):
            ranked = self.bot.retriever.search(query, filters, max(depth or 0, reading))
        hits = ranked[:self.settings.top_k]
        with stage("answer"):
            extractive = (self.bot.answerer.answer(question, query, ranked[:reading], filters.access)
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
            yield from self.bot.generative.stream(prepared.question, prepared.query, prepared.hits, prepared.extractive)
            return
        yield "citations", prepared.extractive.citations
        for piece in pieces(prepared.extractive.answer):
            yield "delta", piece
        yield "answer", prepared.extractive
