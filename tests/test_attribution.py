"""Whose words, named in the answer: the lead-in (attribution.py), what grounding.py accepts of it, and the
answer's `partial` flag from the model to the JSON of every endpoint."""

import re
from dataclasses import replace
from itertools import product

import pytest

from evidence_bot.answer.attribution import MAX_TITLE_CHARS, date_in_words, lead_in, short_title
from evidence_bot.answer.grounding import pieces, statements, support_counts, without_lead_in
from evidence_bot.cli import PARTIAL, render
from evidence_bot.models import DOC_TYPES, Answer, Citation
from evidence_bot.server import create_app
from evidence_bot.text.speakers import SOURCES
from evidence_bot.text.units import read_row

from helpers.server import local_client
from helpers.sse import parse_events

HOUNSLOW = "London Borough of Hounslow: local authority assessment, Assessing needs"
PASSAGE = ("People told us they waited too long for an assessment. The local authority had reduced its waiting "
           "list from 1,100 to 640 people in the year to March 2024. Staff described high caseloads.")
QUOTED = "The local authority had reduced its waiting list from 1,100 to 640 people in the year to March 2024."
TABLE = ("Action | Owner | RAG\nClear the DoLS backlog | Safeguarding Service Manager | Red\n"
         "Recruit AMHPs | Head of Service | Amber")
WAITING = "What did CQC say about waiting times?"


def cite(title: str = HOUNSLOW, doc_type: str | None = "inspection_report", date: str | None = "2024-05-17",
         source: str = "inspector", publisher: str | None = None, n: int = 1, text: str = PASSAGE) -> Citation:
    return Citation(n=n, document="3f2a9c1d7e4b", title=title, doc_type=doc_type, date=date, page=None, section=None,
                    text=text, score=0.05, source=source, publisher=publisher)


# ---- the lead-in ----

@pytest.mark.parametrize("citation, expected", [
    (cite(), f'The inspector\'s report "{HOUNSLOW}" (17 May 2024) says:'),
    (cite(publisher="Care Quality Commission"),
     f'The inspector\'s report "{HOUNSLOW}" (Care Quality Commission, 17 May 2024) says:'),
    (cite("CQC rates Kent County Council adult social care as requires improvement", "news", "2024-12",
          publisher="Care Quality Commission"),
     ('The inspector\'s press release "CQC rates Kent County Council adult social care as requires improvement" '
      '(Care Quality Commission, December 2024) says:')),
    (cite("Adult Social Care Self-Assessment", "self_assessment", "2024-12", "council"),
     'The council\'s own account in "Adult Social Care Self-Assessment" (December 2024) says:'),
    (cite("Adult social care improvement action plan", "action_plan", "2025-10", "council",
          "Thurrock Council Adults and Health"),
     ('The council\'s own account in "Adult social care improvement action plan" (Thurrock Council Adults and Health, '
      'October 2025) says:')),
    (cite("Cabinet: adult social care improvement plan", "minutes", "2025-03-03", "committee"),
     'The minutes "Cabinet: adult social care improvement plan" (3 March 2025) record:'),
    (cite("Scrutiny work programme", None, "2025-03-03", "committee", "Kent County Council Scrutiny Committee"),
     'The committee paper "Scrutiny work programme" (Kent County Council Scrutiny Committee, 3 March 2025) says:'),
    (cite("Council promises faster assessments", "news", "2025", "press", "Thurrock Nub News"),
     'The press report "Council promises faster assessments" (Thurrock Nub News, 2025) says:'),
    (cite("Carers' strategy notes", "other", "2024", "other"), '"Carers\' strategy notes" (2024) says:'),
    (cite("Council promises faster assessments", "news", "2025-06-13", "inspector"),
     'The inspector, as reported in "Council promises faster assessments" (13 June 2025):'),
    (cite("Cabinet minutes", "minutes", "2025-03-03", "inspector"),
     'The inspector, as reported in "Cabinet minutes" (3 March 2025):'),
    (cite("Council promises faster assessments", "news", "2025-06-13", "council", "Herts Advertiser"),
     'The council, as reported in "Council promises faster assessments" (Herts Advertiser, 13 June 2025):'),
    (cite(HOUNSLOW, "inspection_report", "2024-05-17", "framework", "Care Quality Commission"),
     f'The standard the inspector assesses against, as set out in "{HOUNSLOW}" (Care Quality Commission, '
     '17 May 2024):'),
])
def test_lead_in_names_whose_words_and_the_document(citation, expected):
    assert lead_in(citation) == expected


