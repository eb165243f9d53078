"""The answer selector's measurements (features.py), the shipped model (selector.py) and the answerer's decisions
over scored candidates (extractive.decide), on hand-made candidates: fast, no model load."""

import json

import numpy as np
import pytest

from evidence_bot.answer.constraints import Constraints, named_terms
from evidence_bot.answer.extractive import COUNCIL_CLAIM, NO_INSPECTOR_WORDS, Candidates, ExtractiveAnswerer
from evidence_bot.answer.features import (
    ANSWER_FEATURE_NAMES,
    FEATURE_NAMES,
    document_year_agreement,
    names_share,
    period_agreement,
)
from evidence_bot.answer.grounding import support_counts
from evidence_bot.answer.line_form import form_features, label_asked
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.answer.selector import Selector
from evidence_bot.errors import EvidenceBotError
from evidence_bot.models import DocumentMeta, Passage, SearchHit
from evidence_bot.text.facts import periods


def test_the_period_asked_about_is_agreed_contradicted_or_absent():
    asked = periods("How many DoLS requests were received in 2019-20?")
    assert periods("2019/20, 2019-2020 and 19/20") == {(2019, 2020)}
    assert period_agreement(asked, "In 2019-20 we received 611 DoLS requests.") == 1
    assert period_agreement(asked, "ASC received a total of 723 DoLS requests for the year 2023-24.") == -1
    assert period_agreement(asked, "Most assessments are completed within 3 to 6 months.") == 0
    assert document_year_agreement(asked, "2020-05-17") == 1 and document_year_agreement(asked, "2024-05") == -1
    strategy = periods("How many carers will the Carers Strategy 2022-2027 support?")
    assert strategy == periods("the Housing Strategy 2022 to 2027") == {(2022, 2027)}
    assert period_agreement(strategy, "It will support 900 carers by 2025.") == 1
    assert period_agreement(strategy, "It supported 700 carers in 2019.") == -1
    assert periods("Between 2019 and 2045") == {(2019, 2019), (2045, 2045)}  # two years, not one period


def test_the_kind_of_fact_asked_for_is_a_degree():
    assert Constraints.of("How many foster carers were recruited?").kind_share("There will be a presence.") == 0
    assert Constraints.of("How many foster carers were recruited?").kind_share("We recruited 14 carers.") == 1
    assert Constraints.of("What rating did CQC give?").kind_share("It was rated good.") == 1
    who = Constraints.of("What is the name of the Corporate Director?")
    assert who.kind_share("The Board is chaired by the Corporate Director.") == 0
    assert who.kind_share("The Corporate Director, Jane Smith, chairs the Board.") == 1
    chaired = Constraints.of("Who chaired the cabinet meeting?")  # a role or a body alone is not a name
    assert chaired.kind_share("The Independent Chair meets the Health and Wellbeing Board.") == 0
    scored = Constraints.of("What did CQC score Westminster for safeguarding?")
    assert "score" in scored.kinds and scored.kind_share("Safeguarding - 2") == 1
    assert scored.kind_share("Safeguarding was a strength") == 0
    phone = Constraints.of("What's the phone number for the safeguarding adults board?")
    assert phone.kinds == {"contact"} and phone.kind_share("Call 0191 520 5555.") == 1
    assert phone.kind_share("The board works with partners.") == 0
    assert "number" in Constraints.of("What is the average caseload?").kinds


@pytest.mark.parametrize("question, asks_name", [
    ("Who chaired the cabinet meeting?", True),
    ("What did the committee agree, and who will lead it?", True),
    ("What did the focused visit find about who turns up to strategy meetings?", True),
    ("To whom does the safeguarding board report?", True),
    ("Do children who arrive in care get their health check on time?", False),
    ("What share of young people who have left care are in work?", False),
    ("Are families who look after a relative getting help?", False),
])
def test_who_asks_for_a_name_only_where_it_asks_not_after_a_noun(question, asks_name):
    assert ("name" in Constraints.of(question).kinds) is asks_name


@pytest.mark.parametrize("question, asks_date", [
    ("When did Ofsted inspect Hull?", True),
    ("How many flats are planned, and when should they be ready?", True),
    ("What retention payment does the scheme offer, and when?", True),
    ("When's the next inspection?", True),
    ("When and where did the panel meet?", True),
    ("Do you know when it was published?", True),
    ("When the inspectors looked, how many people were waiting?", False),
    ("Which council had 612 people waiting when CQC assessed it?", False),
])
def test_when_asks_for_a_date_only_as_a_question_not_as_a_scene_setting_clause(question, asks_date):
    assert ("date" in Constraints.of(question).kinds) is asks_date


