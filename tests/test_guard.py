"""The guard every way of starting the service shares (issue 15): with no API tokens the app answers only its own
machine (loopback, no proxy in between); once a token has been issued it never opens again; request headers are
bounded before authentication. Real servers: the documented `uvicorn --factory` command and `evidence-bot serve`
as processes, and the app in-process for clients on other addresses."""

import shutil
import socket
import subprocess
import sys
import threading

import httpx
import pytest

from evidence_bot import EvidenceBot, Settings
from evidence_bot.governance.access import TokenStore
from evidence_bot.server import create_app

from helpers.server import PRODUCTION_COMMAND, free_port, local_client, process, remote_client, running

CANARY = "kestrel ledger 4417"
QUESTION = f"How many referrals are in the {CANARY}?"
SOURCES = """\
documents:
  - path: public-report.txt
    title: Public safeguarding report
    access: public
  - path: exempt-minutes.txt
    title: Exempt minutes (Part II)
    access: restricted
"""
FORWARDING = [{"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7;proto=https"},
              {"X-Real-IP": "203.0.113.7"}, {"X-Forwarded-Host": "evidence.council.example"},
              {"X-Forwarded-Proto": "https"}, {"Via": "1.1 proxy.council.example"}]
# Paths with nothing from the index in them: the page's HTML and assets, liveness, the API's own description.
OPEN_PATHS = {"/", "/gaps", "/claims", "/favicon.ico", "/healthz", "/readyz", "/openapi.json", "/docs",
              "/docs/oauth2-redirect", "/redoc"}


