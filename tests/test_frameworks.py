"""Frameworks as data, and the passage mapping stored at ingest."""

import tomllib
from pathlib import Path

import pytest
from conftest import THURROCK

from evidence_bot import EvidenceBot, Settings
from evidence_bot.evaluation.mapping import load_labels, score_mapping
from evidence_bot.evidence.frameworks.framework import FrameworkError, load_frameworks, parse_framework

ROOT = Path(__file__).resolve().parents[1]


def test_builtin_frameworks_hold_cqc_and_ofsted():
    frameworks = load_frameworks()
    cqc, ofsted = frameworks["cqc-la"], frameworks["ofsted-ilacs"]
    assert [name for _, name, _ in cqc.themes()] == ["Working with people", "Providing support",
                                                      "Ensuring safety within the system", "Leadership"]
    assert len(cqc.statements) == 9 and {c.id for c in cqc.categories} == {
        "people", "staff", "partners", "processes", "outcomes"}
    assert [(b["from"], b["to"], b["rating"]) for b in cqc.bands][0] == (25, 38, "Inadequate")
    assert "care-leavers" in {s.id for s in ofsted.statements}
    assert all(s.good_evidence and s.terms for f in frameworks.values() for s in f.statements)


def test_a_council_adds_its_own_framework_without_code(tmp_path):
    (tmp_path / "local.yaml").write_text(
        "id: local-plan\nname: Local improvement plan\ncategories:\n"
        "  - {id: data, name: Data, description: Figures, terms: [rate]}\n"
        "themes:\n  - id: waits\n    name: Waiting\n    statements:\n"
        "      - {id: waiting-lists, name: Waiting lists, good_evidence: Waits fall, terms: [waiting list]}\n",
        encoding="utf-8")
    frameworks = load_frameworks(tmp_path)
    assert set(frameworks) == {"cqc-la", "ofsted-ilacs", "local-plan"}


@pytest.mark.parametrize("text, words", [
    ("id: x\nname: X\ncategories: []\n", "'themes' is missing"),
    ("id: x\nname: X\ncategories: []\nthemes:\n  - {id: t, name: T, statements: [{id: s, name: S}]}\n",
     "themes[0].statements[0]: 'good_evidence' is missing"),
    ("id: x\nname: [unclosed\n", "not valid YAML"),
])
def test_a_bad_framework_file_is_named_with_its_field(text, words):
    with pytest.raises(FrameworkError, match="local.yaml") as error:
        parse_framework(text, "frameworks/local.yaml")
    assert words in str(error.value)


def test_ingest_maps_passages_and_a_replaced_document_drops_its_old_rows(tmp_path, embedder):
    corpus = tmp_path / "evidence"
    corpus.mkdir()
    note = corpus / "safeguarding.txt"
    note.write_text("Safeguarding performance\n\nIn 2024 we received 1,200 safeguarding concerns and 300 section 42 "
                    "enquiries; Making Safeguarding Personal outcomes were achieved for 95% of people asked.\n",
                    encoding="utf-8")
    bot = EvidenceBot(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    assert bot.library().ingest([corpus]).ok
    rows = bot.mapping.statement_rows("cqc-la")
    assert {r["statement"] for r in rows} == {"safeguarding"}
    assert {r["category"] for r in rows} == {"outcomes"}
    note.write_text("Workforce\n\nOur staff survey told us that social workers value supervision and training.\n",
                    encoding="utf-8")
    assert bot.library().ingest([corpus]).ok
    assert "safeguarding" not in {r["statement"] for r in bot.mapping.statement_rows("cqc-la")}
    assert all(r["category"] == "staff" for r in bot.mapping.statement_rows("cqc-la"))


def test_sample_mapping_covers_its_themes(sample_bot):
    statements = {r["statement"] for r in sample_bot.mapping.statement_rows("cqc-la")}
    assert {"assessing-needs", "safeguarding"} <= statements


@pytest.mark.slow
def test_mapping_against_the_hand_labels(thurrock_bot):
    """The regression floors of `make eval`; the target (0.8) and where it falls short are in docs/frameworks.md."""
    labels = load_labels(ROOT / "evals" / "mapping.jsonl")
    assert len(labels) >= 80
    result = score_mapping(thurrock_bot, THURROCK, labels)
    overall = result["statements"]["overall"]
    floors = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))["mapping"]["min"]
    assert overall["precision"] >= floors["precision"] and overall["recall"] >= floors["recall"], overall
    assert result["categories"]["accuracy"] >= floors["category_accuracy"]