@pytest.mark.parametrize("question, kind, holds, lacks", [
    ("How regularly does Nottingham meet the regulator?", "frequency",
     "A monthly information sharing meeting was held.", "Partners met the regulator."),
    ("When was the safeguarding team restructured?", "date", "The team, which changed 3 years ago, improved.",
     "The team changed its model."),
    ("Over which dates did Ofsted inspect Hull?", "date", "It was inspected from 14-25 November.", "It was inspected."),
    ("What's Lincolnshire's population in the CQC pilot report?", "number", "The population is currently 755,833.",
     "The county is rural."),
    ("What did Ofsted rate East Riding's children's social care in 2020?", "rating", "It was rated inadequate.",
     "Ofsted visited in 2020."),
    ("Which outside organisation does Herts fund to signpost residents?", "name",
     "The council had commissioned Herts Help to give advice.", "The website provided signposting."),
    ("How often are people with dementia placed outside the county?", "frequency",
     "In 2023/24, 38% of people needing a nursing placement were placed out of area.", "Placements were made."),
    ("How often does the Safeguarding Adults Board meet?", "frequency", "The Board meets quarterly.",
     "A third of the Board's members were replaced in 12 months."),
])
def test_the_kind_a_question_asks_for_is_read_from_its_wording(question, kind, holds, lacks):
    asked = Constraints.of(question)
    assert kind in asked.kinds
    assert asked.holds(kind, holds) and not asked.holds(kind, lacks)


def test_the_statement_and_service_asked_about_agree_or_differ_with_the_documents():
    from evidence_bot.answer.features import statement_features

    profile = QuestionProfile.of("What did CQC score North Yorkshire for partnerships and communities?")
    assert profile.statements == {("cqc-la", "partnerships")}
    other_page = "North Yorkshire Council: local authority assessment, Care provision, integration and continuity"
    assert statement_features(profile.statements, "Score: 3", other_page)["statement_differs"] == 1
    own_page = "North Yorkshire Council: local authority assessment, Partnerships and communities"
    assert statement_features(profile.statements, "Score: 3", own_page)["statement_agrees"] == 1
    news = statement_features(profile.statements, "The council was rated good.", "Council rated good by CQC")
    assert news["statement_agrees"] == news["statement_differs"] == 0  # a title naming no statement says nothing
    ofsted = statement_features(profile.statements, "Care leavers are well supported.", "Ofsted: care leavers")
    assert ofsted["statement_differs"] == 0  # another framework's judgement is not a neighbour statement
    assert QuestionProfile.of("How did CQC rate Herts children's social care?").services == {"children"}
    assert QuestionProfile.of("What did CQC say about carers?").services == set()


def test_named_places_include_a_possessive_first_word_and_are_found_in_text_or_title():
    assert named_terms("Kent's score for equity?") == ["Kent"]
    assert named_terms("Which council scored 56%?") == []
    assert names_share(["Southend"], "The borough has 26 care homes.") == 0
    assert names_share(["Southend"], "Southend-on-Sea Borough Council: local authority assessment") == 1
    assert names_share(["York"], "North Yorkshire Council: local authority assessment") == 0  # a whole word
    assert names_share(["York"], "York's services for children were rated Outstanding.") == 1


def test_the_topic_of_a_question_is_its_words_less_the_place_and_the_year():
    from evidence_bot.answer.features import topic_weights

    question = "What is Kent's council tax increase for 2025/26?"
    weights = {word: 1.0 for word in ("kent", "tax", "increase", "2025", "26")}
    assert topic_weights(weights, QuestionProfile.of(question).names) == {"tax": 1.0, "increase": 1.0}


def test_the_topic_text_drops_the_questions_scaffolding_and_the_inspectorate():
    from evidence_bot.answer.question import topic_text

    assert topic_text("What did CQC say about safeguarding in Thurrock?") == "safeguarding thurrock"
    assert topic_text("What did the Care Quality Commission find about waits?") == "waits"
    assert topic_text("What did Ofsted say?") == ""


@pytest.mark.parametrize("line, question, share", [
    ("Date of assessment: 16 to 20 September 2024.", "On which dates did CQC carry out its assessment?", 1.0),
    ("Score: 1 - Evidence shows significant shortfalls", "What score did CQC give for safeguarding?", 1.0),
    ("Councillor Janet Penhaligon (Chair)", "Who chaired the meeting?", 1.0),
    ("Cllr Anne Hollis (Chair), Leader of the Council", "Who chaired the Cabinet?", 1.0),
    ("Councillor Rafiq Ahmed (Vice-Chair)", "Who chaired the meeting?", 0.0),  # the vice-chair did not chair
    ("Lead inspector: Rachel Ainsworth", "Who was the lead inspector?", 1.0),
    ("Date of assessment: 16 to 20 September 2024.", "Who chaired the meeting?", 0.0),
    ("The assessment took place over five days in September.", "When was the assessment?", 0.0),  # no label
    ("Councillor Rafiq Ahmed (Vice Chair)", "Who chaired the meeting?", 0.0),
    ("Apologies were received from Cllr Penhaligon (Chair)", "Who chaired the meeting?", 0.0),  # no name's line
    ("Waits rose sharply (Care Quality Commission)", "What did the Care Quality Commission say?", 0.0),
    ("Jane Smith (Director of Adult Social Services)", "Who is the Director of Adult Social Services?", 1.0),
    ("Score: 2 - Evidence shows some shortfalls", "What scores did CQC give Brackenmoor?", 1.0),
])
def test_a_lines_label_counts_as_far_as_the_question_asks_for_it(line, question, share):
    from evidence_bot.text.lexical import content_words

    assert label_asked(line, set(content_words(question))) == share


