"""Spreadsheets (XLSX, CSV) and slide decks (PPTX): read from the sample's generated files (written by the set-up,
ingest/tools/make_sample.py) and from files made here; bad ones get one clear error naming the file."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders import load_document
from evidence_bot.ingest.loaders.sheets import date_shown, header_row, number_shown, table_blocks

TRACKER = SAMPLE / "workforce-action-tracker.xlsx"
WAITS = SAMPLE / "assessment-waiting-times.csv"
DECK = SAMPLE / "scrutiny-briefing-2025-11.pptx"


def loaded(path: Path):
    warnings: list[str] = []
    return load_document(path, warnings), warnings


def expect_error(path: Path, reason: str) -> None:
    with pytest.raises(IngestError) as info:
        load_document(path, [])
    assert str(path) in str(info.value) and reason in str(info.value), str(info.value)


def test_a_workbook_reads_as_its_sheets_with_header_rows_and_values_as_shown():
    document, warnings = loaded(TRACKER)
    headings = [b.text for b in document.blocks if b.kind == "heading"]
    assert headings == ["Actions", "Scorecard"]  # the hidden sheet is left out
    actions = next(b for b in document.blocks if b.kind == "table")
    assert actions.header == "Ref | Theme | Action | Owner | Due date | RAG | Complete"  # found on the fourth row
    assert ("W2.1 | Retention | Cut social care staff turnover to 12% a year | Director of Adult Social Care | "
            "30 Jun 2026 | Red | 20%") in actions.rows
    assert any(row.startswith("W1.2 | Recruitment |") for row in actions.rows)  # the merged theme, on each action
    assert "Actions complete |  |  |  |  |  | 44%" in actions.rows  # a formula, as its saved value
    assert "W0.9" not in document.text  # a hidden row
    paragraphs = [b.text for b in document.blocks if b.kind == "paragraph"]
    assert paragraphs[0] == "Fernleigh adult social care workforce action tracker"  # the title above the header
    assert "Social worker vacancy rate | 18% | 15% | 10%" in document.text
    assert document.title == "Adult social care workforce action tracker"
    assert any("'Lookups' is hidden" in w for w in warnings) and any("1 hidden rows" in w for w in warnings)


def test_a_csv_export_finds_its_header_below_a_title_line():
    document, _ = loaded(WAITS)
    table = next(b for b in document.blocks if b.kind == "table")
    assert table.header == "Month | People waiting | Median wait (weeks) | Longest wait (weeks)"
    assert table.rows[2] == "June 2025 | 352 | 9.5 | 27"
    assert document.blocks[0].text == "Care Act assessment waiting times, Fernleigh Borough Council"


def test_a_deck_reads_titles_text_tables_and_notes_by_slide_and_leaves_hidden_slides_out():
    document, warnings = loaded(DECK)
    headings = [(b.text, b.page) for b in document.blocks if b.kind == "heading"]
    assert headings == [("Adult social care: progress since the CQC assessment", 1),
                        ("Deprivation of Liberty Safeguards", 2), ("Reviews completed on time", 3)]
    table = next(b for b in document.blocks if b.kind == "table")
    assert table.page == 3 and "Q2 2025/26 | 604 | 66%" in table.rows
    notes = next(b for b in document.blocks if b.text.startswith("Speaker notes:"))
    assert notes.page == 2 and "stay until March 2026" in notes.text
    assert "day centre" not in document.text and warnings == [f"{DECK}: hidden slides left out: 4"]
    assert document.page_count == 4


def test_a_shape_python_pptx_cannot_name_is_still_read(tmp_path):
    """A <p:sp> with no geometry that is not a text box has no shape type in python-pptx (it raises): its text is
    read all the same, not the whole deck refused."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(1), Inches(4), Inches(1))
    shape.text_frame.text = "Reviews completed on time rose to 71%."
    geometry = shape._element.spPr.prstGeom
    geometry.getparent().remove(geometry)
    with pytest.raises(NotImplementedError):
        _ = shape.shape_type  # the case: python-pptx cannot name it
    deck.save(tmp_path / "odd.pptx")
    document, _ = loaded(tmp_path / "odd.pptx")
    assert "Reviews completed on time rose to 71%." in document.text


@pytest.mark.parametrize("value, number_format, shown", [
    (0.425, "0%", "43%"), (0.4256, "0.0%", "42.6%"), (1234.5, "£#,##0.00", "£1,234.50"), (-50, "£#,##0", "-£50"),
    (1234567, "#,##0", "1,234,567"), (0.1 + 0.2, "General", "0.3"), (17, "General", "17"), (3.14159, "0.00", "3.14"),
    (12, '0" weeks"', "12 weeks"), (0.07, '[$£-809]#,##0.00', "£0.07"), (2_500_000, '0.0,,"m"', "2.5m"),
    (0.5, "[Red]0%;0%", "50%"), (1e30, "0.00", "1e+30")])
def test_numbers_are_shown_by_their_format(value, number_format, shown):
    assert number_shown(value, number_format) == shown