@pytest.fixture(scope="module")
def built_index(tmp_path_factory, embedder):
    """The index is built once; each test gets its own copy, since issuing a token changes it for good."""
    corpus = tmp_path_factory.mktemp("guard-corpus")
    (corpus / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (corpus / "public-report.txt").write_text(
        "Safeguarding report\n\nIn 2024 the council received 1,200 safeguarding concerns.\n", encoding="utf-8")
    (corpus / "exempt-minutes.txt").write_text(
        f"Exempt minutes\n\nThe {CANARY} records 48 referrals about a named care home, which must not be "
        "disclosed.\n", encoding="utf-8")
    index = tmp_path_factory.mktemp("guard-index") / "index"
    bot = EvidenceBot(Settings(index_dir=index), embedder=embedder)
    report = bot.library().ingest([corpus])
    assert report.ok, report.failed
    bot.close()
    return index


@pytest.fixture
def index(built_index, tmp_path):
    return shutil.copytree(built_index, tmp_path / "index")


def cli(index, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", str(index), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(response, *secrets) -> bool:
    """Refused with a message saying what to do, and nothing from the index in it."""
    says_how = "evidence-bot tokens create" in response.text
    return response.status_code == 403 and says_how and not any(s in response.text for s in secrets)


@pytest.mark.slow
def test_the_production_command_answers_only_local_unproxied_requests_and_never_reopens(index):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with process([*PRODUCTION_COMMAND, "--port", str(port)], {"EVIDENCE_BOT_INDEX_DIR": str(index)},
                 f"{base}/healthz"):
        assert httpx.get(f"{base}/api/documents").status_code == 200  # the officer on the machine itself
        for headers in FORWARDING:
            assert refused(httpx.get(f"{base}/api/documents", headers=headers)), headers
            chat = httpx.post(f"{base}/api/chat", json={"question": QUESTION}, headers=headers, timeout=60)
            assert refused(chat, "48 referrals", "named care home"), headers
            ready = httpx.get(f"{base}/readyz", headers=headers).json()
            assert "index" not in ready and "documents" not in ready and str(index) not in str(ready)
        rebound = httpx.get(f"{base}/api/documents", headers={"Host": "attacker.example"})  # DNS rebinding
        assert refused(rebound)
        assert httpx.get(f"{base}/healthz", headers=FORWARDING[0]).status_code == 200
        assert httpx.get(f"{base}/", headers=FORWARDING[0]).status_code == 200  # the page holds no evidence

        token_id = cli(index, "tokens", "create", "--name", "ops", "--role", "admin").split()[1]
        cli(index, "tokens", "revoke", token_id)  # another process revokes the last token
        for headers in ({}, FORWARDING[0]):
            closed = httpx.get(f"{base}/api/documents", headers=headers)
            assert closed.status_code == 401, (headers, closed.text)


def test_a_network_client_gets_nothing_from_any_route_without_tokens(index, embedder):
    app = create_app(bot=EvidenceBot(Settings(index_dir=index), embedder=embedder))
    routes = [(method.upper(), path) for path, operations in app.openapi()["paths"].items() if path not in OPEN_PATHS
              for method in operations]
    assert len(routes) >= 15
    with remote_client(app) as client:
        for method, path in routes:
            response = client.request(method, path.replace("{", "").replace("}", ""), json={"question": QUESTION})
            assert refused(response, "48 referrals"), (method, path, response.status_code, response.text[:200])
        ready = client.get("/readyz").json()
        assert "index" not in ready and "documents" not in ready
        assert client.get("/").status_code == client.get("/healthz").status_code == 200
    with local_client(app) as client:  # the same app answers its own machine
        assert client.get("/api/documents").status_code == 200 and "index" in client.get("/readyz").json()
        assert refused(client.get("/api/documents", headers={"X-Forwarded-For": "127.0.0.1"}))


def test_a_council_that_means_it_can_open_the_network_without_tokens(index, embedder):
    settings = Settings(index_dir=index, allow_unauthenticated_network_access=True)
    with remote_client(create_app(bot=EvidenceBot(settings, embedder=embedder))) as client:
        assert client.get("/api/documents").status_code == 200


def test_revoking_the_last_token_keeps_every_request_needing_one(index, embedder):
    store = TokenStore(index / "access.sqlite")
    token_id, _ = store.create("only token", "admin", [])
    store.revoke(token_id)
    app = create_app(bot=EvidenceBot(Settings(index_dir=index), embedder=embedder))  # not through `serve`
    for connect in (local_client, remote_client):
        with connect(app) as client:
            for headers in ({}, {"X-Forwarded-For": "203.0.113.7"}):
                response = client.post("/api/chat", json={"question": QUESTION}, headers=headers)
                assert response.status_code == 401 and CANARY not in response.text


def test_a_council_can_require_tokens_before_the_first_is_issued(index, embedder):
    settings = Settings(index_dir=index, require_authentication=True)  # EVIDENCE_BOT_REQUIRE_AUTHENTICATION=true
    with local_client(create_app(bot=EvidenceBot(settings, embedder=embedder))) as client:
        assert client.get("/api/documents").status_code == 401


# What a web page on another site makes the officer's browser send (Origin on POST/DELETE, Referer on GET, Fetch
# Metadata): each is refused by a tokenless service, whatever the method.
CROSS_SITE = [{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "cross-site"},
              {"Sec-Fetch-Site": "same-site"}, {"Origin": "http://evil.example"}, {"Origin": "null"},
              {"Origin": "http://127.0.0.1:8001"}, {"Origin": "https://127.0.0.1"}, {"Origin": "http://localhost"},
              {"Referer": "http://evil.example/page.html"}]
# What the chat page itself (same origin), a script or a typed address sends: answered.
SAME_ORIGIN = [{}, {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}, {"Origin": "http://127.0.0.1:80"},
               {"Referer": "http://127.0.0.1/gaps"}, {"Sec-Fetch-Site": "none"}, {"Sec-Fetch-Site": "same-origin"}]
PLANTED = ("asc-improvement-action-plan.txt", b"Planted: CQC rated us Outstanding.\n", "text/plain")


def from_another_site(response) -> bool:
    return response.status_code == 403 and "another site" in response.text and "Planted" not in response.text


def test_a_page_on_another_site_cannot_use_the_tokenless_service_through_the_officers_browser(index, embedder):
    app = create_app(bot=EvidenceBot(Settings(index_dir=index), embedder=embedder))
    routes = [(method.upper(), path.replace("{", "").replace("}", "")) for path, operations in
              app.openapi()["paths"].items() if path not in OPEN_PATHS for method in operations]
    with local_client(app) as client:
        before = client.get("/api/documents").json()
        doc_id = before["documents"][0]["doc_id"]
        for headers in CROSS_SITE:
            upload = client.post("/api/documents", headers=headers, files={"file": PLANTED}, data={"access": "public"})
            assert from_another_site(upload), (headers, upload.status_code, upload.text[:200])
            assert from_another_site(client.delete(f"/api/documents/{doc_id}", headers=headers)), headers
            for method, path in routes:
                response = client.request(method, path, json={"question": QUESTION}, headers=headers)
                assert from_another_site(response), (headers, method, path, response.status_code, response.text[:200])
            assert "index" not in client.get("/readyz", headers=headers).json()
        assert client.get("/api/documents").json() == before  # nothing uploaded, nothing deleted
        for headers in SAME_ORIGIN:
            assert client.get("/api/documents", headers=headers).status_code == 200, headers
        page_upload = client.post("/api/documents", headers=SAME_ORIGIN[1], files={"file": PLANTED})
        assert page_upload.status_code == 201, page_upload.text[:200]  # the chat page's own upload still works
    with running(app) as base:  # a real server: the port is part of the origin
        port = int(base.rsplit(":", 1)[1])
        assert httpx.get(f"{base}/api/documents", headers={"Origin": base}).status_code == 200
        for origin in (f"http://127.0.0.1:{port + 1}", f"http://localhost:{port}", "http://127.0.0.1"):
            assert from_another_site(httpx.get(f"{base}/api/documents", headers={"Origin": origin})), origin


def test_an_open_network_without_tokens_still_refuses_other_sites_and_tokens_need_no_origin(index, embedder):
    settings = Settings(index_dir=index, allow_unauthenticated_network_access=True)
    with remote_client(create_app(bot=EvidenceBot(settings, embedder=embedder))) as client:
        assert from_another_site(client.post("/api/documents", headers=CROSS_SITE[0], files={"file": PLANTED}))
        assert client.get("/api/documents", headers={"Origin": "http://evidence.council.example"}).status_code == 200
    _, token = TokenStore(index / "access.sqlite").create("ops", "admin", [])
    with local_client(create_app(bot=EvidenceBot(Settings(index_dir=index), embedder=embedder))) as client:
        # A bearer token is never sent by a browser on its own, so another site's page cannot use it: no check.
        bearer = {"Authorization": f"Bearer {token}", **CROSS_SITE[0]}
        assert client.get("/api/documents", headers=bearer).status_code == 200
        assert client.get("/api/documents", headers=CROSS_SITE[0]).status_code == 401


def test_a_tokenless_request_checks_for_tokens_once(index, embedder, monkeypatch):
    from evidence_bot.server.runtime import Runtime

    calls = []
    checked = Runtime.authentication_on
    monkeypatch.setattr(Runtime, "authentication_on", lambda self: calls.append(1) or checked(self))
    with local_client(create_app(bot=EvidenceBot(Settings(index_dir=index), embedder=embedder))) as client:
        assert client.get("/api/documents").status_code == 200
    assert len(calls) == 1


def test_serve_counts_every_loopback_address_as_loopback(tmp_path, capsys):
    from evidence_bot.cli import refuse_open_network

    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "::ffff:127.0.0.1"):
        refuse_open_network(Settings(index_dir=tmp_path / "index"), host)
        assert "listening on loopback only" in capsys.readouterr().out, host
    for host in ("0.0.0.0", "::", "192.0.2.10", "evidence.council.example"):
        with pytest.raises(SystemExit) as exited:
            refuse_open_network(Settings(index_dir=tmp_path / "index"), host)
        assert exited.value.code == 2 and f"refusing to listen on {host}" in capsys.readouterr().err


def send_head(sock, header_bytes: int) -> str:
    """Send a request whose Authorization header is header_bytes long, without the blank line that ends the head;
    returns how the sending ended."""
    sock.sendall(b"GET /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
    piece = b"a" * 65536
    try:
        for _ in range(header_bytes // len(piece)):
            sock.sendall(piece)
    except OSError as exc:
        return f"send failed: {exc.__class__.__name__}"
    return "all sent"


def answer_to_unfinished_head(sock) -> str:
    """The server's reply to a head that was never finished: a status line, or how the connection ended. A server
    that reads the whole head first never answers, and the read times out (the test fails)."""
    sock.settimeout(60)
    try:
        return sock.recv(200).split(b"\r\n")[0].decode() or "closed"
    except ConnectionResetError:
        return "reset"


@pytest.mark.slow
def test_serve_refuses_an_oversized_header_before_reading_it_while_others_are_served(index):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "evidence_bot.cli", "--index", str(index), "serve", "--port", str(port)]
    with process(command, {}, f"{base}/healthz"):
        with socket.create_connection(("127.0.0.1", port)) as attack:
            sending = {}
            sender = threading.Thread(target=lambda: sending.update(how=send_head(attack, 8 * 1024 * 1024)))
            sender.start()
            assert httpx.get(f"{base}/api/documents", timeout=60).status_code == 200  # not held up meanwhile
            reply = answer_to_unfinished_head(attack)
            sender.join(timeout=60)
        assert reply.startswith(("HTTP/1.1 400", "HTTP/1.1 431")) or reply in ("closed", "reset"), reply
        longest = httpx.get(f"{base}/api/search", params={"q": "中" * 2000}, timeout=60)  # 18 KB of URL: within bound
        assert longest.status_code == 200, longest.text[:200]


def test_the_app_refuses_oversized_headers_with_431_before_authentication(index, embedder):
    store = TokenStore(index / "access.sqlite")
    _, token = store.create("reader", "reader", [])
    with running(create_app(bot=EvidenceBot(Settings(index_dir=index), embedder=embedder))) as base:
        huge = httpx.get(f"{base}/api/documents", headers={"Authorization": "Bearer " + "a" * 40_000})
        assert huge.status_code == 431 and "header" in huge.json()["detail"]
        many = httpx.get(f"{base}/v1/models", headers={f"X-Note-{n}": "b" * 1000 for n in range(40)})
        assert many.status_code == 431 and "header" in many.json()["error"]["message"]
        assert httpx.get(f"{base}/api/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
