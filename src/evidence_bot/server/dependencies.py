"""FastAPI dependencies, declared once as Annotated aliases: the runtime, the viewer, the viewer's bot."""

from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from evidence_bot.config import Settings
from evidence_bot.governance.access import LOCAL, Viewer
from evidence_bot.models import Filters
from evidence_bot.reader import Reader
from evidence_bot.server.guard import local_and_unproxied, sent_by_another_site
from evidence_bot.server.runtime import Runtime

UNAUTHORISED = "a valid API token is needed: send the header 'Authorization: Bearer <token>'"
NO_TOKENS_YET = ("no API tokens have been issued, so this service answers only requests from its own machine "
                 "(loopback, with no proxy in between). An administrator issues one with `evidence-bot tokens "
                 "create --name NAME --role admin` (docs/deployment.md); then send 'Authorization: Bearer <token>'")
ANOTHER_SITE = ("refused: this request came from a page on another site ({}), and with no API tokens issued this "
                "service answers only its own pages and programs on its own machine, so that a web page cannot use "
                "it through your browser. Open the service's own page, or send the request without an Origin, "
                "Referer or Sec-Fetch-Site header naming another site (docs/deployment.md)")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime  # set by create_app
    return rt


Run = Annotated[Runtime, Depends(runtime)]


def current_viewer(request: Request, rt: Run) -> Viewer:
    """With no tokens ever issued, authentication is off and only the machine itself is answered (tokenless_refusal).
    Each token's requests are counted against the rate limit here, once per request; the loopback-only
    mode has one local user and no limit."""
    viewer = authenticated(request, rt)
    wait = rt.rate_limit.retry_after(f"token:{viewer.token_id}") if viewer.token_id else None
    if wait is not None:
        raise HTTPException(429, f"rate limit of {rt.rate_limit.text} reached; retry in {wait} s",
                            headers={"Retry-After": str(wait)})
    return viewer


def authenticated(request: Request, rt: Runtime) -> Viewer:
    if not rt.authentication_on():  # checked once per request (the dependency is cached)
        refusal = tokenless_refusal(request, rt.bot.settings)
        if refusal:
            raise HTTPException(403, refusal)
        return LOCAL
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    viewer = rt.tokens.viewer(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if viewer is None:
        raise HTTPException(401, UNAUTHORISED, headers={"WWW-Authenticate": "Bearer"})
    return viewer


def tokenless_refusal(request: Request, settings: Settings) -> str | None:
    """Why this app, with no tokens issued, may not answer the request, or None. It may answer its own machine with
    no proxy in between (guard.py), or anyone when EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS says so; but
    never a page on another site through the user's browser (CSRF), in either case. The one check for every way
    of starting the service, made on each request."""
    if not (settings.allow_unauthenticated_network_access or local_and_unproxied(request)):
        return NO_TOKENS_YET
    sender = sent_by_another_site(request)
    return ANOTHER_SITE.format(sender) if sender else None


Me = Annotated[Viewer, Depends(current_viewer)]


def viewer_reader(rt: Run, viewer: Me) -> Reader:
    return rt.bot.reader(viewer)


Bot = Annotated[Reader, Depends(viewer_reader)]


def admin(viewer: Me) -> Viewer:
    if not viewer.is_admin:
        raise HTTPException(403, "this needs an admin token")
    return viewer


Admin = Annotated[Viewer, Depends(admin)]


def query_filters(doc_type: Annotated[list[str], Query(description="Document types (repeatable).")] = [],
                  service: Annotated[list[str], Query(description="Services: adults, children (repeatable).")] = [],
                  publisher: Annotated[list[str], Query(description="Publishers (repeatable).")] = [],
                  document: Annotated[list[str], Query(description="Document ids or paths (repeatable).")] = [],
                  date_from: Annotated[date | None, Query()] = None,
                  date_to: Annotated[date | None, Query()] = None) -> Filters:
    """The filters of a GET request, the same for every endpoint that takes them (a JSON body has FilterSpec)."""
    return Filters(doc_type, service, publisher, document, date_from.isoformat() if date_from else None,
                   date_to.isoformat() if date_to else None)


QueryFilters = Annotated[Filters, Depends(query_filters)]
