"""The chat page in a real browser (Debian's Chromium driven by Playwright) against the Thurrock corpus.

Each state the officer sees is scanned with axe-core and saved as a screenshot under evals/results/."""

import json
import re
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import artifacts_dir
from playwright.sync_api import expect, sync_playwright

from evidence_bot import EvidenceBot, Settings
from evidence_bot.governance.feedback import FeedbackStore
from evidence_bot.server import create_app

from helpers.server import running
from helpers.sse import parse_events

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
DOLS = "How many DoLS applications were waiting for an assessment?"
UNANSWERABLE = "What rating did CQC give Basildon Hospital?"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base_url(thurrock_bot, embedder):
    settings = Settings(index_dir=thurrock_bot.settings.index_dir, council_name="Thurrock Council")
    with running(create_app(bot=EvidenceBot(settings, embedder=embedder))) as url:
        yield url


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/")
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    yield page
    context.close()
    assert errors == [], f"the page logged errors: {errors}"


def check_accessibility(page, state: str) -> None:
    """No serious or critical axe-core violations; the screenshot is saved for a person to look at."""
    screenshots = artifacts_dir() / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / f"{state}.png"), full_page=True)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps([{k: v[k] for k in ("id", "impact", "help")} | {
        "nodes": [n["target"] for n in v["nodes"]]} for v in serious], indent=1)


def ask(page, question: str) -> dict:
    """Types the question, presses Enter, returns the streamed events' final reply once the page shows it."""
    turns = page.locator(".eb-turn").count()
    page.locator("#question").fill(question)
    with page.expect_response("**/api/chat/stream") as info:
        page.locator("#question").press("Enter")
    response = info.value
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text())
    turn = page.locator(".eb-turn").nth(turns)
    expect(turn.locator(".eb-actions")).to_be_visible()
    expect(turn.locator(".eb-answer")).to_have_attribute("aria-busy", "false")
    return {"events": events, "reply": events[-1][1], "turn": turn, "request": response.request.post_data_json}


def test_answer_streams_with_citations_and_opens_its_source(page):
    expect(page.locator(".eb-council-name")).to_have_text("Thurrock Council")
    check_accessibility(page, "1-empty")
    result = ask(page, DOLS)
    reply, turn = result["reply"], result["turn"]
    names = [name for name, _ in result["events"]]
    assert names[0] == "citations" and "delta" in names and names[-1] == "done"
    assert not reply["abstained"] and "127" in reply["answer"]
    expect(turn.locator(".eb-answer-text")).to_have_text(reply["answer"].replace("\n", " "), use_inner_text=False)
    markers = turn.locator("a.eb-marker")
    assert markers.count() == len(re.findall(r"\[\d+\]", reply["answer"]))
    sources = turn.locator(".eb-source-list li")
    expect(sources).to_have_count(len(reply["citations"]))
    expect(sources.first).to_contain_text(reply["citations"][0]["title"])
    check_accessibility(page, "2-answer")

    markers.first.focus()
    page.keyboard.press("Enter")
    viewer = page.locator("#viewer")
    expect(viewer).to_be_visible()
    expect(page.locator("#viewer-heading")).to_be_focused()
    highlighted = viewer.locator("mark.eb-highlight")
    expect(highlighted.first).to_be_visible()
    quoted = highlighted.first.inner_text().removeprefix("Quoted in the answer: ").strip()
    assert quoted and quoted.split("\n")[-1] in reply["answer"]
    expect(viewer.locator(".eb-cited")).to_contain_text(quoted.split("\n")[-1])
    check_accessibility(page, "3-source-passage")

    page.locator("#viewer-close").click()
    expect(viewer).to_be_hidden()
    expect(markers.first).to_be_focused()


def test_follow_up_then_new_conversation(page):
    ask(page, "How many DoLS requests were received in 2023-24?")
    follow = ask(page, "And how many so far in 2024-25?")
    history = follow["request"]["history"]
    assert [h["role"] for h in history] == ["user", "assistant"]
    assert history[0]["content"] == "How many DoLS requests were received in 2023-24?"
    assert follow["request"]["conversation_id"]
    assert "DoLS" in follow["reply"]["query"] and "743" in follow["reply"]["answer"]
    expect(page.locator(".eb-turn")).to_have_count(2)
    check_accessibility(page, "4-follow-up")

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".eb-turn")).to_have_count(0)
    expect(page.locator("#question")).to_be_focused()
    fresh = ask(page, DOLS)
    assert fresh["request"]["history"] == [] and fresh["request"]["conversation_id"] is None