@pytest.mark.parametrize("value, number_format, shown", [
    (datetime.datetime(2026, 3, 3), "d mmm yyyy", "3 Mar 2026"), (datetime.datetime(2026, 3, 3), "dd/mm/yyyy",
                                                                   "03/03/2026"),
    (datetime.datetime(2026, 3, 3), "mm-dd-yy", "03/03/2026"),  # Excel's built-in short date, as English dates
    (datetime.datetime(2025, 9, 1), "mmmm yyyy", "September 2025"), (datetime.datetime(2025, 9, 1), "mmm-yy",
                                                                     "Sep-25"),
    (datetime.datetime(2025, 9, 1, 14, 5), "hh:mm", "14:05"), (datetime.datetime(2025, 9, 1, 14, 5), "h:mm AM/PM",
                                                               "2:05 PM"),
    (datetime.datetime(2025, 9, 1), "[$-809]dddd d mmmm yyyy", "Monday 1 September 2025")])
def test_dates_are_shown_by_their_format(value, number_format, shown):
    assert date_shown(value, number_format) == shown


def test_the_header_row_is_the_first_row_of_labels_across_the_table():
    rows = [["Quarterly report"], ["Prepared by the performance team"], ["Measure", "2024", "2025"],
            ["Reviews", "54%", "61%"], ["Waiting", "412", "301"]]
    assert header_row(rows) == 2  # years are labels
    assert header_row([["Reviews", "54%"], ["Waiting", "412"]]) == 0  # no row of labels: the first row


def test_a_workbook_with_formats_merges_and_hidden_columns_made_here(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(["Ref", "Action", "Internal notes", "Due"])
    sheet.append(["4.2", "Open a second carers' hub", "do not publish", datetime.datetime(2026, 1, 31)])
    sheet["D2"].number_format = "dd/mm/yyyy"
    sheet.column_dimensions["C"].hidden = True
    book.save(tmp_path / "plan.xlsx")
    document, warnings = loaded(tmp_path / "plan.xlsx")
    assert "Ref | Action | Due\n4.2 | Open a second carers' hub | 31/01/2026" in document.text
    assert "do not publish" not in document.text and "1 hidden columns" in warnings[0]


def test_a_title_merged_across_the_sheet_is_no_header_and_a_key_under_the_table_is_a_note(tmp_path):
    """Council trackers open with a title merged across every column (each cell of the range shows it, so it fills
    the width like a header) and close with a key in one cell; a workbook is saved whole, so no cut mark."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Children's Services Improvement Plan 2025/26"] + [None] * 3)
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["Ref", "Action", "Officer", "RAG"])
    sheet.append(["CS-01", "Embed a triage rota", "David Lin", "Green"])
    sheet.append(["CS-02", "Cut re-referrals", "David Lin", "Red"])
    sheet.append([])
    sheet.append(["Key: Blue = Complete; Red = Off track, escalation required"])
    book.save(tmp_path / "plan.xlsx")
    document, _ = loaded(tmp_path / "plan.xlsx")
    assert "Sheet\n\nChildren's Services Improvement Plan 2025/26\n\nRef | Action | Officer | RAG\n" in document.text
    tables = [b for b in document.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].rows == ["CS-01 | Embed a triage rota | David Lin | Green",
                                                   "CS-02 | Cut re-referrals | David Lin | Red"]
    assert document.text.endswith("\n\nKey: Blue = Complete; Red = Off track, escalation required")


def test_a_last_row_with_one_cell_filled_is_a_row_unless_it_reads_as_a_note_and_a_partial_title_is_no_header():
    rows = [["Tracker", "Tracker", "Tracker", "Updated 31 Oct 2025"], ["Ref", "Action", "Owner", "RAG"],
            ["W1", "Recruit", "Head of Workforce", "Amber"], ["W2", "Review the carers' offer", "", ""]]
    assert header_row(rows) == 1  # a title merged over most of the width, a date beside it
    blocks = table_blocks(rows)
    assert [b.kind for b in blocks] == ["paragraph", "table"] and blocks[0].text == "Tracker Updated 31 Oct 2025"
    assert blocks[1].rows[-1] == "W2 | Review the carers' offer |  | "  # an action not yet assigned: still a row
    noted = table_blocks(rows + [["Source: workforce board, October 2025", "", "", ""]])
    assert noted[-1].kind == "paragraph" and noted[-1].text == "Source: workforce board, October 2025"


def test_an_encrypted_workbook_gets_a_clear_error(tmp_path):
    encrypted = io.BytesIO()
    with TRACKER.open("rb") as plain:
        OOXMLFile(plain).encrypt("secret", encrypted)
    (tmp_path / "locked.xlsx").write_bytes(encrypted.getvalue())
    expect_error(tmp_path / "locked.xlsx", "password-protected (encrypted) or old-format Office file")


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/workbook.xml", "<workbook/>")
        with bomb.open("xl/worksheets/sheet1.xml", "w") as inflating:  # 320 MB of spaces, about 300 KB on disk
            for _ in range(320):
                inflating.write(b" " * 2**20)
    expect_error(tmp_path / "bomb.xlsx", "zip bomb")


def test_a_csv_with_a_million_columns_is_refused(tmp_path):
    (tmp_path / "wide.csv").write_text("a," * 1_000_000 + "\n1,2\n", encoding="utf-8")
    expect_error(tmp_path / "wide.csv", "1,000,001 columns, over the 1,000 limit")


def test_a_deck_that_is_a_renamed_workbook_is_refused_by_its_content(tmp_path):
    (tmp_path / "slides.pptx").write_bytes(TRACKER.read_bytes())
    expect_error(tmp_path / "slides.pptx", "the extension says pptx but the content is xlsx")
