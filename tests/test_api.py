"""The HTTP API in-process (FastAPI's TestClient: real requests, real responses), over the sample index."""

import csv
import io
import json
import re

import pytest
from conftest import SAMPLE_DOCUMENTS

from evidence_bot import EvidenceBot, Settings
from evidence_bot.answer import statements
from evidence_bot.answer.grounding import without_lead_in
from evidence_bot.models import Citation
from evidence_bot.server import create_app
from evidence_bot.text.units import read_row, row_readings

from helpers.cli import run_cli
from helpers.server import local_client
from helpers.sse import parse_events

WAITING = "What did CQC say about waiting times?"
UNANSWERABLE = "How many potholes were repaired in 2024?"


@pytest.fixture(scope="module")
def client(sample_bot):
    with local_client(create_app(bot=sample_bot)) as c:
        yield c


def assert_grounded(reply: dict) -> None:
    """Every statement, after the exact lead-in of its citation if it has one (attribution.py), is text of the
    passage it cites, and each highlight marks quoted text."""
    by_n = {c["n"]: c for c in reply["citations"]}
    pairs = statements(reply["answer"])
    assert pairs
    for statement, n in pairs:
        quoted = without_lead_in(statement, Citation(**by_n[n]))
        assert all(line.strip() in by_n[n]["text"] for line in quoted.split("\n")) \
            or quoted in row_readings(by_n[n]["text"])  # a table row, read as its labels with their values
    for c in reply["citations"]:
        assert c["highlights"]
        header = c["text"].split("\n")[0]
        for start, end in c["highlights"]:
            marked = c["text"][start:end].strip()
            assert marked in reply["answer"] or read_row(f"{header}\n{marked}") in reply["answer"]


def test_a_list_question_over_a_tracker_is_answered_with_every_row_holding_the_value(client):
    reply = client.post("/api/chat", json={"question": "Which workforce actions are rated red?"}).json()
    assert not reply["abstained"]
    assert "Ref: W2.1;" in reply["answer"] and "Ref: W3.1;" in reply["answer"]
    assert "Amber" not in reply["answer"] and "Green" not in reply["answer"]
    assert [c["title"] for c in reply["citations"]] == ["Adult social care workforce action tracker"]
    assert_grounded(reply)


def test_chat_answers_with_citations(client):
    response = client.post("/api/chat", json={"question": WAITING})
    assert response.status_code == 200
    reply = response.json()
    assert not reply["abstained"] and "412" in reply["answer"]
    assert_grounded(reply)
    first = reply["citations"][0]
    assert {"title", "doc_type", "date", "page", "section", "passage_id"} <= first.keys()
    assert re.fullmatch(r"[0-9a-f]{32}", reply["conversation_id"]) and reply["answer_id"]


def test_stream_sends_citations_then_pieces_then_the_whole(client):
    response = client.post("/api/chat/stream", json={"question": WAITING})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done" and set(names[1:-1]) == {"delta"}
    done = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "delta") == done["answer"]
    assert events[0][1] == done["citations"]
    assert_grounded(done)


def test_follow_up_is_read_with_its_history(client):
    # Until the ninth session the first question was "How many people are waiting for a DoLS assessment?", whose
    # answer names no action; the selector fitted with the tuned question encoder abstains on "that action" after it
    # (confidence 0.524 against 0.556), as it now does more often when the antecedent is only implied.
    first = client.post("/api/chat", json={"question": "Which action is about the DoLS backlog?"}).json()
    history = [{"role": "user", "content": "Which action is about the DoLS backlog?"},
               {"role": "assistant", "content": first["answer"]}]
    reply = client.post("/api/chat", json={"question": "And who owns that action?", "history": history,
                                           "conversation_id": first["conversation_id"]}).json()
    assert "DoLS" in reply["query"] and reply["conversation_id"] == first["conversation_id"]
    assert not reply["abstained"] and "Safeguarding Service Manager" in reply["answer"]


def test_abstention_is_a_distinct_state(client):
    reply = client.post("/api/chat", json={"question": UNANSWERABLE}).json()
    assert reply["abstained"] is True and reply["citations"] == []
    assert reply["answer"] == "The evidence provided does not answer this."


