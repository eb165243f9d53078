"""The chat page and its assets (web/), served by the app itself: no CDN, nothing fetched at run time."""

import html
from pathlib import Path
from string import Template

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from evidence_bot.config import Settings

router = APIRouter(include_in_schema=False)

# The page runs only its own scripts and styles; passage text can never become markup or reach elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
ANSWER_INTRO = {  # what the page promises must be what the answerer does
    "extractive": "Answers quote the council's evidence word for word, with numbered sources you can open.",
    "llm": "Answers are written by a language model from the council's evidence. Every sentence is checked against "
           "the numbered source it cites, and sentences the sources do not support are removed.",
}
NOT_BUILT = ("The chat page's assets are not built (web/static/app.css is missing). "
             "Run `make setup`, or `npm ci && npm run build` in web/.")


def built_assets(web_dir: Path) -> Path:
    return web_dir / "static" / "app.css"


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request) -> Response:
    return page(request, "index.html")


@router.get("/gaps", response_class=HTMLResponse)
def gaps_page(request: Request) -> Response:
    return page(request, "gaps.html")


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request) -> Response:
    return page(request, "claims.html")


def page(request: Request, name: str) -> Response:
    settings: Settings = request.app.state.runtime.bot.settings
    if not built_assets(settings.web_dir).is_file():
        return Response(NOT_BUILT, 503, media_type="text/plain")
    template = Template((settings.web_dir / name).read_text(encoding="utf-8"))
    body = template.substitute(council_name=html.escape(settings.council_name),
                               answer_intro=ANSWER_INTRO[settings.answerer])
    return HTMLResponse(body, headers=SECURITY_HEADERS)


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)  # the GOV.UK favicon is the crown, which is for GOV.UK only


def mount_assets(app: FastAPI, settings: Settings) -> None:
    """/static: the page's script and the built CSS; /static/govuk/assets: GOV.UK Frontend's images."""
    govuk_assets = settings.web_dir / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"
    if govuk_assets.is_dir():
        app.mount("/static/govuk/assets", StaticFiles(directory=govuk_assets), name="govuk-assets")
    app.mount("/static", StaticFiles(directory=settings.web_dir / "static", check_dir=False), name="static")
