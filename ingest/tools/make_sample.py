"""Writes the binary files of ingest/sample/ (the PDF and the Word document) from the text below.

The sample council, Fernleigh Borough Council, is fictional. Run from the
repository root: .venv/bin/python ingest/tools/make_sample.py"""

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
    document.save(SAMPLE / "asc-self-assessment-2024.docx")


if __name__ == "__main__":
    inspection_report()
    self_assessment()
    print(f"wrote the PDF and DOCX in {SAMPLE}")
