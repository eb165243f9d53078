"""POST and DELETE /api/documents: admins only, type from content, safe names, a size limit, nothing lost."""

import io
import re
import threading
import zipfile
from hashlib import sha256
from pathlib import Path

import pytest

from evidence_bot import EvidenceBot, Settings
from evidence_bot.governance.access import TokenStore
from evidence_bot.ingest.uploads import safe_name
from evidence_bot.server import create_app

from helpers.pdfmaker import page, write_pdf
from helpers.server import local_client

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def service(tmp_path_factory, fake_embedder):
    corpus = tmp_path_factory.mktemp("upload-corpus")
    (corpus / "standing.txt").write_text("Standing evidence\n\nThe carers' strategy was refreshed in 2024 with 40 "
                                         "carers taking part in its design.\n", encoding="utf-8")
    bot = EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("upload-index"), max_upload_bytes=LIMIT),
                      embedder=fake_embedder)
    assert bot.library().ingest([corpus]).ok
    store = TokenStore(bot.settings.access_path)
    headers = {role: {"Authorization": f"Bearer {store.create(role, role, [])[1]}"} for role in ("reader", "admin")}
    with local_client(create_app(bot=bot)) as client:
        yield client, headers, bot


def pdf_bytes(tmp_path, text: str) -> bytes:
    return write_pdf(tmp_path / "made.pdf", [page(("h1", "Occupational therapy"), ("p", text))]).read_bytes()


def upload(client, headers, name: str, content: bytes, **fields):
    return client.post("/api/documents", headers=headers, files={"file": (name, content)}, data=fields)


def searchable(client, headers, words: str) -> str:
    """The passages a search returns, as one text (the echoed query left out)."""
    results = client.get("/api/search", params={"q": words}, headers=headers).json()["results"]
    return "\n".join(r["passage"]["text"] for r in results)


@pytest.mark.parametrize("sent, kind, stored", [
    ("../../etc/passwd", "text", "passwd.txt"),
    ("..\\..\\Windows\\system32\\evil.pdf", "pdf", "evil.pdf"),
    ("Résumé of OT waits (v2).PDF", "pdf", "Resume-of-OT-waits-v2.pdf"),
    (".hidden", "html", "hidden.html"),
    ("Straße.txt", "text", "Strae-" + sha256(b"Stra\xc3\x9fe.txt").hexdigest()[:8] + ".txt"),
])
def test_sent_names_are_made_safe(sent, kind, stored):
    assert safe_name(sent, kind) == stored


@pytest.mark.parametrize("names", [
    ["Отчёт.txt", "報告.txt", "تقرير.txt"],
    [".", "..", "....", "", "/"],
    ["Отчёт 2024.txt", "План 2024.txt"],  # the same safe characters left, different names
])
def test_names_that_lose_their_letters_stay_distinct(names):
    stored = [safe_name(name, "text") for name in names]
    assert len(set(stored)) == len(names), stored
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+\.txt", s) and s not in (".txt", "..txt") for s in stored), stored
    assert stored == [safe_name(name, "text") for name in names]  # the same name again replaces its document


def test_two_non_latin_names_are_two_documents_and_the_first_keeps_its_access(service):
    client, headers, bot = service
    first = upload(client, headers["admin"], "Отчёт.txt", b"Report\n\nThe quokka ledger 5512 is exempt.\n",
                   access="restricted")
    second = upload(client, headers["admin"], "報告.txt", b"Report\n\nThe wombat ledger 7781 is public.\n",
                    access="public")
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert second.json()["status"] == "added"
    ids = first.json()["document"]["doc_id"], second.json()["document"]["doc_id"]
    assert ids[0] != ids[1]
    assert bot.catalog.document(ids[0])["access"] == "restricted"
    assert "quokka" not in searchable(client, headers["reader"], "quokka ledger 5512")
    assert "quokka" in searchable(client, headers["admin"], "quokka ledger 5512")
    assert "wombat" in searchable(client, headers["reader"], "wombat ledger 7781")


def test_a_reader_may_not_upload_or_delete(service):
    client, headers, bot = service
    assert upload(client, headers["reader"], "a.txt", b"Some evidence text.").status_code == 403
    some_id = bot.catalog.documents()[0]["doc_id"]
    assert client.delete(f"/api/documents/{some_id}", headers=headers["reader"]).status_code == 403
    assert client.delete("/api/documents/000000000000", headers=headers["reader"]).status_code == 403
    assert len(bot.catalog.documents()) >= 1


