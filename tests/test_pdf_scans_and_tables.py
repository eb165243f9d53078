"""PDFs as councils hold them: tables drawn without ruling lines, and scans with no text layer (read by OCR with
Tesseract). The scans are made here from real text-layer PDFs (tests/helpers/scanmaker.py), so what OCR reads
can be checked against the text the PDF really holds."""

import re
import shutil

import pytest
from conftest import SAMPLE, THURROCK
from PIL import Image
from pypdf import PdfReader, PdfWriter
from rapidfuzz.distance import Levenshtein

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders import load_document
from evidence_bot.ingest.loaders.ocr import MAX_OCR_PAGES

from helpers.pdfmaker import page, write_pdf
from helpers.scanmaker import write_scan

REPORT = SAMPLE / "cqc-assessment-report-extract.pdf"  # two pages of text
PLAN_HEADER = ["Ref", "Action", "Owner", "RAG"]
PLAN = [["A1", "Waiting list", "Head of Service", "Amber"], ["A2", "DoLS backlog", "Service Manager", "Red"],
        ["A3", "Carers panel", "Carers Lead", "Green"]]


def loaded(path, **options):
    warnings: list[str] = []
    return load_document(path, warnings, **options), warnings


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_a_table_without_ruling_lines_is_one_table_with_its_header(tmp_path):
    pdf = write_pdf(tmp_path / "plan.pdf", [page(("h1", "Improvement plan"), ("p", "Progress at October 2025."),
                                                 ("table", [PLAN_HEADER, *PLAN]), ("p", "The panel met in May."))])
    document, _ = loaded(pdf, pdf_tables=True)
    tables = [b for b in document.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].header == "Ref | Action | Owner | RAG"
    assert tables[0].rows == ["A1 | Waiting list | Head of Service | Amber",
                              "A2 | DoLS backlog | Service Manager | Red", "A3 | Carers panel | Carers Lead | Green"]
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == ["Progress at October 2025.",
                                                                           "The panel met in May."]


def test_a_table_running_over_a_page_break_stays_one_table_with_its_header_once(tmp_path):
    pdf = write_pdf(tmp_path / "plan.pdf", [page(("table", [PLAN_HEADER, *PLAN[:2]])),
                                            page(("table", [PLAN_HEADER, PLAN[2]]), ("p", "Next review: May."))])
    tables = [b for b in loaded(pdf, pdf_tables=True)[0].blocks if b.kind == "table"]
    assert len(tables) == 1 and len(tables[0].rows) == 3 and tables[0].page == 1
    assert not [b for b in loaded(pdf)[0].blocks if b.kind == "table"]  # off by default (docs/formats.md)


def test_lists_and_lines_of_text_are_not_tables(tmp_path):
    pdf = write_pdf(tmp_path / "notes.pdf", [page(("table", [["1.", "Enable people to stay well"],
                                                            ["2.", "Provide the right care"]])),
                                             page(("table", [["The board met in May and agreed the plan for the",
                                                              "The partners said the plan would need more staff"],
                                                             ["coming year with its partners in health and care.",
                                                              "than the council had budgeted for this year."]]))])
    assert not [b for b in loaded(pdf, pdf_tables=True)[0].blocks if b.kind == "table"]


STATISTICS = [  # each cell a list of its lines, as a narrow column wraps them
    [["Activity"], ["Working well"], ["Area for", "improvement"]],
    [["920 safeguarding", "concerns in the year-", "to-date."], ["95% of adults were", "asked their outcomes."],
     ["58% of enquiries", "done in 90 days."]],
    [["367 referrals", "became enquiries."], ["97% achieved", "their outcomes."],
     ["Voice of people in Fernlei", "gh practice."]]]


def test_a_padded_table_keeps_each_row_whole_across_its_cells_wrapped_lines(tmp_path):
    """Rows further apart than a cell's lines: each line at a cell's spacing continues the row, a header set over
    two lines is one header, a word broken by the column is joined and a compound keeps its hyphen."""
    pdf = write_pdf(tmp_path / "stats.pdf", [page(("p", "Key statistics for the year."),
                                                  ("padded table", STATISTICS),
                                                  ("p", "Data updated as at November 2024."))])
    document, _ = loaded(pdf, pdf_tables=True)
    tables = [b for b in document.blocks if b.kind == "table"]
    assert len(tables) == 1 and tables[0].header == "Activity | Working well | Area for improvement"
    assert tables[0].rows == [
        "920 safeguarding concerns in the year-to-date. | 95% of adults were asked their outcomes. | "
        "58% of enquiries done in 90 days.",
        "367 referrals became enquiries. | 97% achieved their outcomes. | Voice of people in Fernleigh practice."]
    assert [b.text for b in document.blocks if b.kind == "paragraph"] == [
        "Key statistics for the year.", "Data updated as at November 2024."]