@pytest.mark.parametrize("question, asks", [
    ("What did CQC say about waiting times?", True),
    ("What rating did Thurrock get from CQC?", True),
    ("How did Ofsted describe the senior leadership?", True),
    ("How many care homes does Kent have according to CQC?", True),
    ("What did the Cabinet decide about the post-inspection action plan?", False),
    ("Which councillor spoke for Hertfordshire on the Ofsted result?", False),
    ("How long do people wait for an assessment?", False),
    ("What was Ofsted's worry about the agency teams?", True),
    ("When did the CQC start assessing Kent?", False),  # the inspection's dates, not its findings
    ("How many people did the Ofsted team talk to?", False),
    ("When is Ofsted bringing in ILACS?", False),
    ("What do the inspectors and the council each say about the two-hour target?", False),  # both: answered whole
    ("What share of people were asked their outcome, according to CQC and the council?", False),
    ("What percentage of care homes in Thurrock have a CQC rating of good or outstanding?", False),  # statistics
    ("How did CQC assess Kent's safeguarding?", True),
])
def test_a_question_asks_what_the_inspector_found_only_when_it_says_so(question, asks):
    assert QuestionProfile.of(question).asks_inspector is asks


def test_form_tells_a_heading_and_a_lone_table_header_from_a_sentence():
    assert form_features("Assessing needs", False)["heading"] == 1
    assert form_features("People waited 12 weeks for an assessment.", False)["heading"] == 0
    assert form_features("Area | Rating\nThurrock", True)["header_only"] == 1
    assert form_features("Area | Rating\nThurrock | Good", True)["header_only"] == 0


def test_the_shipped_selector_loads_with_its_record_and_scores_in_range():
    selector = Selector.load()
    assert selector.features == FEATURE_NAMES
    assert selector.record["sets"] and selector.record["held_out"]  # what it was fitted on, and how it did
    rows = np.zeros((3, len(FEATURE_NAMES)))
    p = selector.probability(rows)
    assert p.shape == (3,) and np.all((p > 0) & (p < 1)) and 0 < selector.threshold < 1
    row = np.zeros(len(ANSWER_FEATURE_NAMES))
    sure, unsure = row.copy(), row.copy()
    sure[0], unsure[0] = 3.0, -3.0  # the lead candidate's logit
    assert 0 < selector.confidence(row) < 1 and selector.confidence(sure) > selector.confidence(unsure)
    assert 0 < selector.meaning_floor < 1  # the off-topic rule, fitted


def test_a_selector_fitted_on_other_features_is_refused_naming_the_file(tmp_path):
    data = Selector.load().to_json()
    data["features"] = data["features"][:-1]
    path = tmp_path / "old-selector.json"
    path.write_text(json.dumps(data))
    with pytest.raises(EvidenceBotError, match="old-selector.json.*refit"):
        Selector.load(path)


class Fixed:
    """A selector whose scores are given per candidate text: decide() is tested without a fitted model."""
    companion_share, calibration = 0.6, (1.0, 0.0)
    meaning_floor = 0.0  # no off-topic rule: the rows here are zeros

    def __init__(self, scores: dict[str, float], threshold: float = 0.5):
        self.scores, self.threshold = scores, threshold

    def probability(self, rows):
        return np.asarray([self.scores.get(text, 0.01) for text in self.texts])

    rank = probability

    def confidence(self, answer_row):  # the lead candidate's own probability (answer_row[0] is its logit)
        return float(1 / (1 + np.exp(-answer_row[0])))


def hit(doc: str, text: str, doc_type: str, publisher: str, title: str) -> SearchHit:
    passage = Passage(f"{doc}:0", doc, 0, text, text, None, None, None, 0, len(text), "prose", 20)
    return SearchHit(passage, DocumentMeta(title=title, doc_type=doc_type, date="2024-05-17", publisher=publisher), 1.0)


def decided(question: str, scores: dict[str, float], hits: list[SearchHit], meaning: float = 0.0,
            unknown: float = 0.0, meaning_floor: float = 0.0):
    from evidence_bot.answer.reading import candidate_units

    items = candidate_units(hits)
    selector = Fixed(scores)
    selector.texts = [c.text for c in items]
    selector.meaning_floor = meaning_floor
    rows = np.zeros((len(items), len(FEATURE_NAMES)))
    rows[:, FEATURE_NAMES.index("meaning")], rows[:, FEATURE_NAMES.index("unknown_words")] = meaning, unknown
    found = Candidates(question, question, QuestionProfile.of(question), items, rows)
    return ExtractiveAnswerer(None, None, None, None, None).decide(found, hits, selector)


