"""Writes the binary files of ingest/sample/ from the text below.

The PDF and the Word document are committed; the workbook, the CSV and the
slide deck are not (`--generated`, run by the set-up, writes them when they are
missing). The sample council, Fernleigh Borough Council, is fictional. Run from
the repository root: .venv/bin/python ingest/tools/make_sample.py [--generated]"""

import csv
import datetime
import sys
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from helpers.pdfmaker import page, write_pdf  # noqa: E402

SAMPLE = ROOT / "ingest" / "sample"


def inspection_report() -> None:
    write_pdf(SAMPLE / "cqc-assessment-report-extract.pdf", [
        page(("h1", "Fernleigh Borough Council: local authority assessment (extract)"),
             ("p", "The Care Quality Commission assessed how Fernleigh Borough Council meets its duties under "
                   "Part 1 of the Care Act 2014. The assessment took place in March 2025 and this report was "
                   "published on 12 June 2025."),
             ("h2", "Overall rating"),
             ("p", "Fernleigh Borough Council is rated Requires improvement, with an overall score of 58% "
                   "across the nine quality statements."),
             ("h2", "Assessing needs"),
             ("p", "People told us they waited too long for a Care Act assessment. At the time of the "
                   "assessment 412 people were waiting, and the median wait was 11 weeks, well above the "
                   "regional median of 6 weeks. Waiting times for occupational therapy assessments were the "
                   "longest, at up to 26 weeks."),
             ("p", "Leaders knew about the waiting lists and had a recovery plan, but it was too early to see "
                   "its impact.")),
        page(("h2", "Safeguarding"),
             ("p", "Safeguarding enquiries were timely and people were kept informed. Partners described the "
                   "Fernleigh Safeguarding Adults Board as well led. However, 96 people were waiting for a "
                   "Deprivation of Liberty Safeguards assessment, some for more than six months."),
             ("h2", "Partnerships and communities"),
             ("p", "Staff and partners spoke positively about joint working with the NHS. The voluntary sector "
                   "said grant funding decisions were made too late in the year to plan services."),
             ("h2", "Areas for improvement"),
             ("p", "The council should reduce waiting times for assessments and reviews, clear the backlog of "
                   "Deprivation of Liberty Safeguards assessments, and improve how it records and acts on "
                   "feedback from unpaid carers.")),
    ])


def self_assessment() -> None:
    document = docx.Document()
    document.core_properties.title = "Fernleigh Adult Social Care Self-Assessment 2024"
    document.add_heading("Fernleigh Adult Social Care Self-Assessment 2024", level=1)
    document.add_paragraph("This self-assessment sets out how Fernleigh Borough Council's adult social care "
                           "service meets its Care Act duties, as at 30 November 2024.")
    document.add_heading("Theme 1: Working with people", level=1)
    document.add_heading("Assessing needs", level=2)
    document.add_paragraph("We completed 2,140 Care Act assessments in 2023/24. Demand rose by 9% on the "
                           "previous year, and waiting lists grew as a result.")
    document.add_paragraph("As at 30 November 2024, 388 people were waiting for an assessment. We have "
                           "recruited six additional social workers to reduce the waiting list by March 2025.")
    document.add_heading("Key statistics", level=2)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Measure", "Fernleigh", "England average"]):
        cell.text = text
    for row in [("Carers who find it easy to find information", "61.0%", "57.5%"),
                ("People who use services who feel safe", "71.2%", "70.0%"),
                ("Reviews completed within 12 months", "54%", "58%")]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    document.add_heading("Theme 3: Ensuring safety", level=1)
    document.add_heading("Deprivation of Liberty Safeguards (DoLS)", level=2)
    document.add_paragraph("We received 910 DoLS applications in 2023/24. As at 30 November 2024, 104 "
                           "applications were awaiting assessment. We have trained 12 more Best Interests "
                           "Assessors (BIAs) to reduce the backlog.")
    document.add_heading("Theme 4: Leadership", level=1)
    document.add_paragraph("Our Principal Social Worker leads a quarterly practice audit. The last audit found "
                           "82% of case files met the practice standard.")
    document.save(str(SAMPLE / "asc-self-assessment-2024.docx"))


# Not in git: the set-up writes them (make_sample.py --generated).
GENERATED = ("workforce-action-tracker.xlsx", "assessment-waiting-times.csv", "scrutiny-briefing-2025-11.pptx")
# The workforce action tracker: (ref, theme, action, owner, due, RAG, share complete)
ACTIONS = [
    ("W1.1", "Recruitment", "Recruit eight permanent social workers to replace agency staff", "Head of Workforce",
     datetime.date(2026, 3, 31), "Amber", 0.5),
    ("W1.2", "Recruitment", "Launch a social work apprenticeship with Fernleigh College", "Principal Social Worker",
     datetime.date(2025, 9, 1), "Green", 1.0),
    ("W2.1", "Retention", "Cut social care staff turnover to 12% a year", "Director of Adult Social Care",
     datetime.date(2026, 6, 30), "Red", 0.2),
    ("W2.2", "Retention", "Introduce a career pathway for occupational therapists", "Principal Occupational Therapist",
     datetime.date(2026, 1, 31), "Amber", 0.4),
    ("W3.1", "Practice", "Train all team managers in strengths-based supervision", "Practice Development Lead",
     datetime.date(2025, 12, 15), "Red", 0.1),
]


