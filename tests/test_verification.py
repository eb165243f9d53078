"""The sentence verifier of the generative mode (issue 7): facts, citations and support, with the real model."""

import pytest

from evidence_bot.answer.verification import Verifier, cited_sentences, facts, finished_sentences

PASSAGES = {
    1: "At the end of March 2024, 412 people were waiting for a Care Act assessment. The longest wait was 19 weeks.",
    2: ("Councillor Rigby said the plan would be reviewed in September 2025. "
        "CQC rated the service Requires improvement."),
}


@pytest.fixture(scope="module")
def verifier(embedder):
    return Verifier(embedder.embed, threshold=0.5)


def test_sentences_and_their_citations_are_read():
    assert cited_sentences("A fact [1]. Two facts [1, 2]. Again [2][1]. None.") == [
        ("A fact.", [1]), ("Two facts.", [1, 2]), ("Again.", [2, 1]), ("None.", [])]


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before_it():
    assert cited_sentences("Waits fell. [1] The plan was agreed. [2][3] Done [1].") == [
        ("Waits fell.", [1]), ("The plan was agreed.", [2, 3]), ("Done.", [1])]


@pytest.mark.parametrize("streamed, finished", [
    ("Waits fell [1]. The pl", ["Waits fell [1]."]),
    ("Waits fell [1].", []),  # the last sentence waits for the next to begin
    ("Waits fell. [", []),  # its marker is still coming
    ("Waits fell. [1", []),
    ("Waits fell. [1] T", ["Waits fell [1]."]),
    ("Dr. Rigby agreed [2]. 412 people", ["Dr. Rigby agreed [2]."]),  # an abbreviation is not a boundary
])
def test_a_streamed_sentence_is_finished_only_when_the_next_one_begins(streamed, finished):
    assert finished_sentences(streamed) == finished


def test_facts_are_figures_dates_ratings_and_names():
    assert facts("Councillor Jane Rigby said 1,200 people in March 2024 were rated Good by the Care Quality "
                 "Commission.") == ["1200", "2024", "march", "good", "jane rigby", "care quality commission"]
    assert facts("Councillor Smith will review it.") == ["smith"]


@pytest.mark.parametrize("sentence, kept, reason", [
    ("By March 2024, 412 people were waiting for a Care Act assessment [1].", True, None),
    ("CQC rated the service Requires improvement [2].", True, None),
    ("The longest wait was 25 weeks [1].", False, "'25' is not in the cited passages"),
    ("The council is rated Outstanding [2].", False, "'outstanding' is not in the cited passages"),
    ("Councillor Smith will review the plan [2].", False, "'smith' is not in the cited passages"),
    ("Waiting times fell sharply [7].", False, "cites no passage that was given"),
    ("Waiting times fell sharply.", False, "cites no passage that was given"),
    ("Residents praised the new library opening hours [1].", False, "not supported by the cited passages"),
])
def test_each_sentence_is_kept_only_when_its_cited_passages_support_it(verifier, sentence, kept, reason):
    check = verifier.verify(sentence, PASSAGES).sentences[0]
    assert check.kept is kept, check
    assert (check.reason is None) if kept else reason in check.reason


def test_citations_to_passages_not_given_are_reported_and_the_fallback_rule(verifier):
    result = verifier.verify("412 people were waiting [1]. Waits fell [7]. It is rated Outstanding [2][9].", PASSAGES)
    assert result.removed_citations == [7, 9]
    assert [s.kept for s in result.sentences] == [True, False, False]
    assert result.needs_fallback()  # two of three removed: the extractive answer is shown instead


def test_a_reversed_direction_is_caught_by_word(verifier):
    check = verifier.verify("The DoLS backlog fell to 131 [1].",
                            {1: "The DoLS backlog rose to 131 because applications increased."}).sentences[0]
    assert not check.kept and check.reason == "says 'fell' where the cited passage says 'rose'"


def test_acronyms_count_as_their_long_form(verifier):
    check = verifier.verify("CQC published its report on 12 June 2025 [1].", {
        1: "The Care Quality Commission published this report on 12 June 2025."}).sentences[0]
    assert check.kept, check


def test_a_malformed_label_line_is_named(tmp_path):
    from evidence_bot.errors import EvidenceBotError
    from evidence_bot.evaluation.verifier_eval import read_labels

    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "v1", "passages": {"1": "x"}, "answer": "x [1].", "label": "maybe", "kind": "k"}\n')
    with pytest.raises(EvidenceBotError, match="labels.jsonl: line 1: KeyError"):
        read_labels(labels)


@pytest.mark.parametrize("floor, fails", [(0.5, False), (0.99, True)])
def test_evaluate_reports_the_verifier_against_its_floors(tmp_path, floor, fails):
    from conftest import ROOT

    from evidence_bot.cli import verifier_gate

    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(f"[verifier.min]\nprecision = {floor}\nrecall = 0.5\n", encoding="utf-8")
    failures = verifier_gate(ROOT / "evals" / "verifier.jsonl", thresholds, tmp_path / "results")
    assert bool(failures) is fails and all(f.startswith("precision ") for f in failures)
    written = (tmp_path / "results" / "verifier-latest.json").read_text(encoding="utf-8")
    assert '"supported": 64' in written and '"unsupported": 64' in written