def test_an_off_topic_question_is_abstained_on_however_well_a_sentence_scores():
    """Nothing retrieved is about it (meaning below the floor), or the answer's passage shares no word with it."""
    scores = {INSPECTOR_HIT.passage.text: 0.99}
    assert not decided("How long do people wait?", scores, [INSPECTOR_HIT], 0.6, 0.1, 0.4).abstained
    assert decided("How long do people wait?", scores, [INSPECTOR_HIT], 0.3, 0.1, 0.4).abstained
    potholes = decided("How many potholes were repaired?", scores, [INSPECTOR_HIT], 0.6, 0.8, 0.4)
    assert potholes.abstained and potholes.citations == []
    # The answer's passage shares no word with the question but the year: a figure for 2024 about something else.
    assert decided("How many potholes in 2024?", scores, [INSPECTOR_HIT], 0.6, 0.1, 0.4).abstained
    assert not decided("How long did people wait in 2024?", scores, [INSPECTOR_HIT], 0.6, 0.1, 0.4).abstained


def test_words_the_index_lacks_do_not_silence_a_paraphrase_on_their_own(monkeypatch):
    """A small collection lacks most everyday words ("folk", "left", "queue"): the share of the question the index
    never uses is the model's to weigh, not a rule (blind packs of five documents, docs/selection.md step 7), even
    under a selector fitted when it was one (its file holds an `unknown_ceiling`)."""
    monkeypatch.setattr(Fixed, "unknown_ceiling", 0.5, raising=False)
    scores = {INSPECTOR_HIT.passage.text: 0.99}
    assert not decided("How long are folk left in the queue for assessments?", scores, [INSPECTOR_HIT], 0.6, 0.8,
                       0.4).abstained


INSPECTOR_HIT = hit("cqc", "Inspectors found people waited too long for assessments.", "inspection_report",
                    "Care Quality Commission", "Fernleigh: local authority assessment")
COUNCIL_HIT = hit("sa", "We have cut waiting times for assessments by half.", "self_assessment",
                  "Fernleigh Borough Council", "Fernleigh self-assessment")


def test_an_inspector_question_is_answered_from_the_inspectors_words_named_in_the_text():
    answer = decided("What did CQC find about waiting times?",
                     {COUNCIL_HIT.passage.text: 0.95, INSPECTOR_HIT.passage.text: 0.8}, [COUNCIL_HIT, INSPECTOR_HIT])
    assert not answer.abstained and [c.source for c in answer.citations] == ["inspector"]
    assert answer.answer.startswith("The inspector's report \"Fernleigh: local authority assessment\"")
    assert support_counts(answer) == (1, 1)


def test_without_inspector_words_it_abstains_and_labels_the_councils_claim():
    answer = decided("What did CQC find about waiting times?", {COUNCIL_HIT.passage.text: 0.95}, [COUNCIL_HIT])
    assert answer.abstained and answer.answer.startswith(f"{NO_INSPECTOR_WORDS} {COUNCIL_CLAIM}")
    assert [c.source for c in answer.citations] == ["council"]


def test_below_the_threshold_it_abstains_and_a_missing_kind_marks_partial():
    assert decided("How long do people wait?", {COUNCIL_HIT.passage.text: 0.2}, [COUNCIL_HIT]).abstained
    answer = decided("Who cut waiting times in Fernleigh?", {COUNCIL_HIT.passage.text: 0.9}, [COUNCIL_HIT])
    assert not answer.abstained and answer.partial  # no name in the sentence: a body may be the answer to who
    # a question only a person answers, answered by a sentence naming no one, is not answered (names_nobody)
    assert decided("Who chaired the Fernleigh review of waiting times?", {COUNCIL_HIT.passage.text: 0.9},
                   [COUNCIL_HIT]).abstained
    answer = decided("How much were waiting times cut in Fernleigh?", {COUNCIL_HIT.passage.text: 0.9}, [COUNCIL_HIT])
    assert not answer.abstained and not answer.partial  # "by half" is the figure


def test_the_learned_selection_answers_over_a_real_index_from_the_inspectors_words(sample_bot, embedder):
    """The shipped selector end to end: real model, real stores, the sample index (never fitted on)."""
    from evidence_bot.config import Settings
    from evidence_bot.service import EvidenceBot

    learned = EvidenceBot(Settings(index_dir=sample_bot.settings.index_dir, answer_selection="learned"), embedder)
    answer = learned.reader().ask("What did CQC say about waiting times?")
    assert not answer.abstained and {c.source for c in answer.citations} == {"inspector"}
    supported, statements = support_counts(answer)
    assert answer.answer.startswith("The inspector's report") and supported == statements > 0
    assert learned.reader().ask("What did Ofsted say about the council's libraries in 2031?").abstained


def test_a_passage_is_read_for_speakers_with_the_passage_before_it_in_its_document(sample_bot):
    """speakers.passage_sources gets the document's previous passage, so a quotation opened there carries on."""
    documents = {}
    for doc_id, _ in sample_bot.catalog.all_passage_texts():
        documents[doc_id] = documents.get(doc_id, 0) + 1
    doc_id = next(d for d, n in documents.items() if n >= 2)
    first, second = sample_bot.catalog.doc_passages(doc_id)[:2]
    assert sample_bot.preceding_text(second) == first.text
    assert sample_bot.preceding_text(first) == ""


