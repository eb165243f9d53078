"""Crash safety, the short CI version of evals/crash_trials.py (the full one: 20 trials on Thurrock)."""

import hashlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "evals"))
import crash_trials  # noqa: E402

from evidence_bot.models import DocumentMeta  # noqa: E402
from evidence_bot.store.catalog import Catalog  # noqa: E402


@pytest.mark.slow
def test_ingest_killed_at_random_moments_leaves_a_consistent_index(tmp_path):
    report = crash_trials.run(SAMPLE, trials=3, seed=7, root=tmp_path)
    failed = [o for o in report["outcomes"] if not o["survived"]]
    assert not failed, failed
    assert report["reference"]["ok"] and report["reference"]["passages"] > 0


def test_an_interrupted_vector_write_is_tidied_when_the_index_next_opens(fresh_bot, tmp_path):
    """What a SIGKILL between the vector write and the catalog swap leaves, made directly."""
    (tmp_path / "a.txt").write_text("Report\n\nThe stoat survey found 9 dens.\n", encoding="utf-8")
    assert fresh_bot.library().ingest([tmp_path]).ok
    doc_id = fresh_bot.catalog.documents()[0]["doc_id"]
    fresh_bot.catalog.begin_vector_write("deadbeef0000")  # a new document whose ingest was killed mid-write
    fresh_bot.vectors.add(["deadbeef0000-0000"], ["deadbeef0000"], [[0.1] * 384])
    fresh_bot.unit_vectors.add(["deadbeef0000-0000@0"], ["deadbeef0000"], [[0.1] * 384])
    with fresh_bot.catalog.transaction() as db:  # as if written by a process that has since died
        db.execute("UPDATE vector_writes SET pid = 999999999")
    recovered, check = fresh_bot.library().check()
    assert recovered == ["deadbeef0000"] and check.ok, check.problems
    assert fresh_bot.vectors.ids_for_document("deadbeef0000") == []
    assert fresh_bot.catalog.documents()[0]["doc_id"] == doc_id


def test_check_names_orphans_and_missing_vectors(fresh_bot, tmp_path):
    (tmp_path / "a.txt").write_text("Report\n\nThe vole survey found 4 burrows.\n", encoding="utf-8")
    assert fresh_bot.library().ingest([tmp_path]).ok
    fresh_bot.vectors.add(["feedface0000-0001"], ["feedface0000"], [[0.2] * 384])
    passage = sorted(fresh_bot.catalog.all_passage_ids())[0]
    fresh_bot.vectors.delete([passage])
    _, check = fresh_bot.library().check()
    assert not check.ok
    assert any("passage vectors: 1 entries with no catalog passage" in p for p in check.problems)
    assert any("passage vectors: 1 catalog passages missing" in p for p in check.problems)


UPLOAD_KILLED = """
import io, os, signal, sys
from pathlib import Path
from evidence_bot import EvidenceBot, Settings
from evidence_bot.store.catalog import Catalog
from evidence_bot.models import DocumentMeta

index, point = Path(sys.argv[1]), sys.argv[2]
library = EvidenceBot(Settings(index_dir=index)).library()
library.upload(io.BytesIO(b"Bulletin\\n\\nThe pangolin survey reached 310 homes.\\n"), "bulletin.txt", DocumentMeta())
swap = Catalog.replace_document

def killed(self, *args, **kwargs):
    if point == "after":
        swap(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

Catalog.replace_document = killed
library.upload(io.BytesIO(b"Bulletin\\n\\nThe pangolin survey reached 355 homes.\\n"), "bulletin.txt", DocumentMeta())
"""


@pytest.mark.slow
@pytest.mark.parametrize("point, survives", [("before", "310 homes"), ("after", "355 homes")])
def test_an_upload_killed_around_the_catalog_swap_leaves_the_file_matching_the_catalog(tmp_path, point, survives):
    """A process replacing an upload is SIGKILLed just before (or just after) the catalog swap; reopening the
    index (`evidence-bot check`) leaves the file on disk holding exactly the content the catalog indexed."""
    index = tmp_path / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    killed = subprocess.run([sys.executable, "-c", UPLOAD_KILLED, str(index), point], env=env, capture_output=True,
                            text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    check = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", str(index), "check"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr
    catalog = Catalog(index / "catalog.sqlite")
    row = catalog.documents()[0]
    stored = Path(row["path"])
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == row["content_hash"]
    assert survives in stored.read_text() and survives in row["text"]
    assert [p.name for p in stored.parent.iterdir()] == ["bulletin.txt"]  # nothing staged is left behind
    catalog.close()


def test_check_names_an_uploaded_file_that_differs_from_the_catalog(fresh_bot):
    fresh_bot.library().upload(io.BytesIO(b"Bulletin\n\nThe marten count was 6.\n"), "marten.txt", DocumentMeta())
    assert fresh_bot.library().check()[1].ok
    (fresh_bot.settings.uploads_dir / "marten.txt").write_bytes(b"Bulletin\n\nThe marten count was 60.\n")
    _, check = fresh_bot.library().check()
    assert any(p.startswith("uploads: marten.txt") for p in check.problems), check.problems
