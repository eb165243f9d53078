"""FastAPI dependencies, declared once as Annotated aliases: the runtime, the viewer, the viewer's bot."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from evidence_bot.access import LOCAL, Viewer
from evidence_bot.server.guard import local_and_unproxied
from evidence_bot.server.runtime import Runtime
from evidence_bot.service import EvidenceBot

UNAUTHORISED = "a valid API token is needed: send the header 'Authorization: Bearer <token>'"
NO_TOKENS_YET = ("no API tokens have been issued, so this service answers only requests from its own machine "
                 "(loopback, with no proxy in between). An administrator issues one with `evidence-bot tokens "
                 "create --name NAME --role admin` (docs/deployment.md); then send 'Authorization: Bearer <token>'")


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


Run = Annotated[Runtime, Depends(runtime)]


def current_viewer(request: Request, rt: Run) -> Viewer:
    """With no tokens ever issued, authentication is off and only the machine itself is answered (local_user).
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
        if local_user(request, rt):
            return LOCAL
        raise HTTPException(403, NO_TOKENS_YET)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    viewer = rt.tokens.viewer(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if viewer is None:
        raise HTTPException(401, UNAUTHORISED, headers={"WWW-Authenticate": "Bearer"})
    return viewer


def local_user(request: Request, rt: Runtime) -> bool:
    """No authentication, and a request this app may answer without it: from its own machine with no proxy in
    between (guard.py), or from anywhere when EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS says so. The one
    check for every way of starting the service, made on each request."""
    if rt.authentication_on():
        return False
    return rt.bot.settings.allow_unauthenticated_network_access or local_and_unproxied(request)


Me = Annotated[Viewer, Depends(current_viewer)]


def viewer_bot(rt: Run, viewer: Me) -> EvidenceBot:
    return rt.bot.for_viewer(viewer)


Bot = Annotated[EvidenceBot, Depends(viewer_bot)]


def admin(viewer: Me) -> Viewer:
    if not viewer.is_admin:
        raise HTTPException(403, "this needs an admin token")
    return viewer


Admin = Annotated[Viewer, Depends(admin)]