def test_an_inspector_question_reads_the_inspectors_and_inspection_stories_passages_first():
    from evidence_bot.answer.reading import reading_order
    from evidence_bot.tuning import PASSAGES_READ

    story = hit("news", "Inspectors praised safeguarding.", "news", "Local Gazette", "Council praised by inspectors")
    council = [hit(f"sa{i}", "We keep people safe.", "self_assessment", "Fernleigh Borough Council",
                   "Self-assessment") for i in range(PASSAGES_READ + 2)]
    hits = council + [story, INSPECTOR_HIT]
    asked = reading_order(QuestionProfile.of("What did CQC say about safeguarding?"), hits)
    assert asked[:2] == [story, INSPECTOR_HIT] and len(asked) == PASSAGES_READ  # then the council's, in order
    assert reading_order(QuestionProfile.of("How do we keep people safe?"), hits) == hits[:PASSAGES_READ]


def test_an_inspector_question_reads_passages_naming_its_council_before_other_councils_inspections():
    from evidence_bot.answer.reading import reading_order

    others = [hit(f"ofsted{i}", "Inspectors found strong leadership.", "inspection_report", "Ofsted",
                  "Hertfordshire: inspection of children's services") for i in range(12)]
    story = hit("notts", "Inspectors described the leadership team as 'aspirational'.", "news",
                "Nottinghamshire County Council", "Children's services judged to be good")
    told = hit("york", "Independent inspectors, Ofsted, have rated York's services as Outstanding.", "news",
               "City of York Safeguarding Children Partnership", "York's children's services rated as Outstanding")
    asked = reading_order(QuestionProfile.of("How did Ofsted describe Nottinghamshire's leadership team?"),
                          others + [story])
    assert asked[0] == story  # its publisher names the council, though its title names no inspectorate
    claims = [hit(f"sa{i}", "Ofsted rated us good.", "self_assessment", "Fernleigh Borough Council",
                  "Self-assessment") for i in range(12)]
    asked = reading_order(QuestionProfile.of("What did Ofsted say about children in care?"), claims + [told])
    assert asked[0] == told  # its title names no inspectorate; its passage tells of the inspection


def test_a_list_after_its_introduction_is_its_speakers_items_passing_over_a_caption():
    from evidence_bot.answer.composing import with_list_items
    from evidence_bot.answer.features import Candidate

    lines = [("Other findings included:", "inspector"),
             ("• Most social workers know their children well", "inspector"),
             ("Image source, Hull City Council Image caption,", "press"),
             ("Pauline Turner has been director of children's services since late 2020.", "press"),
             ("• Strategic partnerships with health have been strengthened", "inspector"),
             ("Ofsted graded the experiences of children in care as good.", "inspector"),
             ("• A bullet after the list has ended", "inspector")]
    items = [Candidate(0, 10 * i, text, f"p@{10 * i}", None, source) for i, (text, source) in enumerate(lines)]
    answer = [c.text for c in with_list_items([items[0]], items)]
    assert answer == [lines[0][0], lines[1][0], lines[4][0]]


def test_the_abstention_model_sees_a_lead_without_the_kind_of_fact_asked_for():
    from evidence_bot.answer.features import Candidate, answer_features, feature_rows

    profile = QuestionProfile.of("Who chaired the cabinet meeting?")
    hits = [INSPECTOR_HIT]
    leads = [Candidate(0, 0, "The Independent Chair meets the Cabinet Lead.", "p@0"),
             Candidate(0, 50, "Councillor Jane Marsh chaired the meeting.", "p@50")]
    rows = feature_rows(profile, leads, hits, np.zeros(2), np.zeros(2), np.zeros(1), {"chaired": 1.0})
    missing = ANSWER_FEATURE_NAMES.index("lead_kind_missing")
    for lead in leads:
        lead.probability = 0.5
    assert answer_features(leads[0], leads, rows, 0)[missing] == 1.0
    assert answer_features(leads[1], leads, rows, 1)[missing] == 0.0


def test_a_reference_code_or_decimal_is_one_word_and_dotted_letters_are_not():
    from evidence_bot.text.lexical import codes, words

    assert words("Who owns action W2.1? See 4.2, e.g. 9.5 weeks in 2024.The end.") == [
        "who", "owns", "action", "w2.1", "see", "4.2", "e", "g", "9.5", "weeks", "in", "2024", "the", "end"]
    assert codes("Who owns W2.1 and A2 in Q2 2024/25, the 1st of 4.2, after COVID-19, aged 18-64?") == [
        "w2.1", "a2", "q2", "4.2"]
    assert named_terms("Who owns action W2.1?") == ["W2.1"]


def table_hit(rows: list[str]) -> SearchHit:
    text = "\n".join(["Ref | Action | Owner | RAG", *rows])
    passage = Passage("plan:0", "plan", 0, text, text, None, "Actions", None, 0, len(text), "table", 20)
    return SearchHit(passage, DocumentMeta(title="Action plan", doc_type="action_plan", date="2025-10",
                                           publisher="Fernleigh Borough Council"), 1.0)


