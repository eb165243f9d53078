"""/api/chat and /api/chat/stream: a question answered with cited passages, whole or as server-sent events."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any, cast

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, format_sse_event

from evidence_bot.models import Citation
from evidence_bot.server import examples
from evidence_bot.server.dependencies import Me, Run, current_viewer
from evidence_bot.server.examples import documented
from evidence_bot.server.runtime import Event, Reply
from evidence_bot.server.schemas import ChatRequest, ChatResponse

router = APIRouter(prefix="/api", tags=["evidence"], dependencies=[Depends(current_viewer)])


@router.post("/chat", response_model=ChatResponse, summary="Answer a question with cited passages",
             responses={code: examples.ERRORS[code] for code in (413, 422, 503)})
def chat(body: ChatRequest, rt: Run, viewer: Me) -> dict[str, Any]:
    """The answer JSON of `evidence-bot ask --json`, plus `conversation_id` and `answer_id`.

    When the evidence does not answer the question, `abstained` is true and `citations` is empty."""
    history = body.earlier_questions(rt.bot.settings.max_question_chars)
    return rt.ask(body.question, history, body.filters.to_filters(), body.conversation_id, viewer).to_dict()


@router.post("/chat/stream", summary="Answer as server-sent events", responses=documented(
    example=examples.STREAM, media="text/event-stream", errors=(413, 422, 503),
    description="`citations` (a JSON list), then `delta` ({\"text\"}) pieces of the answer in order, "
                "then `done` (the whole /api/chat JSON). In the llm mode `citations` lists every passage given "
                "to the model, each `delta` is one sentence once it has been verified, and a `reset` "
                "({\"note\"}) means: discard what was shown, the extractive answer follows with its own "
                "`citations`."))
async def chat_stream(body: ChatRequest, rt: Run, viewer: Me) -> EventSourceResponse:
    history = body.earlier_questions(rt.bot.settings.max_question_chars)
    prepared = await run_in_threadpool(rt.prepare, body.question, history,
                                       body.filters.to_filters(), viewer)
    return EventSourceResponse(chat_events(rt.respond(prepared, body.conversation_id, viewer)))


def chat_events(events: Iterable[Event]) -> Iterator[bytes]:
    """Runs in the thread pool, one event at a time, while the model streams (Starlette iterates a plain
    generator off the event loop)."""
    for kind, value in events:
        if kind == "citations":
            yield event("citations", [asdict(c) for c in cast(list[Citation], value)])
        elif kind == "delta":
            yield event("delta", {"text": value})
        elif kind == "reset":
            yield event("reset", {"note": value})
        elif kind == "done":
            yield event("done", cast(Reply, value).to_dict())


def event(name: str, data: object) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))
