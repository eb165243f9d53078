"""Crash safety, the short CI version of evals/crash_trials.py (the full one: 20 trials on Thurrock)."""

import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "evals"))
import crash_trials  # noqa: E402


@pytest.mark.slow
def test_ingest_killed_at_random_moments_leaves_a_consistent_index(tmp_path):
    report = crash_trials.run(SAMPLE, trials=3, seed=7, root=tmp_path)
    failed = [o for o in report["outcomes"] if not o["survived"]]
    assert not failed, failed
    assert report["reference"]["ok"] and report["reference"]["passages"] > 0


def test_an_interrupted_vector_write_is_tidied_when_the_index_next_opens(fresh_bot, tmp_path):
    """What a SIGKILL between the vector write and the catalog swap leaves, made directly."""
    (tmp_path / "a.txt").write_text("Report\n\nThe stoat survey found 9 dens.\n", encoding="utf-8")
    assert fresh_bot.ingest([tmp_path]).ok
    doc_id = fresh_bot.catalog.documents()[0]["doc_id"]
    fresh_bot.catalog.begin_vector_write("deadbeef0000")  # a new document whose ingest was killed mid-write
    fresh_bot.vectors.add(["deadbeef0000-0000"], ["deadbeef0000"], [[0.1] * 384])
    fresh_bot.unit_vectors.add(["deadbeef0000-0000@0"], ["deadbeef0000"], [[0.1] * 384])
    with fresh_bot.catalog.transaction() as db:  # as if written by a process that has since died
        db.execute("UPDATE vector_writes SET pid = 999999999")
    recovered, check = fresh_bot.check()
    assert recovered == ["deadbeef0000"] and check.ok, check.problems
    assert fresh_bot.vectors.ids_for_document("deadbeef0000") == []
    assert fresh_bot.catalog.documents()[0]["doc_id"] == doc_id


def test_check_names_orphans_and_missing_vectors(fresh_bot, tmp_path):
    (tmp_path / "a.txt").write_text("Report\n\nThe vole survey found 4 burrows.\n", encoding="utf-8")
    assert fresh_bot.ingest([tmp_path]).ok
    fresh_bot.vectors.add(["feedface0000-0001"], ["feedface0000"], [[0.2] * 384])
    passage = sorted(fresh_bot.catalog.all_passage_ids())[0]
    fresh_bot.vectors.delete([passage])
    _, check = fresh_bot.check()
    assert not check.ok
    assert any("passage vectors: 1 entries with no catalog passage" in p for p in check.problems)
    assert any("passage vectors: 1 catalog passages missing" in p for p in check.problems)