PLAN_ROWS = ["A2 | Clear the DoLS backlog | Safeguarding Service Manager | Red",
             "A3 | Set up a carers' panel | Carers Lead | Green"]


def test_a_question_naming_a_code_is_answered_by_that_row_alone_and_is_not_off_topic():
    """The embedding reads "A2" as noise, so the meaning floor does not silence a question whose code a candidate
    holds; rows nearly as probable join the answer only when they hold the code too."""
    plan = table_hit(PLAN_ROWS)
    header = "Ref | Action | Owner | RAG"
    scores = {f"{header}\n{PLAN_ROWS[0]}": 0.9, f"{header}\n{PLAN_ROWS[1]}": 0.85}
    answer = decided("Who owns action A2?", scores, [plan], meaning=0.1, meaning_floor=0.4)
    assert not answer.abstained and "Safeguarding Service Manager" in answer.answer
    assert "Carers Lead" not in answer.answer
    assert decided("Who owns action A7?", scores, [plan], meaning=0.1, meaning_floor=0.4).abstained
    listed = decided("Which actions are rated red or green?", scores, [plan], meaning=0.5, meaning_floor=0.4)
    assert "Carers Lead" in listed.answer and "Safeguarding Service Manager" in listed.answer


def test_the_hand_set_answerer_quotes_a_list_after_its_introduction():
    from evidence_bot.answer.composing import with_list_items
    from evidence_bot.answer.hand_set import Unit

    intro = Unit(0, 0, "The council will do the following:")
    items = [Unit(0, 40, "- recruit six social workers"), Unit(0, 80, "- cut waits to 28 days"), Unit(0, 120, "Next.")]
    assert [u.text for u in with_list_items([intro], [intro, *items])] == [
        "The council will do the following:", "- recruit six social workers", "- cut waits to 28 days"]


def test_the_sentence_after_the_answer_is_added_unless_it_is_a_section_heading():
    from evidence_bot.answer.composing import select

    score = linked("2 - Evidence shows some shortfalls", "What people expect", "People were supported well.")
    assert [c.text for c in select(score, score[0], 3, 0.9)] == ["2 - Evidence shows some shortfalls"]
    prose = linked("Waits fell to 12 weeks.", "The backlog halved.")
    assert [c.text for c in select(prose, prose[0], 3, 0.9)] == ["Waits fell to 12 weeks.", "The backlog halved."]
    figure = linked("The overall rating was requires improvement", "Overall rating for York: 39%")
    assert len(select(figure, figure[0], 3, 0.9)) == 2  # a heading-like line that states a figure says more


def test_a_newsletter_sign_up_line_is_site_furniture():
    assert form_features("You'll receive weekly summaries about Kent Council every week.", False)["furniture"] == 1.0
    assert form_features("People will receive a letter confirming their assessment.", False)["furniture"] == 0.0


def test_a_list_item_after_the_first_is_still_added_and_ordinary_summaries_are_not_furniture():
    from evidence_bot.answer.composing import select

    items = linked("Strengths identified by inspectors:", "Strong leadership", "Effective Co-production", best=1)
    assert [c.text for c in select(items, items[1], 3, 0.9)] == ["Strong leadership", "Effective Co-production"]
    assert form_features("Managers receive weekly summaries of waiting lists.", False)["furniture"] == 0.0


def linked(*texts: str, source: str = "inspector", best: int = 0) -> list:
    """Candidates of one passage, in order, linked both ways; `best` the most probable."""
    from evidence_bot.answer.features import Candidate

    items, previous = [], None
    for at, text in enumerate(texts):
        item = Candidate(0, at, text, f"p@{at}", previous, source, 0.9 if at == best else 0.1)
        if previous is not None:
            previous.following = item
        items.append(previous := item)
    return items


def test_a_line_that_names_its_section_is_a_heading_whatever_its_capitals():
    """Sentence-case headings (gov.uk pages), the document's title repeated as a line, and a title-shaped line a
    passage ends on are headings; a short line stating a figure, a cut-off sentence and a list item are not."""
    from evidence_bot.answer.composing import is_heading

    title = "Bristol City Council: local authority assessment, Equity in experience and outcomes"
    page = linked("Bristol City Council: local authority assessment", "Equity in experience and outcomes",
                  "2 - Evidence shows some shortfalls", "Key findings for this quality statement",
                  "The local authority had taken steps towards ensuring equity was high on people's agendas.",
                  "Key findings for this quality statement")
    assert [is_heading(c, title) for c in page] == [True, True, False, True, False, True]
    ends = linked("Leaders have maintained and, in some areas, improved practice",
                  "Staff said they had regular footfall of walk-in enquiries an…", "The service has in place")
    assert not any(is_heading(c) for c in ends)
    listed = linked("Strengths identified by inspectors:", "Strong leadership", "Effective co-production")
    assert not any(is_heading(c) for c in listed)


