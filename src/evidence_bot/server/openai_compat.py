"""OpenAI-compatible chat completions, so any client of that protocol can use evidence_bot as a model.

The last user message is the question and earlier user messages its history.
The answer text keeps its [n] markers and ends with a plain "Sources" list
(chat front ends show only the text); the structured citations travel in the
extra top-level field `citations`, and `evidence_bot` carries abstained,
partial, answer_id, conversation_id and confidence (docs/service.md)."""

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any, cast

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, format_sse_event

from evidence_bot.governance.feedback import new_id
from evidence_bot.models import Citation
from evidence_bot.server import examples
from evidence_bot.server.dependencies import Me, Run, current_viewer
from evidence_bot.server.examples import documented
from evidence_bot.server.runtime import Event, Reply
from evidence_bot.server.schemas import OpenAIChatRequest, too_long

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(current_viewer)])


@router.get("/models", summary="The one model this service answers as", responses=documented(example=examples.MODELS))
def models(rt: Run) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": rt.bot.settings.model_name, "object": "model", "created": 0,
                                        "owned_by": "evidence_bot"}]}


# response_model=None: FastAPI cannot make a response model of the return annotation (a dict or a stream), and
# without one the OpenAPI schema is the same as with no annotation.
@router.post("/chat/completions", summary="Chat completion (streaming or not) answered from the evidence",
             response_model=None, responses=documented(example=examples.COMPLETION, errors=(404, 413, 422, 503),
                                  description="A chat.completion, or with stream=true chat.completion.chunk events"))
async def chat_completions(body: OpenAIChatRequest, rt: Run, viewer: Me) -> EventSourceResponse | dict[str, Any]:
    if body.model != rt.bot.settings.model_name:
        raise HTTPException(404, f"The model '{body.model}' does not exist; this service is "
                                 f"'{rt.bot.settings.model_name}' (GET /v1/models)")
    question, history = split_messages(body, rt.bot.settings.max_question_chars)
    if body.stream:
        prepared = await run_in_threadpool(rt.prepare, question, history, body.filters.to_filters(), viewer)
        return EventSourceResponse(completion_chunks(rt.respond(prepared, None, viewer), body.model))
    reply = await run_in_threadpool(rt.ask, question, history, body.filters.to_filters(), None, viewer)
    return completion(reply, body.model)


def split_messages(body: OpenAIChatRequest, max_chars: int) -> tuple[str, list[str]]:
    """The question (the last message) and the earlier user messages; one of those longer than a question may be
    is a 422 naming it (messages.N.content)."""
    users = [(n, m.text()) for n, m in enumerate(body.messages) if m.role == "user"]
    if body.messages[-1].role != "user" or not users[-1][1].strip():
        raise HTTPException(422, "the last message must be the user's question")
    for n, text in users[:-1]:
        if len(text.strip()) > max_chars:
            raise too_long(("body", "messages", n, "content"), max_chars)
    return users[-1][1], [text for _, text in users[:-1]]


def sources_text(citations: list[Citation]) -> str:
    if not citations:
        return ""
    lines = ["", "", "Sources:"]
    for c in citations:
        where = ", ".join(filter(None, [c.doc_type, c.date, f"page {c.page}" if c.page else None, c.section]))
        lines.append(f"[{c.n}] {c.title} ({where})")
    return "\n".join(lines)


def extras(reply: Reply) -> dict[str, Any]:
    full = reply.to_dict()
    return {"citations": full["citations"],
            "evidence_bot": {k: full[k] for k in ("abstained", "partial", "answer_id", "conversation_id", "confidence",
                                                  "query", "mode", "note", "removed", "removed_citations")}}


def completion(reply: Reply, model: str) -> dict[str, Any]:
    content = reply.answer.answer + sources_text(reply.answer.citations)
    return {"id": f"chatcmpl-{reply.answer_id}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}, **extras(reply)}


def completion_chunks(events: Iterable[Event], model: str) -> Iterator[bytes]:
    """chat.completion.chunk events as the answer streams (in the thread pool, one at a time). The extras
    (citations, evidence_bot) ride on the last chunk, when the answer is final. A `reset` (the llm mode fell
    back) cannot take back text already sent, so it is said in the text, and the extractive answer follows."""
    base = {"id": f"chatcmpl-{new_id()}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model}

    def chunk(delta: dict[str, object], finish: str | None = None, **extra: object) -> bytes:
        body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return format_sse_event(data_str=json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    for kind, value in events:
        if kind == "delta":
            yield chunk({"content": value})
        elif kind == "reset":
            yield chunk({"content": f"\n\nNote: {value}.\n\n"})
        elif kind == "done":
            reply = cast(Reply, value)  # ("done", Reply): Runtime.respond's last event
            if reply.answer.citations:
                yield chunk({"content": sources_text(reply.answer.citations)})
            yield chunk({}, "stop", **extras(reply))
    yield format_sse_event(data_str="[DONE]")
