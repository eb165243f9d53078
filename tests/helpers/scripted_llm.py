"""A small OpenAI-compatible chat server on loopback that plays scripted replies, for the llm mode's tests.

Each reply is a function of the request's messages (so a script can cite the passage that holds a phrase,
whatever order retrieval put it in), or a fault: a delay past the client's timeout, a 500, or a body that
is not JSON. LangChain's real OpenAI client talks to it over HTTP."""

import asyncio
import re
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse


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


def scripted_app(script: list):
    """script: a list the test appends to; each request takes the first entry: a callable(messages) -> str,
    or ("delay", seconds), ("status", code), ("garbage", text)."""
    app = FastAPI()
    app.state.requests = []

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
        return completion(step(body["messages"]))

    return app