def test_a_heading_chosen_to_lead_gives_way_to_what_it_heads_and_never_joins_an_answer():
    from evidence_bot.answer.composing import select, under_heading
    from evidence_bot.answer.question import QuestionProfile

    title = "Bristol City Council: local authority assessment, Equity in experience and outcomes"
    page = linked("Equity in experience and outcomes", "2 - Evidence shows some shortfalls",
                  "Key findings for this quality statement", "The local authority had taken steps towards equity.")
    lead = under_heading(page[0], QuestionProfile.of("What did Bristol get for equity in experience?"), title)
    assert lead is page[1]
    assert [c.text for c in select(page, lead, 3, 0.0, titles=[title])] == [
        "2 - Evidence shows some shortfalls", "The local authority had taken steps towards equity."]
    cut = linked("Equity in experience and outcomes", "People told us about th…")
    assert under_heading(cut[0], QuestionProfile.of("What about equity?"), title, eligible=cut[:1]) is cut[0]
    chair = linked("Chair: Councillor Smith", "The committee met at 7pm to discuss the annual report.")
    assert under_heading(chair[0], QuestionProfile.of("Who chaired the committee?")) is chair[0]



def test_the_frameworks_wording_is_quoted_only_when_the_question_asks_what_is_expected():
    from evidence_bot.answer.extractive import eligible_candidates
    from evidence_bot.answer.question import QuestionProfile

    items = [*linked("We support people to manage their health and wellbeing.", source="framework"),
             *linked("The Gateway team signposted people to community support.", source="inspector"),
             *linked("Our prevention offer is strong.", source="council")]

    def quoted(question: str) -> list[str]:
        return [c.source for c in eligible_candidates(QuestionProfile.of(question), items)]

    assert quoted("How does Hertfordshire help people stay healthy?") == ["inspector", "council"]
    assert quoted("What did CQC find about Hertfordshire's healthier lives work?") == ["inspector"]
    assert quoted("What do people expect from the council on healthier lives?") == ["framework", "inspector",
                                                                                   "council"]


def test_who_answered_by_no_name_and_a_figure_for_another_period_are_no_answers():
    from evidence_bot.answer.misfits import counts_another_period, names_nobody
    from evidence_bot.answer.question import QuestionProfile

    director = "Who is Leicester City Council's Director of Adults and Communities?"
    assert names_nobody(director, linked("The Strategic Director for Social Care & Education submitted a report."))
    assert not names_nobody(director, linked("Jon Wilson, Director of Adults and Communities, presented it."))
    assert names_nobody("Who chaired the Hounslow overview and scrutiny meeting?",
                        linked("The agenda included a presentation by West London NHS Trust."))
    assert names_nobody("Who introduced the CQC outcome report at Leicester's scrutiny commission?",
                        linked("The Strategic Director for Social Care & Education submitted a report."))
    assert names_nobody("Who is Leicestershire County Council's Director of Adults and Communities?",
                        linked("The assessment rated the council's services as 'Requires Improvement'."))
    for question, answer in [("Who carries out Care Act assessments in York?", "Local area coordinators do."),
                             ("Who approved Thurrock's improvement plan?", "It was approved by the Cabinet."),
                             ("How many people were waiting?", "Waits fell.")]:
        assert not names_nobody(question, linked(answer))  # a role or a body may answer these

    def another(question: str, sentence: str) -> bool:
        return counts_another_period(question, QuestionProfile.of(question), linked(sentence))

    asked = "How many people in Hounslow had waited over 28 days in March 2024?"
    assert another(asked, "In March 2023, 291 people had waited over 28 days.")
    assert not another(asked, "In March 2024, 180 people had waited over 28 days.")
    assert not another(asked, "291 people had waited over 28 days for an assessment.")
    assert not another("How many carers were assessed in 2024?", "812 were assessed last year, up from 700 in 2022.")
    assert not another("How many carers will the Carers Strategy 2022-2027 support?", "It will support 900 by 2025.")
    assert not another("What did CQC rate Hounslow in 2024?", "In 2023 Hounslow was rated good.")


def test_a_list_item_a_line_that_says_something_or_the_rest_of_a_line_is_no_heading():
    from evidence_bot.answer.composing import is_heading

    listed = linked("- Those who have left care", "- The impact leaders have had on children has been strong.")
    assert not is_heading(listed[0])
    said = linked("Waiting lists for assessments have halved", "The council has recruited twelve social workers.")
    assert not is_heading(said[0]) and not is_heading(linked("Carers assessments doubled")[0])
    rest = linked("Taking a risk positive approach with professional intervention",
                  "This has reduced the number of people waiting for a review of their care.")
    rest[0].whole_line = False  # the rest of a list item's line, after its first sentence
    assert not is_heading(rest[0])
    assert is_heading(linked("Key findings for this quality statement",
                             "The local authority had taken steps towards ensuring equity.")[0])


