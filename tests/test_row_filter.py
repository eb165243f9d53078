"""A question asking for the rows of a table that hold a value (answer/row_filter.py): which rows, from which
table, and when the reading does not apply. Hand-made tables: fast, no model load."""

from evidence_bot.answer.question import QuestionProfile
from evidence_bot.answer.reading import candidate_units
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


def rows_for(question: str, *hits: SearchHit, rest: dict[str, list[Passage]] | None = None) -> list[str]:
    """The rows read aloud; rest: the other passages of a table, by its passage id (as the catalog gives them)."""
    def table_of(passage: Passage) -> list[Passage]:
        return (rest or {}).get(passage.id, [passage])

    listed = filtered_rows(question, QuestionProfile.of(question), list(hits), table_of, candidate_units)
    assert all(listed.cited[c.hit_index].passage.text.find(c.text.split("\n")[-1]) >= 0 for c in listed.rows)
    return [read_row(c.text) for c in listed.rows]


def refs(question: str, *hits: SearchHit, rest: dict[str, list[Passage]] | None = None) -> list[str]:
    return [r.split(";")[0].removeprefix("Ref: ") for r in rows_for(question, *hits, rest=rest)]


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


def test_a_table_stored_in_pieces_is_filtered_whole_and_every_piece_is_cited():
    header, *rows = WORKFORCE.split("\n")
    first = table("workforce", "\n".join([header, *rows[:2]]), "Adult social care workforce action tracker")
    second = Passage("workforce:1", "workforce", 1, "\n".join([header, *rows[2:]]), "", None, "Actions", None, 0, 0,
                     "table", 20)
    whole = {first.passage.id: [first.passage, second]}
    assert rows_for("Which workforce actions are rated red?", first) == []  # the piece read holds no red row
    listed = rows_for("Which workforce actions are rated red?", first, rest=whole)
    assert [r.split(";")[0] for r in listed] == ["Ref: W2.1", "Ref: W3.1"]


def test_a_value_named_with_a_word_between_its_words_and_a_service_the_table_is_not_about():
    plan = ("Ref | Recommendation | Status\nR1 | Agree a transitions protocol | Not started\n"
            "R2 | Expand shared lives | Not started\nR3 | Publish a carers strategy | In progress")
    tracker = table("recs", plan, "Adult social care: CQC recommendations tracker")
    assert [r.split(";")[0] for r in rows_for("Which CQC recommendations are not yet started?", tracker)] \
        == ["Ref: R1", "Ref: R2"]
    assert rows_for("Which children's services recommendations are not yet started?", tracker) == []


def test_a_status_is_named_by_its_rag_colour_its_meaning_or_a_part_of_its_cell():
    plan = ("Ref | Action | Lead officer | RAG status\n1.1 | Revise supervision policy | Service Manager, MASH | "
            "Red - Off track\n1.2 | Audit supervision | Head of Quality | Red - Off track\n"
            "1.3 | Train managers | Service Manager, MASH | Green - On track")
    tracker = table("plan", plan, "Children's services improvement plan")
    assert [r.split(";")[0] for r in rows_for("Which improvement plan actions are rated red?", tracker)] \
        == ["Ref: 1.1", "Ref: 1.2"]
    assert [r.split(";")[0] for r in rows_for("Which improvement plan actions are off track?", tracker)] \
        == ["Ref: 1.1", "Ref: 1.2"]
    assert [r.split(";")[0] for r in rows_for("Can you pull out the plan's actions led by the Service Manager, "
                                              "MASH?", tracker)] == ["Ref: 1.1", "Ref: 1.3"]
    # a part of a list in a cell is no name of it: "children in care" is the topic, not the lead officer
    leads = table("plan", plan.replace("Service Manager, MASH", "Head of Service, Children in Care"),
                  "Children's services improvement plan")
    assert refs("Which improvement plan actions on children in care are off track?", leads) == ["1.1", "1.2"]
    plain = table("plan", plan.replace("Red - Off track", "Off track"), "Children's services improvement plan")
    assert len(rows_for("Which improvement plan actions are red?", plain)) == 2


def test_a_question_for_one_value_is_not_answered_with_a_list():
    assert rows_for("Who owns the red action in the workforce tracker?", *PLANS) == []
    assert rows_for("When is the red workforce action due?", *PLANS) == []
    assert rows_for("What is the owner of the red workforce action?", *PLANS) == []