def test_filter_by_document_type(page):
    page.locator("#filters summary").click()
    page.get_by_label("Minutes", exact=True).check()
    expect(page.locator("#filter-summary")).to_contain_text("Minutes")
    check_accessibility(page, "5-filters")
    result = ask(page, "Who presented the CQC assessment report to Cabinet?")
    assert result["request"]["filters"]["doc_type"] == ["minutes"]
    reply = result["reply"]
    assert not reply["abstained"] and {c["doc_type"] for c in reply["citations"]} == {"minutes"}
    expect(result["turn"].locator(".eb-filter-note")).to_contain_text("Minutes")


def test_abstention_is_shown_as_its_own_state(page):
    result = ask(page, UNANSWERABLE)
    assert result["reply"]["abstained"]
    state = result["turn"].locator(".eb-abstained")
    expect(state).to_be_visible()
    expect(state).to_contain_text("Not answered")
    expect(state).to_contain_text("The evidence does not answer this.")
    expect(result["turn"].locator(".eb-source-list")).to_have_count(0)
    expect(result["turn"].get_by_role("button", name="Copy answer with sources")).to_have_count(0)
    check_accessibility(page, "6-abstention")


def test_a_partial_answer_says_so(page):
    """`partial` (some of what was asked was found, not all) is set by the answerer; here the real reply is
    marked partial on its way to the page, so the page's side is tested whatever the answerer decides."""
    def marked_partial(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace('"partial": false', '"partial": true'))

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.route("**/api/chat/stream", marked_partial)
    result = ask(page, DOLS)
    assert result["reply"]["partial"] is True and not result["reply"]["abstained"]
    expect(result["turn"].locator(".eb-partial")).to_have_text("Only part of what you asked is in the evidence.")
    expect(page.locator("#status")).to_have_text(re.compile(r"Answer ready with \d+ sources?\. Only part of what you "
                                                            r"asked is in the evidence\."))
    check_accessibility(page, "16-partial")
    result["turn"].get_by_role("button", name="Copy answer with sources").click()
    expect(page.locator("#status")).to_have_text("Answer and sources copied.")
    assert "Only part of what you asked is in the evidence." in page.evaluate("navigator.clipboard.readText()")

    page.unroute("**/api/chat/stream")
    plain = ask(page, DOLS)
    assert plain["reply"]["partial"] is False
    expect(plain["turn"].locator(".eb-partial")).to_have_count(0)


