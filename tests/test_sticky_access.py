"""A document's access level is sticky: new content or reprocessing never changes it; only a newly declared level
does, and every such change is audited and reported (issue 15)."""

import getpass
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from evidence_bot import EvidenceBot, Settings
from evidence_bot.errors import EmptyIndexError
from evidence_bot.governance.access import TokenStore, Viewer
from evidence_bot.governance.audit import AuditLog
from evidence_bot.models import DocumentMeta
from evidence_bot.server import create_app


@pytest.fixture(scope="module")
def service(tmp_path_factory, fake_embedder):
    bot = EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("sticky-index")), embedder=fake_embedder)
    standing = tmp_path_factory.mktemp("sticky-corpus") / "standing.txt"  # so that a reader has something to read
    standing.write_text("Standing evidence\n\nThe carers' strategy was refreshed in 2024.\n", encoding="utf-8")
    assert bot.library().ingest([standing]).ok
    store = TokenStore(bot.settings.access_path)
    headers = {role: {"Authorization": f"Bearer {store.create(role, role, [])[1]}"} for role in ("reader", "admin")}
    with TestClient(create_app(bot=bot), client=("127.0.0.1", 50000)) as client:
        yield client, headers, bot


def exempt(canary: str, count: int) -> str:
    return f"Exempt item\n\nThe {canary} holds {count} entries about named care homes, which must not be disclosed.\n"


def upload(client, headers, name: str, content: str, **fields):
    return client.post("/api/documents", headers=headers, files={"file": (name, content.encode())}, data=fields)


def reader_finds(bot: EvidenceBot, phrase: str) -> bool:
    try:
        hits = bot.reader(Viewer("a reader")).search(phrase, top_k=50)
    except EmptyIndexError:  # nothing the reader may read
        return False
    return any(phrase in hit.passage.text for hit in hits)


def access_of(bot: EvidenceBot, path) -> str | None:
    return bot.catalog.document_by_path(str(path.resolve()))["access"]


def audit_events(bot: EvidenceBot, action: str = "access") -> list[dict]:
    log = AuditLog(bot.settings.audit_path, bot.settings.audit_retention_days, purge_on_open=False)
    try:
        return [e for e in log.events() if e["action"] == action]
    finally:
        log.close()


def test_access_given_on_the_command_line_survives_an_edit(service, tmp_path):
    _, _, bot = service
    folder = tmp_path / "cases"
    folder.mkdir()
    note = folder / "exempt.txt"
    note.write_text(exempt("numbat file 4471", 12), encoding="utf-8")
    assert bot.library().ingest([note], DocumentMeta(access="restricted")).ok
    note.write_text(exempt("numbat file 4471", 14), encoding="utf-8")
    report = bot.library().ingest([folder])
    assert report.updated == [str(note.resolve())]
    assert access_of(bot, note) == "restricted"
    assert not reader_finds(bot, "numbat file 4471")


def test_a_restricted_upload_replaced_without_an_access_field_stays_restricted(service):
    client, headers, bot = service
    first = upload(client, headers["admin"], "exempt-note.txt", exempt("pangolin file 8812", 3), access="restricted")
    assert first.status_code == 201 and first.json()["document"]["access"] == "restricted"
    second = upload(client, headers["admin"], "exempt-note.txt", exempt("pangolin file 8812", 5))
    assert second.status_code == 201, second.text
    assert second.json()["status"] == "replaced" and second.json()["document"]["access"] == "restricted"
    found = client.get("/api/search", params={"q": "pangolin file 8812"}, headers=headers["reader"])
    assert found.status_code == 200, found.text
    results = found.json()["results"]
    assert not any("pangolin file 8812" in r["passage"]["text"] for r in results)


def test_a_recovered_upload_ingested_again_keeps_its_access(service):
    """recovery.py marks a document whose vector write was cut short for reprocessing; that is not a new level."""
    client, headers, bot = service
    sent = upload(client, headers["admin"], "recovered.txt", exempt("okapi file 3390", 7), access="restricted")
    doc_id = sent.json()["document"]["doc_id"]
    bot.catalog.begin_vector_write(doc_id)
    with bot.catalog.transaction() as db:  # as if written by an upload whose process was killed
        db.execute("UPDATE vector_writes SET pid = 999999999 WHERE doc_id = ?", (doc_id,))
    recovered, _ = bot.library().check()
    assert recovered == [doc_id]
    report = bot.library().ingest([bot.settings.uploads_dir])  # what `evidence-bot ingest <index>/uploads` runs
    assert str((bot.settings.uploads_dir / "recovered.txt").resolve()) in report.updated
    assert bot.catalog.document(doc_id)["access"] == "restricted"
    assert not reader_finds(bot, "okapi file 3390")