def test_filters_limit_chat_and_search(client):
    reply = client.post("/api/chat", json={"question": "What did Cabinet resolve about the improvement plan?",
                                           "filters": {"doc_type": ["minutes"]}}).json()
    assert not reply["abstained"] and {c["doc_type"] for c in reply["citations"]} == {"minutes"}
    results = client.get("/api/search", params={"q": "waiting list", "doc_type": "action_plan"}).json()["results"]
    assert results and {r["document"]["doc_type"] for r in results} == {"action_plan"}
    late = client.get("/api/search", params={"q": "waiting list", "date_from": "2099-01-01"}).json()["results"]
    assert late == []
    cqc = "Care Quality Commission"
    published = client.get("/api/search", params={"q": "waiting list", "publisher": cqc}).json()["results"]
    assert published and {r["document"]["publisher"] for r in published} == {cqc}
    briefing = client.get("/api/brief", params={"topic": "the improvement plan", "doc_type": "minutes"}).json()
    assert briefing["sources"] and {source["doc_type"] for source in briefing["sources"]} == {"minutes"}


@pytest.mark.parametrize("body, status, words", [
    ({}, 422, "question: Field required"),
    ({"question": ""}, 422, "question: String should have at least 1 character"),
    ({"question": "x" * 2001}, 422, "longer than 2000 characters"),
    ({"question": "q", "filters": {"date_from": "March 2024"}}, 422, "filters.date_from"),
    ({"question": "q", "filters": {"colour": ["red"]}}, 422, "filters.colour"),
    ({"question": "q", "history": [{"role": "system", "content": "x"}]}, 422, "history.0.role"),
])
def test_bad_requests_get_readable_errors(client, body, status, words):
    response = client.post("/api/chat", json=body)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_oversized_body_is_refused(client):
    response = client.post("/api/chat", content=b"{" + b" " * 300_000 + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_empty_index_answers_503(tmp_path, embedder):
    bot = EvidenceBot(Settings(index_dir=tmp_path / "empty"), embedder=embedder)
    with local_client(create_app(bot=bot)) as c:
        response = c.post("/api/chat", json={"question": WAITING})
        assert response.status_code == 503
        assert "no documents have been ingested yet" in response.json()["detail"]
        assert c.get("/api/search", params={"q": "x"}).status_code == 503
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["documents"] == 0 and ready.json()["model_loaded"]
        assert c.get("/healthz").json() == {"status": "ok"}
        openai_style = c.post("/v1/chat/completions", json={"model": "evidence-bot",
                                                             "messages": [{"role": "user", "content": WAITING}]})
        assert openai_style.status_code == 503 and "no documents" in openai_style.json()["error"]["message"]


def test_readyz_reports_the_index(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["model_loaded"] and body["documents"] == SAMPLE_DOCUMENTS


def test_documents_and_passages(client):
    documents = client.get("/api/documents").json()["documents"]
    assert len(documents) == SAMPLE_DOCUMENTS
    report = next(d for d in documents if d["doc_type"] == "inspection_report")
    detail = client.get(f"/api/documents/{report['doc_id']}").json()
    assert detail["passages"] == report["passages"] > 0 and detail["pages"] and detail["sections"]
    assert client.get("/api/documents/nope").status_code == 404

    citation = client.post("/api/chat", json={"question": WAITING}).json()["citations"][0]
    view = client.get(f"/api/passages/{citation['passage_id']}", params={"radius": 2}).json()
    assert view["passage"]["text"] == citation["text"] and view["document"]["title"] == citation["title"]
    seqs = [p["seq"] for p in view["before"]] + [view["passage"]["seq"]] + [p["seq"] for p in view["after"]]
    assert seqs == sorted(seqs) and len(seqs) > 1
    missing = client.get("/api/passages/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_feedback_is_stored_and_exported(client, sample_bot):
    reply = client.post("/api/chat", json={"question": WAITING}).json()
    stored = client.post("/api/feedback", json={"answer_id": reply["answer_id"], "rating": "down",
                                                "comment": "Quoted the wrong year"})
    assert stored.status_code == 201
    assert client.post("/api/feedback", json={"answer_id": "unknown", "rating": "up"}).status_code == 404
    assert client.post("/api/feedback", json={"answer_id": reply["answer_id"], "rating": "meh"}).status_code == 422

    index = str(sample_bot.settings.index_dir)
    exported = run_cli("--index", index, "feedback", "export", check=True)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    mine = [r for r in records if r["answer_id"] == reply["answer_id"]]
    assert mine and mine[0]["comment"] == "Quoted the wrong year" and mine[0]["question"] == WAITING
    assert mine[0]["answer"]["citations"][0]["title"] == reply["citations"][0]["title"]
    as_csv = run_cli("--index", index, "feedback", "export", "--format", "csv", check=True).stdout
    assert as_csv.startswith("id,created_at,rating,comment,question") and "Quoted the wrong year" in as_csv


def test_openapi_documents_every_endpoint_with_examples(client):
    schema = client.get("/openapi.json").json()
    for path in ("/api/chat", "/api/chat/stream", "/api/search", "/api/documents", "/api/documents/{doc_id}",
                 "/api/passages/{passage_id}", "/api/feedback", "/healthz", "/readyz", "/v1/models",
                 "/v1/chat/completions"):
        assert path in schema["paths"], path
    components = schema["components"]["schemas"]
    assert components["ChatRequest"]["examples"] and components["ChatResponse"]["examples"]
    assert components["FeedbackRequest"]["examples"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            success = next(r for code, r in operation["responses"].items() if code.startswith("2"))
            shown = ["example" in media or "examples" in media or "$ref" in media.get("schema", {})
                     for media in success.get("content", {}).values()]
            assert any(shown), f"{method.upper()} {path} has no example response"


def test_page_uses_the_council_name_escaped_and_only_local_assets(sample_bot, embedder):
    settings = Settings(index_dir=sample_bot.settings.index_dir, council_name="Fernleigh <Borough> & Co")
    with local_client(create_app(bot=EvidenceBot(settings, embedder=embedder))) as c:
        page = c.get("/")
        assert page.status_code == 200
        assert "Fernleigh &lt;Borough&gt; &amp; Co" in page.text and "<Borough>" not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        css = c.get("/static/app.css")
        scripts = [c.get(f"/static/{name}.js") for name in ("chat", "chat/turn", "chat/viewer", "chat/filters",
                                                             "chat/feedback", "chat/text", "dom", "auth", "format")]
        assert css.status_code == c.get("/static/govuk-frontend.min.js").status_code == 200
        assert [s.status_code for s in scripts] == [200] * len(scripts)
        assert "GDS Transport" not in css.text  # the GOV.UK typeface is for GOV.UK only
        for text in (page.text, css.text, *(s.text for s in scripts)):
            assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), "an asset fetched from elsewhere"


def long_conversation(questions: int, question_chars: int) -> list[dict]:
    """What the chat page sends after many follow-ups: every earlier question (each leaning on the one before it,
    so all of them would be chained into the query) with its answer."""
    turns = []
    for n in range(questions):
        question = f"And what about those waiting lists, question {n}? " + "care assessment " * 200
        turns += [{"role": "user", "content": question[:question_chars]}, {"role": "assistant", "content": "A. [1]"}]
    return turns


def test_a_long_conversation_keeps_its_recent_questions_and_bounds_the_query(client, sample_bot):
    bound = sample_bot.settings.max_query_chars
    history = long_conversation(30, 1990)
    for path in ("/api/chat", "/api/chat/stream"):
        response = client.post(path, json={"question": "And who owns that action?", "history": history})
        assert response.status_code == 200, response.text[:300]
        reply = response.json() if path == "/api/chat" else dict(parse_events(response.text))["done"]
        assert len(reply["query"]) <= bound and reply["query"].endswith("And who owns that action?")
        assert "question 29?" in reply["query"] and "question 0?" not in reply["query"]


@pytest.mark.parametrize("path", ["/api/chat", "/api/chat/stream"])
def test_an_over_long_earlier_question_is_refused_like_a_question(client, path):
    history = [{"role": "user", "content": " ".join(["waiting"] * 900)} for _ in range(30)]  # 216,000 characters
    response = client.post(path, json={"question": "And who owns it?", "history": history})
    assert response.status_code == 422
    assert "history.0.content" in response.json()["detail"] and "2000" in response.json()["detail"]


def test_the_feedback_export_neutralises_spreadsheet_formulas(client, sample_bot):
    question = "=HYPERLINK(\"http://attacker.example\",\"What did CQC say about waiting times?\")"
    reply = client.post("/api/chat", json={"question": question}).json()
    comment = "@SUM(1+1)*cmd|' /C calc'!A0"
    assert client.post("/api/feedback", json={"answer_id": reply["answer_id"], "rating": "down",
                                              "comment": comment}).status_code == 201
    exported = run_cli("--index", sample_bot.settings.index_dir, "feedback", "export", "--format", "csv", check=True)
    cells = [cell for row in csv.reader(io.StringIO(exported.stdout)) for cell in row]
    assert "'" + question in cells and "'" + comment in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
