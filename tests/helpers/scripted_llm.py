"""A small OpenAI-compatible chat server on loopback that plays scripted replies, for the llm mode's tests.

Each reply is a function of the request's messages (so a script can cite the passage that holds a phrase,
whatever order retrieval put it in), or a fault: a delay past the client's timeout, a 500, or a body that
is not JSON. LangChain's real OpenAI client talks to it over HTTP."""

import asyncio
import json
import re
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse


def passage_number(messages: list[dict], phrase: str) -> int:
    """The number of the passage (as the prompt numbered them) that contains the phrase."""
    prompt = messages[-1]["content"]
    for number, text in re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S):
        if phrase in text:
            return int(number)
    raise AssertionError(f"no passage holds {phrase!r}")


def completion(content: str) -> dict:
    return {"id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()), "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def chunk_event(content: str) -> str:
    body = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": "scripted", "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}
    return f"data: {json.dumps(body)}\n\n"


def streamed(content: str, ending: str = "stop"):
    """The content as chat.completion.chunk events a few words at a time, as a model sends it. ending "stop"
    finishes properly; "malformed" sends half of it, then an event that is not JSON; "cut" sends half of it
    and drops the connection."""
    words = re.findall(r"\S+\s*", content)
    if ending != "stop":
        words = words[:len(words) // 2]

    async def events():
        for start in range(0, len(words), 3):
            yield chunk_event("".join(words[start:start + 3]))
            await asyncio.sleep(0.01)
        if ending == "malformed":
            yield 'data: {"id": "chatcmpl-scripted", "choices": [{"delta": {"content": "oops\n\n'
            return
        if ending == "cut":
            raise ConnectionError("scripted: the connection drops mid-answer")
        yield chunk_event("").replace('"finish_reason": null', '"finish_reason": "stop"')
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


def gated(before: str, after: str, gate, opened: list):
    """Streams `before`, waits until the test opens the gate (a threading.Event; at most 20 s), records whether
    it was opened, then streams `after`: proof that what came before reached the client while the model was
    still writing."""
    async def events():
        yield chunk_event(before)
        for _ in range(2000):
            if gate.is_set():
                break
            await asyncio.sleep(0.01)
        opened.append(gate.is_set())
        yield chunk_event(after)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


def scripted_app(script: list):
    """script: a list the test appends to; each request takes the first entry: a callable(messages) -> str,
    or ("delay", seconds), ("status", code), ("garbage", text), ("malformed", callable), ("cut", callable) or
    ("gated", callable -> (before, after), threading.Event).
    A request with stream=true is answered as chat.completion.chunk events."""
    app = FastAPI()
    app.state.requests = []
    app.state.gates_opened = []

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        app.state.requests.append(body)
        step = script.pop(0)
        if isinstance(step, tuple) and step[0] == "delay":
            await asyncio.sleep(step[1])
            return completion("Too late.")
        if isinstance(step, tuple) and step[0] == "status":
            return JSONResponse({"error": {"message": "scripted failure"}}, step[1])
        if isinstance(step, tuple) and step[0] == "garbage":
            return PlainTextResponse(step[1])
        if isinstance(step, tuple) and step[0] == "gated":  # ("gated", callable -> (before, after), threading.Event)
            return gated(*step[1](body["messages"]), step[2], app.state.gates_opened)
        if isinstance(step, tuple):  # ("malformed" | "cut", callable): a stream that breaks halfway
            return streamed(step[1](body["messages"]), ending=step[0])
        content = step(body["messages"])
        return streamed(content) if body.get("stream") else completion(content)

    return app