def test_a_declared_new_level_applies_and_is_warned_and_audited(service, tmp_path):
    _, _, bot = service
    folder = tmp_path / "declared"
    folder.mkdir()
    note = folder / "minutes.txt"
    note.write_text(exempt("tapir file 6120", 2), encoding="utf-8")
    sources = folder / "sources.yaml"
    sources.write_text("documents:\n  - path: minutes.txt\n    access: restricted\n", encoding="utf-8")
    assert bot.library().ingest([folder]).ok and access_of(bot, note) == "restricted"
    sources.write_text("documents:\n  - path: minutes.txt\n    access: internal\n", encoding="utf-8")
    officer = Viewer("records officer", "admin")
    report = bot.library().ingest([folder], actor=officer)  # unchanged content: only the level changes
    assert access_of(bot, note) == "internal"
    assert f"access of {note.resolve()} changed from restricted to internal (declared in {sources})" in report.warnings
    event = next(e for e in audit_events(bot) if str(note.resolve()) in e["detail"])
    assert event["who"] == "records officer" and "restricted -> internal" in event["detail"]

    note.write_text(exempt("tapir file 6120", 4), encoding="utf-8")  # new content and a level given again
    report = bot.library().ingest([note], DocumentMeta(access="group:hr"), actor=officer)
    assert access_of(bot, note) == "group:hr"
    assert any(w.startswith(f"access of {note.resolve()} changed from internal to group:hr") for w in report.warnings)
    assert len([e for e in audit_events(bot) if str(note.resolve()) in e["detail"]]) == 2


def test_an_access_change_is_audited_as_it_is_applied_even_if_the_run_is_cut_short(service, tmp_path, monkeypatch):
    """The level of an unchanged document is applied while the run goes on; a Ctrl-C (or a crash) later in the
    same run must not leave it applied without its audit event."""
    _, _, bot = service
    folder = tmp_path / "interrupted"
    folder.mkdir()
    note, survey = folder / "exempt.txt", folder / "survey.txt"
    note.write_text(exempt("otter file 7781", 3), encoding="utf-8")
    survey.write_text("Survey\n\nThe badger survey found 5 setts.\n", encoding="utf-8")
    sources = folder / "sources.yaml"
    sources.write_text("documents:\n  - path: exempt.txt\n    access: restricted\n", encoding="utf-8")
    assert bot.library().ingest([folder]).ok
    sources.write_text("documents:\n  - path: exempt.txt\n    access: group:hr\n", encoding="utf-8")
    survey.write_text("Survey\n\nThe badger survey found 6 setts.\n", encoding="utf-8")  # embedded after the change

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bot.embedder, "embed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bot.library().ingest([folder], actor=Viewer("records officer", "admin"))
    monkeypatch.undo()
    assert access_of(bot, note) == "group:hr"
    events = [e for e in audit_events(bot) if str(note.resolve()) in e["detail"]]
    assert len(events) == 1 and "restricted -> group:hr" in events[0]["detail"], events
    assert events[0]["who"] == "records officer" and f"declared in {sources}" in events[0]["detail"]


def test_an_upload_changing_a_level_is_audited_under_the_admins_name(service):
    client, headers, bot = service
    upload(client, headers["admin"], "briefing.txt", exempt("dugong file 2231", 1), access="restricted")
    response = upload(client, headers["admin"], "briefing.txt", exempt("dugong file 2231", 1), access="public")
    assert response.json()["document"]["access"] == "public"
    assert any("changed from restricted to public (declared in the upload form)" in w
               for w in response.json()["warnings"])
    event = next(e for e in audit_events(bot) if "briefing.txt" in e["detail"])
    assert event["who"] == "admin" and event["role"] == "admin" and "restricted -> public" in event["detail"]


def test_the_cli_audits_a_change_under_the_command_line_and_os_user(tmp_path):
    note = tmp_path / "exempt.txt"
    note.write_text(exempt("kiwi file 5507", 9), encoding="utf-8")
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(tmp_path / "index")}

    def ingest(*args):
        return subprocess.run([sys.executable, "-m", "evidence_bot.cli", "ingest", "--quiet", *args],
                              capture_output=True, text=True, env=env, timeout=600)

    assert ingest("--access", "restricted", str(note)).returncode == 0
    changed = ingest("--access", "internal", str(note))
    assert changed.returncode == 0, changed.stderr
    assert (f"Warning: access of {note.resolve()} changed from restricted to internal (declared in --access on the "
            "command line)") in changed.stderr
    log = AuditLog(tmp_path / "index" / "audit.sqlite", 365, purge_on_open=False)
    event = next(e for e in log.events() if e["action"] == "access")
    assert getpass.getuser() in event["who"] and "ingest" in event["who"] and "--access internal" in event["who"]