def test_a_missing_source_is_the_documents_own():
    assert lead_in(cite(source="")) == lead_in(cite(source="inspector"))
    assert lead_in(cite("Self-assessment", "self_assessment", None, "")).startswith("The council's own account in")
    assert lead_in(cite("Gazette story", "news", None, "somebody")) == 'The press report "Gazette story" says:'


@pytest.mark.parametrize("value, words", [
    ("2024-05-17", "17 May 2024"), ("2025-03-03", "3 March 2025"), ("2024-12", "December 2024"), ("2024", "2024"),
    (None, ""), ("", ""), ("2024-13", ""), ("2024-02-30", ""), ("17/05/2024", ""), ("2024-5-17", ""),
])
def test_dates_are_said_in_words(value, words):
    assert date_in_words(value) == words


def test_a_missing_date_leaves_out_the_parenthesis_and_the_title_is_not_told_twice():
    assert lead_in(cite(date=None)) == f'The inspector\'s report "{HOUNSLOW}" says:'
    assert lead_in(cite(date="not a date")) == f'The inspector\'s report "{HOUNSLOW}" says:'
    assert lead_in(cite("Cabinet minutes, 16 July 2025", "minutes", "2025-07-16", "committee",
                        "Fernleigh Borough Council Cabinet")) == \
        'The minutes "Cabinet minutes, 16 July 2025" (Fernleigh Borough Council Cabinet) record:'
    assert lead_in(cite("Cheshire East Council self-assessment 2024", "self_assessment", "2024", "council",
                        "Cheshire East Council")) == \
        'The council\'s own account in "Cheshire East Council self-assessment 2024" says:'


def test_a_long_title_is_cut_at_a_word_and_marked():
    long = ("Manchester City Council: re-inspection of services for children in need of help and protection, "
            "children looked after and care leavers (Ofsted report, document-sharing copy)")
    said = lead_in(cite(long, publisher="Ofsted", date=None))
    title = re.fullmatch(r'The inspector\'s report "(.+)" \(Ofsted\) says:', said).group(1)
    assert title.endswith("…") and len(title) <= MAX_TITLE_CHARS + 1
    assert long.startswith(title[:-1]) and long[len(title) - 1] in " ,"  # whole words only
    assert title == ("Manchester City Council: re-inspection of services for children in need of help and "
                     "protection, children looked after…")

    bristol = ("Bristol City Council: local authority assessment, Safe pathways, systems and transitions "
               "(third-party copy of the CQC report page)")  # cut inside the parenthesis: cut before it
    assert short_title(bristol) == ("Bristol City Council: local authority assessment, Safe pathways, systems and "
                                    "transitions…")
    exactly = "x" * (MAX_TITLE_CHARS - 5) + " abcd"
    assert short_title(exactly) == exactly  # at the limit: whole
    assert short_title("y" * 300) == "y" * MAX_TITLE_CHARS + "…"  # one word: cut where the limit falls


def test_brackets_and_quotes_in_a_title_cannot_make_a_marker():
    citation = cite('Improvement plan [2] "phase 1" [appendix [3]]', "action_plan", "2025-10", "council",
                    publisher="Council [4]")
    said = lead_in(citation)
    assert said == ('The council\'s own account in "Improvement plan (2) \'phase 1\' (appendix (3))" '
                    '(Council (4), October 2025) says:')
    assert "[" not in said and "]" not in said
    answer = f"{said} {QUOTED} [1]"
    assert statements(answer) == [(f"{said} {QUOTED}", 1)]
    assert "".join(pieces(answer)) == answer and len(pieces(answer)) == 1