def test_values_named_in_two_columns_must_both_hold_and_none_holding_both_gives_way():
    assert refs("Which recruitment actions in the workforce tracker are rated amber?", *PLANS) == ["W1.1"]
    assert refs("Which recruitment actions are rated red?", *PLANS) == []  # none is both: not every red row
    assert refs("Which workforce actions are rated red or amber?", *PLANS) == ["W1.1", "W2.1", "W3.1"]


def test_a_negated_value_is_left_to_the_selector_not_inverted():
    for question in ("Which workforce actions are not rated red?", "Which actions haven't been rated green?",
                     "Which improvement actions are still outstanding rather than green?"):
        assert refs(question, *PLANS) == [], question


def test_a_yes_no_question_or_one_naming_a_row_is_no_list():
    assert refs("Is the turnover action in the workforce tracker rated red?", *PLANS) == []
    assert refs("For action W2.1 of the workforce tracker, is it red or amber?", *PLANS) == []
    assert refs("Can you list the workforce actions rated red?", *PLANS) == ["W2.1", "W3.1"]


def test_a_place_only_a_cell_names_and_a_year_the_tracker_is_not_for_are_not_answered():
    comparator = ("Indicator | Theme | Kettlewell | Thurrock (comparator) | RAG\nWaits | Access | 10 | 12 | Red\n"
                  "Reviews | Access | 60% | 70% | Red\nCarers | Carers | 40% | 41% | Green")
    card = table("card", comparator, "Kettlewell adult social care scorecard", publisher="Kettlewell County Council")
    assert refs("Which Kettlewell scorecard indicators are rated red?", card) == ["Indicator: Waits",
                                                                                  "Indicator: Reviews"]
    assert refs("Which Thurrock scorecard indicators are rated red?", card) == []
    assert refs("Which workforce actions were rated red in March 2024?", *PLANS) == []  # the tracker is of 2025
    assert refs("Which workforce actions are rated red in 2025?", *PLANS) == ["W2.1", "W3.1"]


def test_of_two_versions_of_a_tracker_only_the_newer_is_listed_and_a_long_list_is_cut_and_said_to_be():
    july = table("july", WORKFORCE.replace("Cut staff turnover | Director of Adult Social Care | Red",
                                           "Cut staff turnover | Director of Adult Social Care | Amber"),
                 "Adult social care workforce action tracker", date="2025-07-31")
    assert refs("Which workforce actions are rated red?", july, PLANS[1]) == ["W2.1", "W3.1"]
    many = "\n".join(["Ref | Action | RAG"] + [f"R{n} | Action {n} | Red" for n in range(12)] + ["G1 | Other | Green"])
    listed = filtered_rows("Which actions are rated red?", QuestionProfile.of("Which actions are rated red?"),
                           [table("plan", many, "Action plan")], lambda p: [p], candidate_units)
    assert len(listed.rows) == 10 and listed.cut


def test_the_catalog_gives_a_table_s_consecutive_pieces_in_its_section_only(tmp_path):
    from evidence_bot.store.catalog import Catalog

    def piece(seq: int, text: str, section: str, kind: str = "table") -> Passage:
        return Passage(f"plan:{seq}", "plan", seq, text, text, section, None, None, 0, len(text), kind, 20)

    header, *rows = WORKFORCE.split("\n")
    passages = [piece(0, f"{header}\n{rows[0]}", "2025-26"), piece(1, f"{header}\n{rows[1]}", "2025-26"),
                piece(2, "A note between two tables.", "2025-26", "prose"), piece(3, f"{header}\n{rows[2]}", "2025-26"),
                piece(4, f"{header}\n{rows[3]}", "2024-25")]
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.replace_document("plan", "plan.xlsx", "hash", "p", "xlsx", DocumentMeta(title="Tracker"), None,
                             "text", passages)
    assert [p.id for p in catalog.table_passages(passages[1])] == ["plan:0", "plan:1"]  # not past the note
    assert [p.id for p in catalog.table_passages(passages[3])] == ["plan:3"]
    assert [p.id for p in catalog.table_passages(passages[4])] == ["plan:4"]  # another sheet, the same columns
    assert catalog.table_passages(passages[2]) == [passages[2]]
    catalog.close()
