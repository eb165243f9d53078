"""Liveness and readiness, for a load balancer or an orchestrator."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from evidence_bot.server import examples
from evidence_bot.server.dependencies import Run, tokenless_refusal
from evidence_bot.server.examples import documented

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up", responses=documented(example={"status": "ok"}))
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz", summary="Index opened, model loaded, documents to answer from",
            responses=documented(example=examples.READY) | {503: {"description": "Not ready: no documents yet"}})
def readyz(request: Request, rt: Run) -> JSONResponse:
    documents = rt.call(rt.bot.catalog.count_documents)
    model_loaded = rt.bot.embedder.loaded
    ready = model_loaded and documents > 0
    authentication = rt.authentication_on()
    body: dict[str, object] = {"status": "ready" if ready else "not ready", "model_loaded": model_loaded,
                               "authentication": authentication}
    # Counts and the index's path only to the user a tokenless service answers, never to whoever asks.
    if not authentication and tokenless_refusal(request, rt.bot.settings) is None:
        body |= {"documents": documents, "index": str(rt.bot.settings.index_dir)}
    if documents == 0:
        body["detail"] = "no documents have been ingested yet"
    return JSONResponse(body, 200 if ready else 503)
