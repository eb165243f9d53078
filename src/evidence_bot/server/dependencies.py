"""FastAPI dependencies, declared once as Annotated aliases: the runtime, the viewer, the viewer's bot."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from evidence_bot.access import LOCAL, Viewer
from evidence_bot.server.runtime import Runtime
from evidence_bot.service import EvidenceBot

UNAUTHORISED = "a valid API token is needed: send the header 'Authorization: Bearer <token>'"


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


Run = Annotated[Runtime, Depends(runtime)]


def current_viewer(request: Request, rt: Run) -> Viewer:
    """With no tokens issued, authentication is off and the service listens on loopback only (cli serve).
    Each token's requests are counted against the rate limit here, once per request; the loopback-only
    mode has one local user and no limit."""
    viewer = authenticated(request, rt)
    wait = rt.rate_limit.retry_after(f"token:{viewer.token_id}") if viewer.token_id else None
    if wait is not None:
        raise HTTPException(429, f"rate limit of {rt.rate_limit.text} reached; retry in {wait} s",
                            headers={"Retry-After": str(wait)})
    return viewer


def authenticated(request: Request, rt: Runtime) -> Viewer:
    if not rt.authentication_on():
        return LOCAL
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    viewer = rt.tokens.viewer(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if viewer is None:
        raise HTTPException(401, UNAUTHORISED, headers={"WWW-Authenticate": "Bearer"})
    return viewer


Me = Annotated[Viewer, Depends(current_viewer)]


def viewer_bot(rt: Run, viewer: Me) -> EvidenceBot:
    return rt.bot.for_viewer(viewer)


Bot = Annotated[EvidenceBot, Depends(viewer_bot)]


def admin(viewer: Me) -> Viewer:
    if not viewer.is_admin:
        raise HTTPException(403, "this needs an admin token")
    return viewer


Admin = Annotated[Viewer, Depends(admin)]
