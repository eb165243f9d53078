"""The learned statement mapping, `evidence-bot map`, and a readiness lead's corrections surviving re-ingest and
refits. The model file and the corrections are read for real; the integration tests use the real embedder."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE

from evidence_bot import EvidenceBot, Settings
from evidence_bot.evidence.frameworks.corrections import (
    Correction,
    CorrectionError,
    append_correction,
    read_corrections,
    span_of,
)
from evidence_bot.evidence.frameworks.framework import load_frameworks
from evidence_bot.evidence.frameworks.mapping import FEATURES, Mapper, term_pattern, term_share
from evidence_bot.evidence.frameworks.mapping_model import MappingModelError, load_mapping_model


def test_the_shipped_model_says_what_it_was_fitted_on_and_scores_every_feature():
    model = load_mapping_model()
    assert model.features == FEATURES and len(model.coefficients) == len(FEATURES)
    assert sorted(Path(labels).name for labels in model.fitted_on["labels"]) == ["mapping-selfassess.jsonl",
                                                                                "mapping-wider.jsonl"]
    assert model.fitted_on["passages"] >= 300
    assert "thurrock" not in json.dumps(model.fitted_on).lower()  # Thurrock's labels are the test, never the fit
    frameworks = load_frameworks()
    for fid in ("cqc-la", "ofsted-ilacs"):  # a learned vector per built-in statement, unit length
        for s in frameworks[fid].statements:
            assert abs(np.linalg.norm(model.statement_vectors[f"{fid}/{s.id}"]) - 1) < 1e-3


def test_the_rule_keeps_the_likely_statements_best_first():
    model = load_mapping_model()
    ids = ["a", "b", "c", "d", "e"]
    chosen = model.choose(ids, np.array([0.05, 0.9, model.threshold, 0.6, 0.99]))
    assert [s for s, _ in chosen] == ["e", "b", "d"][: model.max_statements]
    assert model.choose(ids, np.full(5, model.threshold / 2)) == []  # nothing likely: no statement


@pytest.mark.parametrize("text", ["An OT visited the CARE home", "an ot said it was ſafe", "İstanbul ıt",
                                  "the Kelvin scale", "Care-home", "caret", "waiting  list", "careers in care"])
def test_term_share_counts_what_the_patterns_alone_count(text):
    """The substring test before each pattern skips only terms that cannot match, the case-folded letters too."""
    terms = ("OT", "care", "care home", "safe", "kelvin", "it", "istanbul", "waiting list", "İstanbul")
    for term in terms:
        assert term_share(text, (term,), 1) == (1.0 if term_pattern(term).search(text) else 0.0), term
    assert term_share(text, terms, 100) == sum(bool(term_pattern(t).search(text)) for t in terms) / 100


def test_a_model_file_for_other_features_is_refused_naming_the_file(tmp_path):
    data = json.loads((SAMPLE.parents[1] / "src/evidence_bot/data/mapping-v1.json").read_text(encoding="utf-8"))
    broken = tmp_path / "mapping.json"
    broken.write_text(json.dumps(data | {"coefficients": data["coefficients"][:-1]}), encoding="utf-8")
    with pytest.raises(MappingModelError, match="mapping.json: 15 coefficients for 16 features"):
        load_mapping_model(broken)
    with pytest.raises(MappingModelError, match="missing.json: cannot be read"):
        load_mapping_model(tmp_path / "missing.json")
    renamed = tmp_path / "renamed.json"
    renamed.write_text(json.dumps(data | {"features": ["x", *data["features"][1:]]}), encoding="utf-8")
    with pytest.raises(MappingModelError, match="fit-mapping"):
        Mapper(load_frameworks()["cqc-la"], lambda texts: np.ones((len(texts), 384)), load_mapping_model(renamed))


def test_a_bad_corrections_line_names_the_file_line_and_field(tmp_path):
    path = tmp_path / "corrections.jsonl"
    good = Correction("/evidence/a.txt", "Safeguarding referrals rose", "cqc-la", ("safeguarding",), "outcomes")
    append_correction(path, good)
    assert read_corrections(path) == [good]
    with path.open("a", encoding="utf-8") as out:
        out.write('{"document": "/evidence/a.txt", "span": "x", "framework": "cqc-la", "statements": "safeguarding"}\n')
    with pytest.raises(CorrectionError, match=rf"{path}:2: 'statements' must be a list"):
        read_corrections(path)
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=rf"{path}:1: not valid JSON"):
        read_corrections(path)


def test_the_last_correction_of_a_passage_wins_and_spans_end_on_a_word(tmp_path):
    path = tmp_path / "corrections.jsonl"
    for statements in (("safeguarding",), ("learning", "governance")):
        append_correction(path, Correction("/e/a.txt", "The board met", "cqc-la", statements))
    assert [c.statements for c in read_corrections(path)] == [("learning", "governance")]
    span = span_of("word " * 100)
    assert len(span) <= 120 and span.endswith("word")


@pytest.mark.slow
def test_map_writes_one_line_per_passage_with_probabilities_best_first(sample_bot):
    result = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", str(sample_bot.settings.index_dir),
                             "map"], capture_output=True, text=True, check=True)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(sample_bot.catalog.all_passage_ids())
    for r in records:
        assert set(r) == {"path", "passage_id", "page", "section", "source", "statements", "category", "corrected"}
        probabilities = [s["probability"] for s in r["statements"]]
        assert probabilities == sorted(probabilities, reverse=True) and all(0 < p <= 1 for p in probabilities)
    assert {r["source"] for r in records} >= {"inspector", "council"}
    as_csv = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "--index", str(sample_bot.settings.index_dir),
                             "map", "--format", "csv", "--framework", "cqc-la"], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert as_csv[0] == "path,passage_id,page,section,source,statements,category,corrected" and len(as_csv) > 10


def corpus_copy(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    return corpus


@pytest.mark.slow
def test_a_correction_survives_reingest_a_fresh_index_and_a_refit(tmp_path, embedder):
    corpus = corpus_copy(tmp_path)
    corrections = tmp_path / "corrections.jsonl"  # kept beside the evidence: it outlives the index
    bot = EvidenceBot(Settings(index_dir=tmp_path / "one", mapping_corrections=corrections), embedder=embedder)
    assert bot.library().ingest([corpus]).ok
    records = bot.reader().mapping_records("cqc-la")
    target = next(r for r in records if "cqc-la/safeguarding" not in [s["id"] for s in r["statements"]])
    bot.library().correct_mapping(target["passage_id"], "cqc-la", ["safeguarding", "learning"], "people", note="test")
    assert bot.mapping.assignments("cqc-la")[target["passage_id"]] == (["safeguarding", "learning"], "people")

    edited = next(p for p in corpus.iterdir() if p.suffix == ".md")  # another document changes: re-ingest
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nA new action on waiting lists was agreed.\n",
                      encoding="utf-8")
    assert bot.library().ingest([corpus]).ok
    assert bot.mapping.assignments("cqc-la")[target["passage_id"]] == (["safeguarding", "learning"], "people")

    model = json.loads((SAMPLE.parents[1] / "src/evidence_bot/data/mapping-v1.json").read_text(encoding="utf-8"))
    refit = tmp_path / "refit.json"  # a refit: another threshold, so every passage is mapped again
    refit.write_text(json.dumps(model | {"rule": model["rule"] | {"threshold": 0.9}}), encoding="utf-8")
    again = EvidenceBot(Settings(index_dir=tmp_path / "two", mapping_corrections=corrections,
                                 mapping_model_path=refit), embedder=embedder)
    assert again.library().ingest([corpus]).ok
    found = [r for r in again.reader().mapping_records("cqc-la") if r["corrected"]]
    assert [(r["passage_id"], [s["id"] for s in r["statements"]]) for r in found] == [
        (target["passage_id"], ["cqc-la/safeguarding", "cqc-la/learning"])]

    corrections.write_text("", encoding="utf-8")  # the correction withdrawn: the model maps the passage again
    again.library().refresh_mapping()
    assert not any(r["corrected"] for r in again.reader().mapping_records("cqc-la"))
    statements, category = again.mapping.assignments("cqc-la")[target["passage_id"]]
    assert "safeguarding" not in statements and category == target["category"]  # the person's choice is gone


@pytest.mark.slow
def test_a_correction_whose_passage_is_gone_is_reported_and_the_rest_apply(tmp_path, embedder):
    corpus = corpus_copy(tmp_path)
    corrections = tmp_path / "corrections.jsonl"
    bot = EvidenceBot(Settings(index_dir=tmp_path / "index", mapping_corrections=corrections), embedder=embedder)
    assert bot.library().ingest([corpus]).ok
    passage = bot.catalog.passages(bot.catalog.all_passage_ids()[:1])
    (pid, (p, meta)), = passage.items()
    path = bot.catalog.document(p.doc_id)["path"]
    append_correction(corrections, Correction(path, "words no passage holds", "cqc-la", ("safeguarding",)))
    append_correction(corrections, Correction(path, span_of(p.text), "ofsted-ilacs", ("no-such-statement",)))
    append_correction(corrections, Correction(path, span_of(p.text), "cqc-la", ("learning",)))
    model_category = bot.mapping.assignments("cqc-la")[pid][1]
    report = bot.library().ingest([corpus])
    assert report.ok
    assert any("words no passage holds" in w and "no longer holds" in w for w in report.warnings)
    assert any("no-such-statement" in w for w in report.warnings)
    assert bot.mapping.assignments("cqc-la")[pid] == (["learning"], model_category)  # no category: the model's

    with corrections.open("a", encoding="utf-8") as out:  # a broken line: new passages are still mapped, and
        out.write("{not json\n")                         # the corrections already applied stay as they are
    (corpus / "late-note.txt").write_text("Waiting lists\n\nThe review backlog fell to 120 people in May.\n",
                                          encoding="utf-8")
    report = bot.library().ingest([corpus])
    assert report.ok and any(f"{corrections}:4: not valid JSON" in w for w in report.warnings)
    assert bot.mapping.assignments("cqc-la")[pid] == (["learning"], model_category)
    assert not bot.mapping.unmapped("cqc-la")


@pytest.mark.slow
def test_thurrock_safeguarding_is_corroborated_by_the_cqc_finding_in_the_news(thurrock_bot):
    report = thurrock_bot.reader().gaps("cqc-la")
    safeguarding = next(s for s in report.statements if s.id == "safeguarding")
    assert safeguarding.corroborated
    assert any("Safeguarding processes were well established" in q.text and q.source == "inspector"
               and q.doc_type == "news" for q in safeguarding.findings)
    for s in report.statements:  # every rating is traced to what is shown, quoted word for word
        assert s.rating == "red" or s.strongest
        for quote in [*s.findings, *(c.claim for c in s.claims)]:
            (passage, _), = thurrock_bot.catalog.passages([quote.passage_id]).values()
            assert quote.text in " ".join(passage.text.split())


def test_every_labels_file_names_known_statements_and_the_thurrock_files_the_same_passages():
    from evidence_bot.evaluation.mapping import load_labels

    root = SAMPLE.parents[1] / "evals"
    frameworks = load_frameworks()
    files = {name: load_labels(root / f"{name}.jsonl")
             for name in ("mapping", "mapping-second", "mapping-agreed", "mapping-wider")}
    for name, labels in files.items():
        for label in labels:
            known = {s.id for s in frameworks[label.framework].statements}
            assert set(label.statements) <= known and len(label.statements) <= 3, (name, label.id)
    thurrock = [[(label.id, label.document, label.span) for label in files[name]]
                for name in ("mapping", "mapping-second", "mapping-agreed")]
    assert thurrock[0] == thurrock[1] == thurrock[2] and len(thurrock[0]) == 91
    assert not any(label.document.startswith(("text/", "docx/", "pdf/", "html/")) for label in files["mapping-wider"])


def test_a_later_correction_wins_even_when_it_names_the_passage_by_other_words(tmp_path):
    path = tmp_path / "corrections.jsonl"
    append_correction(path, Correction("/e/a.txt", "The board met", "cqc-la", ("safeguarding",)))
    append_correction(path, Correction("/e/a.txt", "The board met in May to review", "cqc-la", ("learning",)))
    append_correction(path, Correction("/e/a.txt", "The board met", "cqc-la", ("governance",)))
    assert [c.statements for c in read_corrections(path)] == [("learning",), ("governance",)]
