import json
import os
import subprocess
import sys

import pytest
from conftest import SAMPLE, SAMPLE_DOCUMENTS

pytestmark = pytest.mark.slow


def cli(*args, index, stdin=None):
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index)}
    return subprocess.run([sys.executable, "-m", "evidence_bot.cli", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=600)


def test_cli_end_to_end(tmp_path):
    index = tmp_path / "index"
    empty = cli("ask", "Anything?", index=index)
    assert empty.returncode == 3 and "no documents have been ingested yet" in empty.stderr

    first = cli("ingest", str(SAMPLE), index=index)
    assert first.returncode == 0, first.stderr
    assert f"{SAMPLE_DOCUMENTS} added" in first.stdout
    assert f"{SAMPLE_DOCUMENTS} unchanged" in cli("ingest", str(SAMPLE), index=index).stdout

    asked = cli("ask", "--json", "Who asked about unpaid carers?", index=index)
    answer = json.loads(asked.stdout)
    assert set(answer) >= {"answer", "abstained", "citations", "confidence", "query", "mode", "note", "removed",
                           "removed_citations", "partial"}
    assert "Helen Marsh" in answer["answer"] and answer["citations"][0]["doc_type"] == "minutes"
    assert set(answer["citations"][0]) >= {"n", "document", "title", "doc_type", "date", "page", "section",
                                           "text", "score"}

    batch_in = tmp_path / "in.jsonl"
    batch_in.write_text("\n".join(json.dumps(x) for x in [
        {"id": "q1", "question": "Which action is about the DoLS backlog?", "extra": "ignored"},
        {"id": "q2", "question": "And who owns that action?", "history": ["Which action is about the DoLS backlog?"]},
        {"id": "q3", "question": "How many potholes were repaired in 2024?"},
    ]) + "\n")
    batch_out = tmp_path / "out.jsonl"
    batch = cli("ask", "--batch", str(batch_in), "--output", str(batch_out), index=index)
    assert batch.returncode == 0, batch.stderr
    records = [json.loads(line) for line in batch_out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["q1", "q2", "q3"]
    assert all(r["latency_ms"] > 0 for r in records)
    assert "Safeguarding Service Manager" in records[1]["answer"] and records[2]["abstained"]

    listed = cli("docs", "list", "--json", index=index)
    docs = json.loads(listed.stdout)
    assert len(docs) == SAMPLE_DOCUMENTS
    shown = json.loads(cli("docs", "show", docs[0]["doc_id"], index=index).stdout)
    assert shown["passages"] >= 1
    assert cli("docs", "remove", docs[0]["doc_id"], index=index).returncode == 0
    assert len(json.loads(cli("docs", "list", "--json", index=index).stdout)) == SAMPLE_DOCUMENTS - 1
    assert cli("docs", "show", "nope", index=index).returncode == 3

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "ok.txt").write_text("Carers panel\n\nThe carers panel met in May 2025 and agreed its terms.\n")
    partial = cli("ingest", str(bad), index=index)
    assert partial.returncode == 1 and "empty.txt: empty file" in partial.stderr and "1 added" in partial.stdout


def test_chat_keeps_the_conversation(tmp_path):
    index = tmp_path / "index"
    assert cli("ingest", str(SAMPLE), index=index).returncode == 0
    session = cli("chat", index=index,
                  stdin="Which action is about the DoLS backlog?\nAnd who owns that action?\nquit\n")
    assert session.returncode == 0, session.stderr
    assert "Safeguarding Service Manager" in session.stdout and "Sources" in session.stdout