def action_tracker() -> None:
    """A workbook as councils keep them: a title above the header row, a theme merged down its actions, dates
    and percentages by number format, a formula with its saved value, a hidden sheet and a hidden row."""
    import xlsxwriter  # writes a formula's result with it (openpyxl cannot), as Excel would have saved it

    book = xlsxwriter.Workbook(str(SAMPLE / "workforce-action-tracker.xlsx"))
    book.set_properties({"title": "Adult social care workforce action tracker"})
    bold, date, percent = (book.add_format({"bold": True}), book.add_format({"num_format": "d mmm yyyy"}),
                           book.add_format({"num_format": "0%"}))
    sheet = book.add_worksheet("Actions")
    sheet.write(0, 0, "Fernleigh adult social care workforce action tracker", bold)
    sheet.write(1, 0, "Progress at 31 October 2025. RAG: red off track, amber at risk, green on track or complete.")
    header = ["Ref", "Theme", "Action", "Owner", "Due date", "RAG", "Complete"]
    for column, name in enumerate(header):
        sheet.write(3, column, name, bold)
    for row, (ref, _, action, owner, due, rag, done) in enumerate(ACTIONS, start=4):
        sheet.write_row(row, 0, [ref, None, action, owner])
        sheet.write_datetime(row, 4, datetime.datetime.combine(due, datetime.time()), date)
        sheet.write(row, 5, rag)
        sheet.write_number(row, 6, done, percent)
    for first, last, theme in [(4, 5, "Recruitment"), (6, 7, "Retention"), (8, 8, "Practice")]:
        if first == last:
            sheet.write(first, 1, theme)
        else:
            sheet.merge_range(first, 1, last, 1, theme)
    sheet.write_row(9, 0, ["W0.9", "Recruitment", "Withdrawn: overseas recruitment campaign", "Head of Workforce"])
    sheet.set_row(9, None, None, {"hidden": True})
    sheet.write(11, 0, "Actions complete")
    sheet.write_formula(11, 6, "=AVERAGE(G5:G9)", percent, sum(a[6] for a in ACTIONS) / len(ACTIONS))
    scorecard = book.add_worksheet("Scorecard")
    for column, name in enumerate(["Measure", "Q1 2025/26", "Q2 2025/26", "Target"]):
        scorecard.write(0, column, name, bold)
    for row, (measure, q1, q2, target) in enumerate([
            ("Social worker vacancy rate", 0.18, 0.15, 0.10), ("Agency social workers", 23, 19, 10),
            ("Staff turnover (annualised)", 0.21, 0.19, 0.12)], start=1):
        style = percent if q1 < 1 else None
        scorecard.write(row, 0, measure)
        for column, value in enumerate([q1, q2, target], start=1):
            scorecard.write_number(row, column, value, style)
    lookups = book.add_worksheet("Lookups")
    lookups.write_column(0, 0, ["Red", "Amber", "Green"])
    lookups.hide()
    book.close()


def waiting_times() -> None:
    """A CSV as a performance system exports it: a title line, then the header row."""
    with (SAMPLE / "assessment-waiting-times.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Care Act assessment waiting times, Fernleigh Borough Council"])
        out.writerow(["Month", "People waiting", "Median wait (weeks)", "Longest wait (weeks)"])
        for month, waiting, median, longest in [("April 2025", 398, 10.5, 31), ("May 2025", 371, 10.0, 29),
                                                ("June 2025", 352, 9.5, 27), ("July 2025", 340, 9.0, 26),
                                                ("August 2025", 322, 8.5, 24), ("September 2025", 301, 8.0, 22)]:
            out.writerow([month, waiting, median, longest])


def scrutiny_briefing() -> None:
    """A committee slide deck: titles, bullets, a table, speaker notes and a hidden slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "Adults Overview and Scrutiny Committee briefing, November 2025"
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = "Adult social care: progress since the CQC assessment"
    title.placeholders[1].text = "Adults Overview and Scrutiny Committee, 18 November 2025"
    bullets = deck.slides.add_slide(deck.slide_layouts[1])
    bullets.shapes.title.text = "Deprivation of Liberty Safeguards"
    body = bullets.placeholders[1].text_frame
    body.text = "The DoLS backlog peaked at 131 in September 2025"
    for text in ["Four agency Best Interests Assessors started in October 2025",
                 "The backlog is forecast to fall below 60 by March 2026"]:
        body.add_paragraph().text = text
    bullets.notes_slide.notes_text_frame.text = ("The Director will explain that the forecast assumes the agency "
                                                 "assessors stay until March 2026.")
    numbers = deck.slides.add_slide(deck.slide_layouts[5])
    numbers.shapes.title.text = "Reviews completed on time"
    table = numbers.shapes.add_table(4, 3, Inches(1), Inches(2), Inches(8), Inches(2)).table
    for r, row in enumerate([("Quarter", "Reviews due", "Completed on time"), ("Q4 2024/25", "612", "54%"),
                             ("Q1 2025/26", "590", "61%"), ("Q2 2025/26", "604", "66%")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    hidden = deck.slides.add_slide(deck.slide_layouts[1])
    hidden.shapes.title.text = "Draft: options not agreed"
    hidden.placeholders[1].text = "Closing the Fernleigh Road day centre (not for publication)"
    hidden.element.set("show", "0")
    deck.save(str(SAMPLE / "scrutiny-briefing-2025-11.pptx"))


def generated() -> None:
    """The files not kept in git, written when any is missing."""
    if all((SAMPLE / name).is_file() for name in GENERATED):
        return
    action_tracker()
    waiting_times()
    scrutiny_briefing()
    print(f"wrote the workbook, CSV and slide deck in {SAMPLE}")


if __name__ == "__main__":
    if "--generated" in sys.argv:
        generated()
    else:
        inspection_report()
        self_assessment()
        for name in GENERATED:
            (SAMPLE / name).unlink(missing_ok=True)
        generated()
        print(f"wrote the PDF and DOCX in {SAMPLE}")
