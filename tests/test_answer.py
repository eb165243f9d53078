import pytest

from evidence_bot.answer import ABSTENTION, statements, support_counts
from evidence_bot.answer.grounding import without_lead_in
from evidence_bot.text.units import row_readings


@pytest.fixture(params=["embedded", "chroma-server"])
def sample_bot(request, sample_bot):
    """The same tests over the embedded store and over a real Chroma server (EVIDENCE_BOT_CHROMA_URL)."""
    return sample_bot if request.param == "embedded" else request.getfixturevalue("sample_bot_on_server")


def assert_grounded(answer):
    assert not answer.abstained and answer.citations
    by_n = {c.n: c for c in answer.citations}
    pairs = statements(answer.answer)
    assert support_counts(answer) == (len(pairs), len(pairs))
    assert pairs and "".join(f"{s} [{n}]" for s, n in pairs).replace(" ", "") == answer.answer.replace(" ", "")
    for statement, n in pairs:  # after its source's lead-in: verbatim lines, or a table row read with its labels
        quoted = without_lead_in(statement, by_n[n])
        assert quoted in row_readings(by_n[n].text) or all(line in by_n[n].text for line in quoted.split("\n")), \
            (quoted, by_n[n].text)


def test_answers_are_cited_text_of_the_passage(sample_bot):
    for question in ["What did CQC say about waiting times?", "Who asked about unpaid carers?",
                     "How much money did Cabinet allocate to reduce waiting times?"]:
        assert_grounded(sample_bot.reader().ask(question))


def test_citation_carries_document_details(sample_bot):
    answer = sample_bot.reader().ask("How many people were waiting for a Deprivation of Liberty Safeguards assessment "
                            "according to the inspectors?")
    assert_grounded(answer)
    cited = answer.citations[0]
    assert cited.title.startswith("CQC local authority assessment") and cited.page == 2
    assert cited.doc_type == "inspection_report" and cited.date == "2025-06-12"
    assert "96 people" in answer.answer


def test_abstains_when_the_evidence_is_silent(sample_bot):
    for question in ["How many potholes were repaired in 2024?", "What is the council's recycling rate?"]:
        answer = sample_bot.reader().ask(question)
        assert answer.abstained and answer.answer == ABSTENTION and answer.citations == []


def test_follow_up_uses_the_conversation(sample_bot):
    answer = sample_bot.reader().ask("And who owns that action?", history=["Which action is about the DoLS backlog?"])
    assert_grounded(answer)
    assert "Safeguarding Service Manager" in answer.answer


@pytest.mark.slow
@pytest.mark.parametrize("question, history, expected", [
    ("How many care homes does Thurrock have?", [], "26 care homes"),
    ("What did Ofsted judge children's services in 2016?", [], "Require Improvement"),
    ("Which councillor asked about aligning the improvement plan with the transformation plan?", [], "Rigby"),
    ("How many DoLS requests did the council receive?", [], "723"),
    ("And how many of those are still waiting?", ["How many DoLS requests did the council receive?"], "127"),
])
def test_thurrock_acceptance_questions(thurrock_bot, question, history, expected):
    answer = thurrock_bot.reader().ask(question, history)
    assert_grounded(answer)
    assert expected in answer.answer


@pytest.mark.slow
def test_thurrock_abstains_on_potholes(thurrock_bot):
    assert thurrock_bot.reader().ask("How many potholes were repaired in 2024?").abstained


@pytest.mark.slow
def test_thurrock_second_ingest_does_no_embedding(thurrock_bot):
    from conftest import THURROCK

    assert len(thurrock_bot.first_report.added) == 10
    again = thurrock_bot.library().ingest([THURROCK])
    assert again.embedded == 0 and len(again.unchanged) == 10 and not again.added and not again.updated


def test_words_said_just_before_a_sentence_count_half_towards_choosing_it():
    from evidence_bot.answer.features import coverage

    weights = {"appointee": 2.0, "team": 1.0, "people": 1.0}
    sentence = "Currently they are supporting 132 people."
    alone = coverage(weights, sentence)
    assert alone == 0.25
    assert coverage(weights, sentence, "The Corporate Appointee Team works with people who lack capacity.") \
        == 0.25 + 0.5 * 0.75