def test_the_thurrock_self_assessment_pdf_keeps_its_tables_as_the_word_rendition_does():
    pdf, _ = loaded(THURROCK / "pdf" / "better-care-together-self-assessment.pdf", pdf_tables=True)
    rows = {row for b in pdf.blocks if b.kind == "table" for row in [b.header, *b.rows]}
    for row in ("Year | Council score | Region score | England score", "2019-20 | 36.2 | 25.7 | 27.9",
                "Area | CQC rating good or outstanding", "Thurrock | 44.7%", "Q2 24/25 | 70.2% | 66.6%"):
        assert row in rows
    word, _ = loaded(THURROCK / "docx" / "better-care-together-self-assessment.docx")
    assert "2019-20 | 36.2 | 25.7 | 27.9" in word.text  # the same row, as the Word loader reads it
    # The rows of the Word rendition's tables are the PDF's, multi-line cells and headers included (44 rows), but
    # two place names a narrow column broke ("Peterb orough") and one row whose Word table lacks a cell.
    in_word = {row for b in word.blocks if b.kind == "table" for row in [b.header, *b.rows]}
    assert len(in_word) == 44 and len(in_word & rows) >= 41
    assert ("920 safeguarding concerns received in the year-to-date (Apr-Nov 24). 947 in the same period in 2023."
            in {cell for row in rows for cell in row.split(" | ")})


@pytest.mark.slow
def test_a_scan_is_read_by_ocr_close_to_its_text_layer(tmp_path):
    scan = write_scan(REPORT, tmp_path / "report-scan.pdf")
    assert not PdfReader(scan).pages[0].extract_text().strip()  # a true scan: no text layer
    document, warnings = loaded(scan)
    original, _ = loaded(REPORT)
    error = Levenshtein.distance(normalised(original.text), normalised(document.text)) / len(normalised(original.text))
    assert error < 0.03, (error, document.text)
    assert "overall score of 58%" in document.text
    assert sorted(document.ocr_pages) == [1, 2] and min(document.ocr_pages.values()) > 0.8
    assert (document.pages_read.text, document.pages_read.ocr, document.pages_read.empty) == (0, 2, 0)
    assert [b.text for b in document.blocks if b.kind == "heading"][:2] == [
        "Fernleigh Borough Council: local authority assessment (extract)", "Overall rating"]


@pytest.mark.slow
def test_a_partly_scanned_pdf_reads_only_its_scanned_page_by_ocr(tmp_path):
    scan = write_scan(REPORT, tmp_path / "scan.pdf")
    mixed = PdfWriter()
    mixed.add_page(PdfReader(REPORT).pages[0])
    mixed.add_page(PdfReader(scan).pages[1])
    with (tmp_path / "mixed.pdf").open("wb") as handle:
        mixed.write(handle)
    document, _ = loaded(tmp_path / "mixed.pdf")
    assert list(document.ocr_pages) == [2] and document.pages_read.text == 1
    assert "overall score of 58%" in document.text and "96 people were waiting" in document.text


def test_without_ocr_scanned_pages_are_left_out_with_a_warning_naming_them(tmp_path, monkeypatch):
    scan = write_scan(REPORT, tmp_path / "scan.pdf", dpi=100)
    mixed = PdfWriter()
    mixed.add_page(PdfReader(REPORT).pages[0])
    mixed.add_page(PdfReader(scan).pages[1])
    with (tmp_path / "mixed.pdf").open("wb") as handle:
        mixed.write(handle)
    document, warnings = loaded(tmp_path / "mixed.pdf", ocr=False)
    assert "96 people" not in document.text and warnings == [f"{tmp_path / 'mixed.pdf'}: no text on page 2 (OCR is "
                                                             "turned off)"]
    monkeypatch.setattr(shutil, "which", lambda name: None)  # a machine without Tesseract
    document, warnings = loaded(tmp_path / "mixed.pdf")
    assert "page 2 has no text layer and is left out: Tesseract is not installed" in warnings[0]
    with pytest.raises(IngestError, match="no text layer"):
        load_document(scan, [])


def test_a_500_page_scan_is_refused_at_once_naming_the_limit(tmp_path):
    blank = Image.new("L", (120, 170), 255)
    blank.save(tmp_path / "archive.pdf", format="PDF", save_all=True, append_images=[blank] * 499)
    with pytest.raises(IngestError) as info:
        load_document(tmp_path / "archive.pdf", [])
    assert str(tmp_path / "archive.pdf") in str(info.value)
    assert f"500 pages have no text layer, over the {MAX_OCR_PAGES}-page limit" in str(info.value)


@pytest.mark.slow
def test_an_answer_from_a_scan_says_it_was_read_by_ocr(tmp_path, fresh_bot):
    folder = tmp_path / "evidence"
    folder.mkdir()
    write_scan(REPORT, folder / "cqc-report-scan.pdf")
    report = fresh_bot.library().ingest([folder])
    assert report.ok and report.pages == [f"{folder / 'cqc-report-scan.pdf'}: 0 pages with text, 2 read by OCR "
                                          f"(lowest confidence {min_confidence(fresh_bot):.0%}), 0 empty"]
    answer = fresh_bot.reader().ask("What was Fernleigh's overall CQC score?")
    assert "58%" in answer.answer
    assert answer.citations[0].ocr and 0.8 < answer.citations[0].ocr_confidence <= 1


def min_confidence(bot) -> float:
    return min(p.ocr_confidence for row in bot.catalog.documents() for p in bot.catalog.doc_passages(row["doc_id"]))