def test_copy_and_feedback(page, thurrock_bot):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    result = ask(page, DOLS)
    turn, reply = result["turn"], result["reply"]
    turn.get_by_role("button", name="Copy answer with sources").click()
    expect(page.locator("#status")).to_have_text("Answer and sources copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert reply["answer"] in copied and "Sources:" in copied and f"[1] {reply['citations'][0]['title']}" in copied

    turn.get_by_role("button", name="No").click()
    comment = turn.get_by_label("What was wrong or missing? (optional)")
    expect(comment).to_be_focused()
    comment.fill("Needs the date of the figure")
    with page.expect_response("**/api/feedback") as info:
        turn.get_by_role("button", name="Send comment").click()
    assert info.value.status == 201
    expect(turn.locator(".eb-feedback-done")).to_have_text("Thank you for your feedback.")
    check_accessibility(page, "7-feedback")
    stored = [r for r in FeedbackStore(thurrock_bot.settings.feedback_path).export()
              if r["answer_id"] == reply["answer_id"]]
    assert stored and stored[0]["rating"] == "down" and stored[0]["comment"] == "Needs the date of the figure"


def test_empty_question_is_an_error_in_the_govuk_pattern(page):
    page.get_by_role("button", name="Ask").click()
    error = page.locator("#question-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Enter a question")
    expect(page.locator("#question")).to_be_focused()
    assert "question-error" in page.locator("#question").get_attribute("aria-describedby")
    check_accessibility(page, "8-error")


@pytest.mark.parametrize("state, viewport", [("9-phone", {"width": 375, "height": 740}),
                                             ("10-zoom-400", {"width": 320, "height": 256})])
def test_reflows_on_a_phone_and_at_400_percent_zoom(browser, base_url, state, viewport):
    """400% zoom of a 1280 px window is a 320 CSS px viewport (WCAG 1.4.10): nothing may scroll sideways."""
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.goto("/")
    result = ask(page, DOLS)
    result["turn"].locator("a.eb-marker").first.click()
    expect(page.locator("#viewer")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow} px of horizontal scrolling at {viewport}"
    check_accessibility(page, state)
    context.close()


def test_keyboard_alone_reaches_the_question_box(page):
    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type(DOLS)
    page.keyboard.press("Enter")
    expect(page.locator(".eb-turn .eb-actions")).to_be_visible()


def test_document_markup_is_shown_as_text(browser, tmp_path, embedder):
    """A document holding <script> and an onerror image shows them as text and runs neither."""
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    (corpus / "minutes.txt").write_text(
        "Safeguarding board minutes\n\n"
        "The board noted that <script>window.pwned = 1</script> 55 people were waiting for a DoLS assessment "
        "<img src=x onerror=\"window.pwned = 2\"> at the end of June.\n", encoding="utf-8")
    bot = EvidenceBot(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    assert bot.library().ingest([corpus]).ok
    with running(create_app(bot=bot)) as url:
        context = browser.new_context(base_url=url)
        page = context.new_page()
        page.goto("/")
        result = ask(page, "How many people were waiting for a DoLS assessment?")
        answer = result["turn"].locator(".eb-answer-text")
        expect(answer).to_contain_text("<script>window.pwned = 1</script>")
        result["turn"].locator("a.eb-marker").first.click()
        expect(page.locator("#viewer-text")).to_contain_text('<img src=x onerror="window.pwned = 2">')
        assert page.evaluate("window.pwned") is None
        assert page.locator("#turns script, #turns img, #viewer script, #viewer img").count() == 0
        context.close()


def test_gap_grid_covers_every_cqc_statement_and_opens_to_its_evidence(page, base_url):
    page.goto("/gaps")
    cards = page.locator(".eb-statement")
    expect(cards).to_have_count(9)
    api = httpx.get(f"{base_url}/api/gaps", params={"framework": "cqc-la"}).json()
    for statement in api["statements"]:
        card = page.locator(f"#statement-{statement['id']}")
        expect(card.locator("summary .govuk-tag")).to_have_text(statement["rating"].capitalize())
        expect(card.locator(".eb-statement-counts")).to_contain_text(re.compile(rf"^{statement['passages']} "
                                                                                 r"passages? "))
    expect(page.locator("#rule")).to_contain_text("Green: 3 or more distinct passages")
    check_accessibility(page, "11-gaps")

    safeguarding = page.locator("#statement-safeguarding")
    safeguarding.locator("summary").click()
    expected = next(s for s in api["statements"] if s["id"] == "safeguarding")
    expect(safeguarding.locator(".eb-gap-list li")).to_have_count(len(expected["gaps"]))
    quotes = safeguarding.locator(".eb-strongest blockquote")
    expect(quotes).to_have_count(len(expected["strongest"]))
    assert expected["strongest"][0]["text"][:80] in quotes.first.inner_text()
    findings = safeguarding.locator(".eb-findings blockquote")  # the inspector's words beside the council's
    expect(findings).to_have_count(len(expected["findings"]))
    expect(safeguarding.locator(".eb-side-by-side")).to_contain_text("Safeguarding processes were well established")
    expect(safeguarding.locator(".eb-claims > li")).to_have_count(len(expected["claims"]))
    expect(safeguarding.locator(".eb-claims .govuk-tag").first).to_be_visible()
    check_accessibility(page, "12-gaps-open")

    page.get_by_label("Framework").select_option("ofsted-ilacs")
    page.get_by_role("button", name="Show gaps").click()
    expect(page.locator("#statement-care-leavers")).to_be_visible()


def test_claims_page_shows_the_urgent_response_figure_with_its_corroboration(page):
    page.goto("/claims")
    claim = page.locator(".eb-claim", has_text="2-hour Urgent Community Response")
    expect(claim.locator(".govuk-tag")).to_have_text("Supported")
    claim.locator("summary").click()
    expect(claim.locator("blockquote").first).to_contain_text("two-hour target in 90% of cases")
    check_accessibility(page, "13-claims")


def test_with_authentication_on_the_page_asks_for_a_token(browser, tmp_path, embedder):
    from conftest import SAMPLE

    from evidence_bot.governance.access import TokenStore

    bot = EvidenceBot(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    assert bot.library().ingest([SAMPLE]).ok
    _, token = TokenStore(bot.settings.access_path).create("an officer", "reader", [])
    with running(create_app(bot=bot)) as url:
        context = browser.new_context(base_url=url)
        page = context.new_page()
        page.goto("/")
        expect(page.locator("#token-heading")).to_be_focused()
        check_accessibility(page, "14-token")
        page.get_by_label("API token").fill("eb_wrong")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("#token-error")).to_contain_text("That token was not accepted")
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("#token-heading")).to_have_count(0)
        result = ask(page, "What did CQC say about waiting times?")
        assert "412" in result["reply"]["answer"]
        assert result["request"]["question"] and result["turn"].locator(".eb-sources").count() == 1
        context.close()
