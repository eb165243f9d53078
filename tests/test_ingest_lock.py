"""One ingest at a time per index: a second one fails at once with a clear message, writing nothing (issue 15)."""

import os
import subprocess
import sys

import pytest

from evidence_bot import EvidenceBot, Settings
from evidence_bot.store.index_lock import IndexBusyError, IndexLock


def cli_ingest(index, *paths):
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index)}
    return subprocess.run([sys.executable, "-m", "evidence_bot.cli", "ingest", "--quiet", *map(str, paths)],
                          capture_output=True, text=True, env=env, timeout=600)


def test_a_second_cli_ingest_fails_at_once_naming_the_index_and_the_holder(tmp_path, fake_embedder):
    index = tmp_path / "index"
    (tmp_path / "note.txt").write_text("Report\n\nThe stoat survey found 9 dens.\n", encoding="utf-8")
    with IndexLock(index):  # this process stands for the first ingest, still running
        second = cli_ingest(index, tmp_path / "note.txt")
    assert second.returncode == 1
    assert f"another ingest (pid {os.getpid()}) is writing to the index {index}" in second.stderr
    assert "Traceback" not in second.stderr
    bot = EvidenceBot(Settings(index_dir=index), embedder=fake_embedder)
    assert bot.catalog.count_documents() == 0  # nothing half-written
    assert bot.library().ingest([tmp_path / "note.txt"]).ok  # the lock went with its holder


def test_an_ingest_in_process_meets_the_same_lock(tmp_path, fake_embedder):
    """An upload in the server and a CLI ingest exclude each other the same way."""
    bot = EvidenceBot(Settings(index_dir=tmp_path / "index"), embedder=fake_embedder)
    (tmp_path / "note.txt").write_text("Report\n\nThe vole survey found 4 burrows.\n", encoding="utf-8")
    with IndexLock(bot.settings.index_dir):
        with pytest.raises(IndexBusyError, match=f"pid {os.getpid()}"):
            bot.library().ingest([tmp_path / "note.txt"])
    assert bot.catalog.count_documents() == 0
