"""Request and response bodies of the HTTP API, with the examples the OpenAPI page shows."""

from datetime import date
from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from evidence_bot.models import Filters

EXAMPLE_CITATION: JsonDict = {
    "n": 1, "document": "3f2a9c1d7e4b", "title": "Adult Social Care Self-Assessment 2024",
    "doc_type": "self_assessment",
    "date": "2024-09", "page": 4, "section": "Waiting lists", "text": "At the end of March 2024, 412 people were "
    "waiting for a Care Act assessment.", "score": 0.04918, "passage_id": "3f2a9c1d7e4b-0007", "url": None,
    "also_in": [], "highlights": [[0, 75]], "source": "council", "publisher": "Fernleigh Borough Council",
    "ocr": False, "ocr_confidence": None,
}


# The chat page sends the whole conversation, a question and an answer per turn: 100 questions, far more than a
# follow-up leans on (only the last Settings.max_history_questions are read); the 256 KB body limit bounds it too.
MAX_TURNS = 200


class ChatTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)


class FilterSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_type: list[str] = Field(default_factory=list, description="self_assessment, inspection_report, minutes, "
                                "action_plan, news, other")
    service: list[str] = Field(default_factory=list, examples=[["adults"]])
    publisher: list[str] = Field(default_factory=list)
    document: list[str] = Field(default_factory=list, description="Document ids or paths.")
    # default= by name: mypy reads a Field's default only from it, and would take these two as required
    date_from: date | None = Field(default=None, examples=["2024-01-01"])
    date_to: date | None = Field(default=None, examples=["2025-12-31"])

    def to_filters(self) -> Filters:
        return Filters(self.doc_type, self.service, self.publisher, self.document,
                       self.date_from.isoformat() if self.date_from else None,
                       self.date_to.isoformat() if self.date_to else None)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "What did CQC say about waiting times?", "history": [],
         "filters": {"doc_type": ["inspection_report"]}},
        {"question": "And who owns that action?", "conversation_id": "9b1c0e6a4f2d4c8e9a7b3d5f1e2c4a6b",
         "history": [{"role": "user", "content": "How many people are waiting for a DoLS assessment?"},
                     {"role": "assistant", "content": "127 people are awaiting a completed assessment. [1]"}]},
    ]})

    question: str = Field(min_length=1, description="The question, as asked.")
    history: list[ChatTurn] = Field(default_factory=list, max_length=MAX_TURNS,
                                    description="Earlier turns of the conversation, oldest first. Only the most "
                                                "recent questions are read (Settings.max_history_questions).")
    filters: FilterSpec = Field(default_factory=FilterSpec)
    conversation_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                        description="Omit to start a conversation; the reply carries one.")

    def earlier_questions(self, max_chars: int) -> list[str]:
        """The earlier questions; one longer than a question may be is a 422 naming it (history.N.content)."""
        for n, turn in enumerate(self.history):
            if turn.role == "user" and len(turn.content.strip()) > max_chars:
                raise too_long(("body", "history", n, "content"), max_chars)
        return [turn.content for turn in self.history if turn.role == "user"]


def too_long(where: tuple[str | int, ...], max_chars: int) -> RequestValidationError:
    """The error pydantic gives for a field over its max_length, for a bound that comes from Settings."""
    return RequestValidationError([{"type": "string_too_long", "loc": where,
                                    "msg": f"String should have at most {max_chars} characters"}])


class ChatResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "answer": "At the end of March 2024, 412 people were waiting for a Care Act assessment. [1]",
        "abstained": False, "citations": [EXAMPLE_CITATION], "confidence": 0.6123,
        "query": "What did CQC say about waiting times?", "partial": False,
        "conversation_id": "9b1c0e6a4f2d4c8e9a7b3d5f1e2c4a6b", "answer_id": "0d6f3c2b9e8a4b7c8d1e2f3a4b5c6d7e"}]})

    answer: str = Field(description="Quoted sentences, each ending in its citation marker [n]; or the abstention.")
    abstained: bool = Field(description="True when the evidence does not answer the question.")
    citations: list[dict[str, Any]]
    confidence: float
    query: str = Field(description="What was searched, after a follow-up was joined to its conversation.")
    mode: str = Field("extractive", description="extractive, or llm: generated and verified sentence by sentence.")
    note: str | None = Field(None, description="Why the extractive answer is shown although the llm mode is on.")
    removed: list[dict[str, Any]] = Field(default_factory=list,
                                          description="Generated sentences removed, with the reason.")
    removed_citations: list[int] = Field(default_factory=list, description="Cited passage numbers never given.")
    partial: bool = Field(False, description="True when some of what was asked was found in the evidence, not all.")
    conversation_id: str
    answer_id: str = Field(description="Quote it in POST /api/feedback.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"answer_id": "0d6f3c2b9e8a4b7c8d1e2f3a4b5c6d7e", "rating": "down", "comment": "Quoted the 2023 figure."}]})

    answer_id: str = Field(max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)


class ContentPart(BaseModel):
    """One part of a message's content; parts other than text (images...) are accepted and ignored."""
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class OpenAIMessage(BaseModel):
    role: str
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return " ".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class OpenAIChatRequest(BaseModel):
    """The OpenAI chat completions request; fields this service does not use (temperature...) are accepted."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "model": "evidence-bot", "stream": False,
        "messages": [{"role": "user", "content": "What did CQC say about waiting times?"}]}]})

    model: str
    messages: list[OpenAIMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    filters: FilterSpec = Field(default_factory=FilterSpec, description="evidence_bot extension (extra_body).")


class CorrectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage_id: str = Field(max_length=200)
    framework: str = Field("cqc-la", max_length=64)
    statements: list[str] = Field(max_length=10, description="Statement ids, best first; empty: it evidences none.",
                                  examples=[["safeguarding"]])
    category: str | None = Field(None, max_length=32, examples=["outcomes"])
    note: str = Field("", max_length=500)
