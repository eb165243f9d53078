"""A question asking for the rows of a table that hold a value (answer/row_filter.py): which rows, from which
table, and when the reading does not apply. Hand-made tables: fast, no model load."""

from evidence_bot.answer.extractive import candidate_units
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.answer.row_filter import filtered_rows
from evidence_bot.models import DocumentMeta, Passage, SearchHit
from evidence_bot.text.units import read_row

WORKFORCE = ("Ref | Theme | Action | Owner | RAG\n"
             "W1.1 | Recruitment | Recruit eight social workers | Head of Workforce | Amber\n"
             "W1.2 | Recruitment | Launch an apprenticeship | Principal Social Worker | Green\n"
             "W2.1 | Retention | Cut staff turnover | Director of Adult Social Care | Red\n"
             "W3.1 | Practice | Train managers in supervision | Practice Development Lead | Red")
IMPROVEMENT = ("Ref | Action | Owner | RAG\n"
               "A1 | Halve the waiting list | Head of Assessment | Amber\n"
               "A2 | Clear the DoLS backlog | Safeguarding Service Manager | Red\n"
               "A3 | Set up a carers' panel | Carers Lead | Green\n"
               "A4 | Cut occupational therapy waits | Principal Occupational Therapist | Red")
WAITS = ("Month | People waiting | Median wait\n"
         "May 2025 | 371 | 10.0\n"
         "June 2025 | 352 | 9.5\n"
         "July 2025 | 352 | 9.0")


def table(doc: str, text: str, title: str, doc_type: str = "action_plan", date: str = "2025-10-31",
          publisher: str = "Fernleigh Borough Council") -> SearchHit:
    passage = Passage(f"{doc}:0", doc, 0, text, text, None, "Actions", None, 0, len(text), "table", 20)
    return SearchHit(passage, DocumentMeta(title=title, doc_type=doc_type, date=date, publisher=publisher), 1.0)


def rows_for(question: str, *hits: SearchHit) -> list[str]:
    units = candidate_units(list(hits))
    return [read_row(c.text) for c in filtered_rows(question, QuestionProfile.of(question), units, list(hits))]


PLANS = (table("improvement", IMPROVEMENT, "Adult social care improvement action plan"),
         table("workforce", WORKFORCE, "Adult social care workforce action tracker"))


def test_the_rows_holding_the_named_value_of_the_table_the_question_names_are_the_answer():
    listed = rows_for("Which workforce actions are rated red?", *PLANS)
    assert [r.split(";")[0] for r in listed] == ["Ref: W2.1", "Ref: W3.1"]
    assert [r.split(";")[0] for r in rows_for("List the retention actions in the workforce tracker", *PLANS)] \
        == ["Ref: W2.1"]


def test_a_list_over_two_equally_named_tables_takes_the_matching_rows_of_both():
    assert [r.split(";")[0] for r in rows_for("Which actions are rated red?", *PLANS)] \
        == ["Ref: A2", "Ref: A4", "Ref: W2.1", "Ref: W3.1"]


def test_no_list_reading_without_a_list_question_a_named_value_or_a_table_the_words_name():
    assert rows_for("What is the RAG rating of action W2.1?", *PLANS) == []  # one value, not a list
    assert rows_for("Which workforce actions are rated blue?", *PLANS) == []  # no cell holds it
    assert rows_for("Which waiting figures were 352?", table("waits", WAITS, "Waiting times")) == []  # a figure
    assert rows_for("Which red flags did the inspectors raise?", *PLANS) == []  # "flags", "inspectors": no table


def test_a_value_every_row_holds_or_a_column_of_unique_values_filters_nothing():
    all_red = "Ref | Action | RAG\nA1 | One | Red\nA2 | Two | Red"
    assert rows_for("Which actions are rated red?", table("plan", all_red, "Action plan")) == []
    # owners are all different: "Which actions does the Carers Lead own?" is a one-row question for the selector
    assert rows_for("Which actions does the Carers Lead own?", PLANS[0]) == []


def test_another_place_or_period_than_the_tables_is_not_answered_from_them():
    assert rows_for("Which Thurrock actions are rated red?", *PLANS) == []
    assert rows_for("Which workforce actions were rated red in 2023?", *PLANS) == []
    assert rows_for("Which Fernleigh workforce actions are rated red?", *PLANS) != []


def test_a_question_about_what_the_inspector_found_takes_no_council_table():
    assert rows_for("Which actions did CQC rate red?", *PLANS) == []


def test_the_value_may_be_named_in_another_form_of_its_word_but_a_short_word_must_match_whole():
    done = ("No. | Priority | Action | Status\n1 | Access | Open a hub | Complete\n"
            "2 | Access | Train staff | Complete\n3 | Voice | Survey carers | On track")
    hit = table("plan", done, "SEND improvement plan")
    assert [r.split(";")[0] for r in rows_for("Which improvement plan actions has the council completed?", hit)] \
        == ["No.: 1", "No.: 2"]
    assert rows_for("Which actions in the workforce tracker reduce turnover?", *PLANS) == []  # "red" is not "reduce"
    assert [r.split(";")[0] for r in rows_for("What actions does the workforce tracker rate red?", *PLANS)] \
        == ["Ref: W2.1", "Ref: W3.1"]