def test_an_admin_uploads_a_pdf_sent_under_a_lying_traversing_name(service, tmp_path):
    client, headers, bot = service
    content = pdf_bytes(tmp_path, "In 2025 the occupational therapy waiting list fell to 212 people.")
    response = upload(client, headers["admin"], "../../../tmp/notes.txt", content, title="OT waiting list update",
                      date="2025-06", doc_type="other")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "added" and body["passages"] >= 1
    document = body["document"]
    assert document["format"] == "pdf" and document["title"] == "OT waiting list update"
    assert document["access"] == "internal"
    stored = bot.settings.uploads_dir / "notes.pdf"
    assert stored.is_file() and document["path"] == str(stored.resolve())
    assert not any(p.name.startswith(".upload-") for p in bot.settings.uploads_dir.iterdir())
    assert "212 people" in searchable(client, headers["reader"], "occupational therapy waiting list")


def test_an_upload_can_be_restricted(service):
    client, headers, bot = service
    response = upload(client, headers["admin"], "exempt.txt", b"Exempt item\n\nThe numbat file 4471 is exempt.\n",
                      access="restricted")
    assert response.status_code == 201 and response.json()["document"]["access"] == "restricted"
    assert "numbat" not in searchable(client, headers["reader"], "numbat file 4471")
    assert "numbat" in searchable(client, headers["admin"], "numbat file 4471")