@pytest.mark.parametrize("source, doc_type, date", list(product(
    (*SOURCES, ""), (*DOC_TYPES, None), ("2024-05-17", "2024-05", "2024", None))))
def test_every_lead_in_ends_in_a_colon_and_holds_no_marker(source, doc_type, date):
    for title in ("[1] Report [12]", "Minutes of 3 March", "a" * 400, "   "):
        for publisher in (None, "Care Quality Commission", "Thurrock Council Cabinet", "[9]"):
            said = lead_in(cite(title, doc_type, date, source, publisher))
            assert said.endswith(":") and not re.search(r"\[\d+\]", said) and "\n" not in said
            assert said == lead_in(cite(title, doc_type, date, source, publisher))  # the fields decide it all


# ---- grounding ----

def answer_of(text: str, *citations: Citation) -> Answer:
    return Answer(text, False, list(citations) or [cite()], 0.6)


def test_grounding_accepts_the_exact_lead_in():
    c = cite(publisher="Care Quality Commission")
    assert support_counts(answer_of(f"{lead_in(c)} {QUOTED} [1]", c)) == (1, 1)
    assert support_counts(answer_of(f"{lead_in(c)} {QUOTED} [1] Staff described high caseloads. [1]", c)) == (2, 2)
    assert without_lead_in(f"{lead_in(c)} {QUOTED}", c) == QUOTED


def test_grounding_accepts_each_documents_own_lead_in():
    first, second = cite(n=1), cite("Table of actions", "action_plan", "2025-10", "council", n=2, text=TABLE)
    header, row = TABLE.split("\n")[:2]
    text = f"{lead_in(first)} {QUOTED} [1] {lead_in(second)} {header}\n{row} [2]"
    assert support_counts(answer_of(text, first, second)) == (2, 2)


def test_a_table_row_is_read_as_its_labels_with_their_values_and_grounded_as_such():
    table = cite("Table of actions", "action_plan", "2025-10", "council", text=TABLE)
    spoken = "Action: Clear the DoLS backlog; Owner: Safeguarding Service Manager; RAG: Red"
    assert read_row("\n".join(TABLE.split("\n")[:2])) == spoken
    assert support_counts(answer_of(f"{lead_in(table)} {spoken} [1]", table)) == (1, 1)
    for changed in (spoken.replace("Red", "Green"),  # another value
                    spoken.replace("Owner", "Lead"),  # another label
                    "Action: Clear the DoLS backlog; RAG: Red",  # a cell left out
                    "Action: Clear the DoLS backlog; Owner: Head of Service; RAG: Red"):  # two rows mixed
        assert support_counts(answer_of(f"{lead_in(table)} {changed} [1]", table)) == (0, 1), changed


def test_an_empty_cell_is_left_out_and_a_row_under_no_labels_is_quoted_as_it_stands():
    assert read_row("Ref | Action | Complete\nTotal |  | 44%") == "Ref: Total; Complete: 44%"
    for unit in ("Report of: | Director of Adult Social Care\nCabinet member: | Cllr Jane Smith",  # a cover sheet
                 "Chair | Cllr Smith\nClerk | Jo Bloggs",  # two columns: as often label and value as a header
                 "May 2025 | 371 | 10.0\nJune 2025 | 352 | 9.5",  # a first row of figures: no header
                 "Ref | Action | Owner\nA1 | Option A | Option B | Head of Service",  # a cell holding the separator
                 "Ref | Action |  | RAG\nTotal |  | 44% | ",  # a column without a label
                 "A sentence, not a table row."):
        assert read_row(unit) == unit


@pytest.mark.parametrize("changed", [
    lambda said: said.replace("says:", "said:"),
    lambda said: said.replace("17 May", "18 May"),
    lambda said: said.replace("The inspector's report", "The council's own account in"),
    lambda said: said.replace("Assessing needs", "Assessing need"),
    lambda said: said.replace('" (', '", ('),
    lambda said: said[:-1],
    lambda said: said.lower(),
    lambda said: f"Importantly, {said}",
    lambda said: said.replace("says:", "says that"),
])
def test_grounding_rejects_a_changed_lead_in(changed):
    c = cite()
    said = changed(lead_in(c))
    assert said != lead_in(c)
    assert support_counts(answer_of(f"{said} {QUOTED} [1]", c)) == (0, 1)


