"""The app factory: `evidence-bot serve`, uvicorn in production and the tests all build the app here."""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from evidence_bot import __version__
from evidence_bot.config import Settings
from evidence_bot.errors import EmptyIndexError, EvidenceBotError, NotFoundError
from evidence_bot.governance.access import TokenStore
from evidence_bot.governance.audit import AuditLog
from evidence_bot.governance.feedback import FeedbackStore
from evidence_bot.ingest.uploads import UploadError
from evidence_bot.server import health, openai_compat, page
from evidence_bot.server.rate_limit import RateLimit
from evidence_bot.server.routes import ROUTERS
from evidence_bot.server.runtime import Runtime
from evidence_bot.service import EvidenceBot
from evidence_bot.store.index_lock import IndexBusyError

MAX_BODY_BYTES = 256 * 1024  # a question, its history and filters; anything bigger is refused with 413

DESCRIPTION = """Answers questions over council inspection evidence with numbered, cited passages,
or says plainly that the evidence does not answer them. `/api/*` is the service's own API (the chat page
uses it); `/v1/*` speaks the OpenAI chat-completions protocol."""


def create_app(settings: Settings | None = None, bot: EvidenceBot | None = None) -> FastAPI:
    """One bot (one model load, one store) per app. Pass `bot` to share an already loaded one."""
    bot = bot or EvidenceBot(settings)
    runtime = Runtime(bot, FeedbackStore(bot.settings.feedback_path), TokenStore(bot.settings.access_path),
                      RateLimit(bot.settings.rate_limit),
                      AuditLog(bot.settings.audit_path, bot.settings.audit_retention_days))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.warm_up()
        yield
        # The SQLite stores stay open: every write is committed when made, and an app whose lifespan runs
        # twice (test harnesses, some servers) must not find them closed. They close with the process.

    app = FastAPI(title="evidence_bot", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  max_body_size=MAX_BODY_BYTES)
    app.state.runtime = runtime
    app.add_middleware(HeaderLimit, max_bytes=bot.settings.max_header_bytes)
    add_error_handlers(app)
    for router in [*ROUTERS, openai_compat.router, health.router, page.router]:
        app.include_router(router)
    page.mount_assets(app, bot.settings)
    return app


class HeaderLimit:
    """431 for a request whose head is over max_bytes, before any route or authentication reads it (a 50 MB token
    would otherwise be decoded and hashed). The server has read the head by then: what stops a huge one being read
    at all is the server's own bound (`serve` runs h11 with it; docs/deployment.md gives the uvicorn flags)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and head_bytes(scope) > self.max_bytes:
            message = f"the request's headers are over {self.max_bytes} bytes"
            await error(Request(scope), 431, message)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def head_bytes(scope: Scope) -> int:
    """The request line and headers, about as the client sent them."""
    line = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b"")) + 16
    return line + sum(len(name) + len(value) + 4 for name, value in scope["headers"])


INDEX_BUSY = "another ingest is writing to the index; try again when it has finished"
INDEX_BUSY_RETRY_SECONDS = 30  # a CLI ingest of a folder takes minutes; a client retrying sooner only spins


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UploadError, lambda request, exc: error(request, exc.status, str(exc)))
    # Not the lock's own message: it names the server's index path, which is no client's business.
    app.add_exception_handler(IndexBusyError, lambda request, exc: error(
        request, 409, INDEX_BUSY, headers={"Retry-After": str(INDEX_BUSY_RETRY_SECONDS)}))
    statuses = ((EmptyIndexError, 503), (NotFoundError, 404), (EvidenceBotError, 422))
    for error_class, status in statuses:
        app.add_exception_handler(error_class, lambda request, exc, status=status: error(request, status, str(exc)))
    app.add_exception_handler(RequestValidationError, lambda request, exc: error(
        request, 422, readable(exc), exc.errors()))
    app.add_exception_handler(StarletteHTTPException, lambda request, exc: error(
        request, exc.status_code, str(exc.detail), headers=exc.headers))


def readable(exc: RequestValidationError) -> str:
    """'body.question: String should have at least 1 character' and so on, one clause per problem."""
    parts: list[str] = []
    for problem in exc.errors():
        where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        parts.append(f"{where}: {problem.get('msg')}" if where else str(problem.get("msg")))
    return "; ".join(parts)


def error(request: Request, status: int, message: str, errors: Sequence[Mapping[str, Any]] | None = None,
          headers: Mapping[str, str] | None = None) -> JSONResponse:
    """OpenAI's error shape under /v1 (its clients read it); {"detail": message} elsewhere."""
    if request.url.path.startswith("/v1/"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status, headers=headers)
    body: dict[str, object] = {"detail": message}
    if errors:
        body["errors"] = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in errors]
    return JSONResponse(body, status, headers=headers)