@pytest.mark.parametrize("name, content, fields, status, message", [
    ("budget.pdf", None, {}, 415, "budget.pdf: the content is zip"),
    ("budget.xlsx", "workbook", {}, 422, "budget.xlsx: not a readable Excel workbook"),
    ("legacy.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, {}, 415, "legacy.doc: the content is ole"),
    ("blank.txt", b"   \n", {}, 422, "blank.txt: the file is empty"),
    ("huge.txt", b"word " * (LIMIT // 4), {}, 413, "huge.txt: larger than the upload limit"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", {}, 422, "broken.pdf: "),
    ("dated.txt", b"Evidence.", {"date": "last spring"}, 422, "form: date 'last spring'"),
    ("open.txt", b"Evidence.", {"access": "everyone"}, 422, "form: access 'everyone' is not one of"),
])
def test_bad_uploads_are_refused_by_name_and_lose_nothing(service, name, content, fields, status, message):
    client, headers, bot = service
    if content in (None, "workbook"):  # an archive of something else, or a workbook missing its parts
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml" if content else "notes/readme.txt", "<workbook/>")
        content = buffer.getvalue()
    before = {r["doc_id"] for r in bot.catalog.documents()}
    uploads_before = sorted(bot.settings.uploads_dir.glob("*")) if bot.settings.uploads_dir.exists() else []
    response = upload(client, headers["admin"], name, content, **fields)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert str(bot.settings.uploads_dir) not in response.json()["detail"]  # no server paths in messages
    assert {r["doc_id"] for r in bot.catalog.documents()} == before
    after = sorted(bot.settings.uploads_dir.glob("*")) if bot.settings.uploads_dir.exists() else []
    assert after == uploads_before
    assert "40 carers" in searchable(client, headers["reader"], "carers strategy")


def test_uploading_the_same_name_again_replaces_the_document(service):
    client, headers, bot = service
    first = upload(client, headers["admin"], "bulletin.txt", b"Bulletin\n\nThe pangolin survey reached 310 homes.\n")
    second = upload(client, headers["admin"], "bulletin.txt", b"Bulletin\n\nThe pangolin survey reached 355 homes.\n")
    assert (first.json()["status"], second.json()["status"]) == ("added", "replaced")
    assert first.json()["document"]["doc_id"] == second.json()["document"]["doc_id"]
    found = searchable(client, headers["reader"], "pangolin survey homes")
    assert "355 homes" in found and "310 homes" not in found


def test_delete_removes_the_document_everywhere(service):
    client, headers, bot = service
    created = upload(client, headers["admin"], "to-delete.txt", b"Temporary\n\nThe axolotl audit found 17 cases.\n")
    doc_id = created.json()["document"]["doc_id"]
    stored = bot.settings.uploads_dir / "to-delete.txt"
    assert stored.is_file()
    response = client.delete(f"/api/documents/{doc_id}", headers=headers["admin"])
    assert response.status_code == 200 and response.json() == {"deleted": doc_id}
    assert not stored.exists()
    assert "axolotl" not in searchable(client, headers["admin"], "axolotl audit")
    assert bot.vectors.ids_for_document(doc_id) == [] and bot.unit_vectors.ids_for_document(doc_id) == []
    assert client.get(f"/api/documents/{doc_id}", headers=headers["admin"]).status_code == 404
    assert client.delete(f"/api/documents/{doc_id}", headers=headers["admin"]).status_code == 404


def test_deleting_an_ingested_file_leaves_the_councils_own_file_alone(service):
    client, headers, bot = service
    row = next(r for r in bot.catalog.documents() if r["path"].endswith("standing.txt"))
    assert client.delete(f"/api/documents/{row['doc_id']}", headers=headers["admin"]).status_code == 200
    assert Path(row["path"]).is_file()
    assert bot.library().ingest([Path(row["path"])]).added  # and ingesting it again brings it back


def long_report() -> bytes:
    paragraphs = [f"In quarter {i % 4 + 1} the reablement team supported {100 + i} people leaving hospital, and "
                  f"{20 + i % 9} of them needed no further care after six weeks." for i in range(60)]
    return ("Reablement report\n\n" + "\n\n".join(paragraphs) + "\n").encode()


def test_a_reader_is_answered_while_an_upload_is_being_embedded(service, monkeypatch):
    """The upload's embedding waits (up to a minute) for the reader's answer: a reader the upload does not
    block is answered first; one queued behind the upload is answered only after it."""
    client, headers, bot = service
    events, embedding, reader_answered = [], threading.Event(), threading.Event()
    embed = bot.embedder.embed

    def embed_once_the_reader_is_answered(texts, progress=None):
        if not embedding.is_set():
            events.append("upload embedding")
            embedding.set()
            reader_answered.wait(timeout=60)
        return embed(texts, progress)

    monkeypatch.setattr(bot.embedder, "embed", embed_once_the_reader_is_answered)

    def send_upload():
        response = upload(client, headers["admin"], "reablement.txt", long_report())
        events.append(("upload finished", response.status_code))

    uploading = threading.Thread(target=send_upload)
    uploading.start()
    assert embedding.wait(timeout=120)
    answer = client.post("/api/chat", headers=headers["reader"], json={"question": "What is the carers' strategy?"})
    events.append(("reader answered", answer.status_code))
    reader_answered.set()
    uploading.join(timeout=300)
    assert events == ["upload embedding", ("reader answered", 200), ("upload finished", 201)]
    assert "reablement team supported 100 people" in searchable(client, headers["reader"], "reablement team hospital")


def test_an_upload_or_delete_while_another_ingest_writes_is_a_409_that_names_no_server_path(service):
    """A CLI ingest holds the index's ingest lock (index_lock.py): an upload or a delete then gets 409 with
    Retry-After and a message without the index path, and nothing changes; once it is free both work."""
    from evidence_bot.store.index_lock import IndexLock

    client, headers, bot = service
    content = b"Busy index evidence\n\nThe reablement pilot reached 212 people in 2025.\n"
    with IndexLock(bot.settings.index_dir):
        refused = upload(client, headers["admin"], "busy-index.txt", content)
        standing = next(row["doc_id"] for row in bot.catalog.documents() if row["path"].endswith("standing.txt"))
        delete = client.delete(f"/api/documents/{standing}", headers=headers["admin"])
    for response in (refused, delete):
        assert response.status_code == 409, response.text
        assert response.headers["Retry-After"].isdigit()
        assert str(bot.settings.index_dir) not in response.text
    assert not any(row["path"].endswith("busy-index.txt") for row in bot.catalog.documents())
    assert not list(bot.settings.uploads_dir.glob("*busy-index*"))  # the staged copy is gone too
    assert any(row["doc_id"] == standing for row in bot.catalog.documents())
    assert upload(client, headers["admin"], "busy-index.txt", content).status_code == 201