def test_grounding_rejects_words_the_passage_does_not_hold():
    c = cite()
    said = lead_in(c)
    for text in (f"{said} Clearly, {QUOTED} [1]",  # invented words after the lead-in
                 f"{said} {QUOTED} This is good news. [1]",
                 f"{said}  {QUOTED} [1]".replace("  ", " and ", 1),
                 f"{said} [1]",  # a lead-in that quotes nothing
                 f"{said}\n{QUOTED} [1]"):  # the lead-in is followed by a space, nothing else
        assert support_counts(answer_of(text, c)) == (0, 1), text


def test_only_the_lead_in_of_the_citation_it_ends_in_is_set_aside():
    one, two = cite(n=1), cite("Council promises faster assessments", "news", "2025-06-13", "press", n=2)
    assert support_counts(answer_of(f"{lead_in(two)} {QUOTED} [1]", one, two)) == (0, 1)
    assert support_counts(answer_of(f"{lead_in(one)} {QUOTED} [2]", one, two)) == (0, 1)
    assert support_counts(answer_of(f"{lead_in(one)} {QUOTED} [3]", one, two)) == (0, 1)  # never given


def test_text_outside_any_statement_still_counts():
    c = cite()
    assert support_counts(answer_of(f"{lead_in(c)} {QUOTED} [1] And more.", c)) == (1, 2)


def test_pieces_and_statements_keep_the_lead_in_with_its_statement():
    c = cite()
    text = f"{lead_in(c)} {QUOTED} [1] Staff described high caseloads. [1]"
    assert pieces(text) == [f"{lead_in(c)} {QUOTED} [1] ", "Staff described high caseloads. [1]"]
    assert statements(text) == [(f"{lead_in(c)} {QUOTED}", 1), ("Staff described high caseloads.", 1)]


# ---- partial ----

def test_partial_is_in_the_answer_json():
    assert Answer("x [1]", False, []).to_dict()["partial"] is False
    assert Answer("x [1]", False, [], partial=True).to_dict()["partial"] is True
    assert list(Answer("x", True, []).to_dict())[-1] == "partial"  # added after every field there was


def test_the_terminal_says_when_an_answer_is_partial():
    answer = Answer(f"{QUOTED} [1]", False, [cite()], 0.6)
    assert PARTIAL not in render(answer)
    assert PARTIAL in render(replace(answer, partial=True))


@pytest.fixture(scope="module")
def client(sample_bot):
    with local_client(create_app(bot=sample_bot)) as c:
        yield c


def api_replies(client) -> dict:
    chat = client.post("/api/chat", json={"question": WAITING})
    stream = client.post("/api/chat/stream", json={"question": WAITING})
    completion = client.post("/v1/chat/completions", json={"model": "evidence-bot",
                                                           "messages": [{"role": "user", "content": WAITING}]})
    assert chat.status_code == stream.status_code == completion.status_code == 200
    return {"chat": chat.json(), "done": parse_events(stream.text)[-1][1],
            "v1": completion.json()["evidence_bot"]}


def test_partial_reaches_every_endpoint(client, sample_bot, monkeypatch):
    replies = api_replies(client)
    assert not replies["chat"]["abstained"]
    assert {name: reply["partial"] for name, reply in replies.items()} == {"chat": False, "done": False, "v1": False}

    answer = sample_bot.answerer.answer  # shared by every viewer's copy of the bot
    monkeypatch.setattr(sample_bot.answerer, "answer", lambda *a, **k: replace(answer(*a, **k), partial=True))
    replies = api_replies(client)
    assert {name: reply["partial"] for name, reply in replies.items()} == {"chat": True, "done": True, "v1": True}


def test_the_api_schema_documents_partial(client):
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["ChatResponse"]["properties"]["partial"]["type"] == "boolean"
