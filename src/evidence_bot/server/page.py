"""The chat page and its assets (web/), served by the app itself: no CDN, nothing fetched at run time."""

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from evidence_bot.config import Settings
from evidence_bot.tuning import STALE_MONTHS

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


@dataclass(frozen=True)
class Page:
    path: str
    file: str  # its <main> in web/pages/; the frame around it is web/layout.html
    title: str
    script: str
    skip_target: str = "main-content"
    skip_text: str = "Skip to main content"


# In the order of the navigation; the navigation names each by its title.
PAGES = (Page("/", "chat.html", "Ask about the evidence", "chat.js", "question", "Skip to the question box"),
         Page("/gaps", "gaps.html", "Evidence gaps", "gaps.js"),
         Page("/claims", "claims.html", "Claims", "claims.js"))
# The browser tab's title where it differs from the navigation's.
TITLES = {"/": "Evidence assistant", "/claims": "Claims against the evidence"}


def navigation(current: Page) -> str:
    items = []
    for page in PAGES:
        if page is current:
            items.append(f'<li class="govuk-service-navigation__item govuk-service-navigation__item--active">\n'
                         f'  <a class="govuk-service-navigation__link" href="{page.path}" aria-current="page">'
                         f'<strong class="govuk-service-navigation__active-fallback">{page.title}</strong></a>\n</li>')
        else:
            items.append(f'<li class="govuk-service-navigation__item">\n'
                         f'  <a class="govuk-service-navigation__link" href="{page.path}">{page.title}</a>\n</li>')
    return "\n".join(items)


def page_route(page: Page) -> Callable[[Request], Response]:
    def serve(request: Request) -> Response:
        return render(request, page)
    return serve


for _page in PAGES:
    router.add_api_route(_page.path, page_route(_page), methods=["GET"], response_class=HTMLResponse)


def render(request: Request, page: Page) -> Response:
    settings: Settings = request.app.state.runtime.bot.settings
    if not built_assets(settings.web_dir).is_file():
        return Response(NOT_BUILT, 503, media_type="text/plain")
    values = {"council_name": html.escape(settings.council_name), "answer_intro": ANSWER_INTRO[settings.answerer],
              "stale_months": STALE_MONTHS}
    main = Template((settings.web_dir / "pages" / page.file).read_text(encoding="utf-8")).substitute(values)
    frame = Template((settings.web_dir / "layout.html").read_text(encoding="utf-8"))
    body = frame.substitute(values, title=TITLES.get(page.path, page.title), script=page.script,
                            skip_target=page.skip_target, skip_text=page.skip_text, navigation=navigation(page),
                            main=main)
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