def test_a_short_cut_off_sentence_and_site_furniture_are_never_chosen():
    """"People told us about the benefit of th…" led "What did CQC say about York?"; a "Page last updated" stamp
    joined an answer about Kent. A longer cut-off sentence may still be chosen, and either may follow the lead."""
    from evidence_bot.answer.extractive import eligible_candidates
    from evidence_bot.answer.question import QuestionProfile

    items = linked("People told us about the benefit of th…", "Published: 23 May 2025 Page last updated: 23 May 2025",
                   "Since the assessment, we have strengthened support for unpaid carers, expanded respite a…",
                   "People were mostly positive about the staff.")
    chosen = eligible_candidates(QuestionProfile.of("What did CQC say about York?"), items)
    assert [c.text[:20] for c in chosen] == ["Since the assessment", "People were mostly p"]


def test_a_follow_up_asks_about_the_council_period_and_statement_of_the_conversation():
    """'And for assessing needs?' after 'What did CQC score Bristol for safeguarding?' had been answered with Kent's
    scores: the follow-up's profile named no council. A follow-up with its own ask keeps its own kind of fact and
    never inherits the inspector-only reading ('What did the Cabinet Member resolve about it?')."""
    from evidence_bot.answer.question import QuestionProfile

    def profile(question: str, earlier: str) -> QuestionProfile:
        return QuestionProfile.in_conversation(question, f"{earlier} {question}")

    needs = profile("And for assessing needs?", "What did CQC score Bristol for safeguarding?")
    assert needs.names == ["Bristol"] and needs.constraints.kinds == {"score"}
    assert needs.statements == {("cqc-la", "assessing-needs")}
    year = profile("And in 2022?", "What was York's CQC rating for adult social care?")
    assert year.constraints.asked_periods == {(2022, 2022)} and year.constraints.kinds == {"rating"}
    resolved = profile("What did the Cabinet Member resolve about it?", "What grade did the CQC give Hull in 2010?")
    assert resolved.constraints.kinds == set() and not resolved.asks_inspector
    assert resolved.constraints.asked_periods == {(2010, 2010)}
    alone = QuestionProfile.in_conversation("What did CQC score Bristol?", "What did CQC score Bristol?")
    assert alone == QuestionProfile.of("What did CQC score Bristol?")


def test_a_sentence_about_another_council_does_not_answer_for_the_one_asked_about():
    """A story about two councils names both in its title; the sentence says whose result it is."""
    title = "Care services at Brackenmoor County Council and Saltney Borough Council told to improve"

    def answered(question: str, text: str) -> bool:
        story = hit("news", text, "news", "Northmoor Evening Post", title)
        return not decided(question, {text: 0.99}, [story], 0.6).abstained

    saltney = "Saltney Borough Council's children's services were judged to require improvement by Ofsted."
    assert not answered("What grade did Brackenmoor's services get?", saltney)
    assert answered("What grade did Saltney's services get?", saltney)
    assert answered("What grade did Brackenmoor's services get?",
                    "Brackenmoor County Council's adult social care was rated requires improvement by CQC.")
    # Not another council: a comparison, the council itself as "the county council", a body that is no council.
    assert answered("What grade did Brackenmoor's services get?",
                    "Like Saltney Borough Council, the county council was judged to require improvement.")
    assert answered("When was Brackenmoor's carers strategy approved?",
                    "The carers strategy was approved by Full Council and Arts Council England on 12 March 2024.")
    # A question naming no council is left alone.
    assert answered("Which services were judged to require improvement?", saltney)


def test_a_sentence_naming_no_council_speaks_for_the_council_its_documents_title_names():
    report = "Brackenmoor County Council: local authority assessment"

    def answered(question: str, text: str, title: str = report) -> bool:
        page = hit("cqc", text, "inspection_report", "Care Quality Commission", title)
        return not decided(question, {text: 0.99}, [page], 0.6).abstained

    waiting = "At the time of our assessment, 638 people were waiting for a Care Act assessment."
    assert not answered("How many people were waiting for a Care Act assessment in Saltney Borough Council?",
                        waiting)
    assert answered("How many people were waiting for a Care Act assessment in Brackenmoor?", waiting)
    assert answered("How many people were waiting for a Care Act assessment?", waiting)  # no council asked
    # A title naming no council in full ("Thurrock Council") says nothing either way.
    assert answered("How many people were waiting in Saltney Borough Council?", waiting, "Thurrock Council report")
    # Nor one that names the place asked about at all: a neighbour in a story, another form of the council's name.
    assert answered("How many people were waiting in Brackenmoor?", waiting,
                    "Saltney Borough Council praised as neighbour Brackenmoor struggles")
    assert answered("How many people were waiting in Southend City Council?", waiting,
                    "Southend-on-Sea City Council: local authority assessment")
    assert answered("How many people were waiting in Brackenmoor?", waiting,
                    "Adult Social Care Local Account Brackenmoor County Council 2024")


def test_a_council_named_without_a_place_names_none():
    from evidence_bot.answer.misfits import council_places

    assert council_places("The County Council agreed it; Saltney Borough Council did not.") == {"saltney"}
    assert council_places("Stoke-on-Trent City Council and the London Borough of Hounslow") == {"stoke on trent",
                                                                                              "hounslow"}
