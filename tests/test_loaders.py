from pathlib import Path

import pytest
from conftest import SAMPLE, THURROCK
from pypdf import PdfWriter

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders import MAX_TEXT_CHARS, load_document

from helpers.docxmaker import write_bulky_docx
from helpers.pdfmaker import page, write_pdf


def load(path):
    return load_document(Path(path), [])


def test_pdf_keeps_page_numbers_and_headings(tmp_path):
    pdf = write_pdf(tmp_path / "r.pdf", [page(("h1", "Report"), ("p", "First page text about care.")),
                                         page(("h2", "Findings"), ("p", "Second page text about waits."))])
    doc = load(pdf)
    kinds = [(b.kind, b.page, b.text) for b in doc.blocks]
    assert ("heading", 1, "Report") in kinds
    assert ("paragraph", 2, "Second page text about waits.") in kinds
    assert doc.page_count == 2
    for block in doc.blocks:
        assert doc.text[block.start:block.end] == block.text


def test_a_pdfs_running_header_and_footer_are_dropped_and_its_text_kept(tmp_path):
    header = ("p", "Thornmere Council - Adult Social Care Self-Assessment - May 2025 update - OFFICIAL")
    body = ["Waiting lists fell by a third.", "Reviews are on time.", "Carers are supported.", "Staff are stable."]
    pages = [page(header, ("p", text), ("p", f"Self-assessment {n} of 4 - OFFICIAL")) for n, text in
             enumerate(body, start=1)]
    text = load(write_pdf(tmp_path / "running.pdf", pages)).text
    assert "Thornmere Council - Adult" not in text and "OFFICIAL" not in text
    assert all(sentence in text for sentence in body)
    once = load(write_pdf(tmp_path / "once.pdf", [page(header, ("p", text)) for text in body[:2]])).text
    assert once.count("Thornmere Council - Adult") == 2  # two pages are too few to call a line running
    scores = [page(("h2", f"Statement {n}"), ("p", "Score: 2 - Evidence shows some shortfalls" if n < 4 else
                                              "Score: 3 - Evidence shows a good standard"), ("p", text))
              for n, text in enumerate(body, start=1)]
    scored = load(write_pdf(tmp_path / "scores.pdf", scores)).text
    assert scored.count("Score: 2 - Evidence shows some shortfalls") == 3  # on three pages of four: not running


def test_docx_headings_paragraphs_and_tables():
    doc = load(SAMPLE / "asc-self-assessment-2024.docx")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "Deprivation of Liberty Safeguards (DoLS)" in headings
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.header == "Measure | Fernleigh | England average"
    assert "Reviews completed within 12 months | 54% | 58%" in table.rows


def test_docx_table_reads_a_merged_cell_once_and_keeps_equal_neighbours(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    for row, values in zip(table.rows, [("Measure", "2023/24 target", "2023/24 actual", "2024/25"),
                                        ("Three or more placements", "9%", "9%", "10%"),
                                        ("Placements", "", "", "")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = table.cell(2, 1).merge(table.cell(2, 3))
    merged.text = "not collected"
    document.save(tmp_path / "measures.docx")
    block = next(b for b in load(tmp_path / "measures.docx").blocks if b.kind == "table")
    assert block.header == "Measure | 2023/24 target | 2023/24 actual | 2024/25"
    assert "Three or more placements | 9% | 9% | 10%" in block.rows  # equal values in their own columns
    assert "Placements | not collected" in block.rows  # one cell spanning three columns, read once


def test_html_keeps_main_content_only():
    doc = load(SAMPLE / "cabinet-minutes-2025-07-16.html")
    assert "Councillor Helen Marsh asked whether unpaid carers" in doc.text
    for noise in ("cookies", "Privacy", "Related meetings", "window.analytics", "Home >"):
        assert noise not in doc.text
    assert doc.title == "Minutes - Cabinet, 16 July 2025"


@pytest.mark.slow
def test_html_from_the_real_committee_site_drops_chrome():
    doc = load(THURROCK / "html" / "cabinet-decision-997.html")
    assert "Councillor Rigby was permitted to ask her question" in doc.text
    for noise in ("Accept all cookies", "Search documents", "Accessibility statement", "gtag"):
        assert noise not in doc.text


def test_markdown_headings_and_pipe_table():
    doc = load(SAMPLE / "asc-improvement-action-plan.md")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.header.startswith("Ref | Action | Owner")
    assert any(row.startswith("A2 | Clear the backlog of DoLS assessments") and row.endswith("Red")
               for row in table.rows)


def test_text_cleaning_of_real_mess(tmp_path):
    source = tmp_path / "messy.txt"
    source.write_text("Key Statistics\n\nActivity\tWorking Well\n"
                      "<p>3,937 new requests</p>\t<p>78.9% find it easy</p>\n\n"
                      "<p>25% in care</p>\t<p>68.2% of carers</p>\n--\t---\n\n"
                      "The strategy can be found [HERE](#) and the recommen-\ndations were agreed in-\nhouse.\n")
    doc = load(source)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == ["3,937 new requests | 78.9% find it easy", "25% in care | 68.2% of carers"]
    assert "<p>" not in doc.text and "[HERE](#)" not in doc.text
    assert "The strategy can be found HERE and the recommendations were agreed in-house." in doc.text


def test_a_page_saved_as_text_keeps_its_own_lines_and_joins_wrapped_ones(tmp_path):
    source = tmp_path / "page.txt"
    finding = ("The local authority had taken steps towards ensuring equity was high on people's agendas and "
               "actions were being taken to address any areas identified for improvement.")
    source.write_text(f"Bristol City Council: local authority assessment\nEquity in experience and outcomes\n"
                      f"Score: 2\n{finding}\n\nPublished: 8 November 2024\n\n"
                      "The number of agency social workers has reduced from 58 to\n42 and permanent recruitment is\n"
                      "ongoing across the whole of the service this year.\n")
    doc = load(source)
    texts = [(b.kind, b.text) for b in doc.blocks]
    assert ("paragraph", "Score: 2") in texts and ("paragraph", finding) in texts  # lines of their own
    assert ("paragraph", "Published: 8 November 2024") in texts  # a labelled date is a fact, not a heading
    assert any(t == "The number of agency social workers has reduced from 58 to 42 and permanent recruitment is "
               "ongoing across the whole of the service this year." for _, t in texts)  # hard-wrapped: one


# --- bad input: each a clear error naming the file and the reason ---------------------------------

def expect_error(path, reason):
    with pytest.raises(IngestError) as info:
        load(path)
    assert str(path) in str(info.value)
    assert reason in str(info.value)


def test_corrupt_pdf(tmp_path):
    bad = tmp_path / "corrupt.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf body\n")
    expect_error(bad, "corrupt or truncated PDF")


def test_truncated_pdf(tmp_path):
    whole = write_pdf(tmp_path / "whole.pdf", [page(("p", "Some text that will be cut off. " * 20))])
    cut = tmp_path / "truncated.pdf"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 3])
    expect_error(cut, "corrupt or truncated PDF")


def test_encrypted_pdf(tmp_path):
    source = write_pdf(tmp_path / "plain.pdf", [page(("p", "Confidential text."))])
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    expect_error(locked, "encrypted PDF")


def test_scanned_pdf_without_text_layer(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scanned = tmp_path / "scanned.pdf"
    with scanned.open("wb") as handle:
        writer.write(handle)
    expect_error(scanned, "no text layer (a scanned PDF?) and OCR could not read it")  # a blank page, read by OCR
    with pytest.raises(IngestError, match="OCR is turned off"):
        load_document(scanned, [], ocr=False)


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    expect_error(empty, "empty file")


def test_extension_that_lies(tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_text("<!DOCTYPE html><html><body><p>Not a PDF</p></body></html>")
    expect_error(fake, "the extension says pdf but the content is html")
    fake_docx = tmp_path / "minutes.docx"
    fake_docx.write_text("plain words")
    expect_error(fake_docx, "the extension says docx but the content is text")


def test_non_utf8_text_is_read_with_a_warning(tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("The budget is £450,000 for the café’s refit, agreed in 2025 after a long debate "
                       "about costs and the council’s reserves.".encode("cp1252"))
    warnings = []
    doc = load_document(legacy, warnings)
    assert "£450,000" in doc.text
    assert warnings and str(legacy) in warnings[0] and "not UTF-8" in warnings[0]


def test_binary_in_a_text_file(tmp_path):
    binary = tmp_path / "notes.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    expect_error(binary, "the content is binary")


FUZZ_FINDINGS = sorted((Path(__file__).parent / "fuzz_regressions").glob("*"))


@pytest.mark.parametrize("finding", FUZZ_FINDINGS, ids=[p.name for p in FUZZ_FINDINGS])
def test_inputs_the_fuzzer_found_get_a_clear_error(finding, tmp_path):
    """Saved by evals/fuzz_loaders.py: each once raised something other than IngestError."""
    try:
        load_document(finding, [])
    except IngestError as exc:
        assert finding.name in str(exc)


def fuzzer():
    """evals/fuzz_loaders.py, whose seeds and mutations the property test below shares."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "evals" / "fuzz_loaders.py"
    spec = importlib.util.spec_from_file_location("fuzz_loaders", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FUZZ = fuzzer()


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html", ".txt", ".md", ".xlsx", ".csv", ".pptx"])
def test_a_damaged_file_of_every_format_loads_or_gets_a_clear_error(suffix, tmp_path):
    """The fuzzer's property, on a fixed set of damaged copies of each format's seed (make fuzz runs it for
    minutes and saves what it finds above): a file loads, or IngestError names it; nothing else escapes."""
    from hypothesis import HealthCheck, given, settings

    seed = FUZZ.seeds(tmp_path)[suffix]
    target = tmp_path / f"damaged{suffix}"

    @settings(max_examples=15, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(FUZZ.mutations(seed))
    def loads_or_refuses(edits):
        target.write_bytes(FUZZ.apply(seed, edits))
        try:
            load_document(target, [], ocr=False)
        except IngestError as exc:
            assert target.name in str(exc)

    loads_or_refuses()


def refuse_python_docx(monkeypatch):
    """Reaching python-docx would mean the whole XML is parsed into a tree before any bound is checked."""
    def reached(*args, **kwargs):
        raise AssertionError("python-docx opened a file that is over a bound")
    monkeypatch.setattr("evidence_bot.ingest.loaders.docx.docx.Document", reached)


def test_docx_with_too_much_text_is_refused_while_its_xml_is_read(tmp_path, monkeypatch):
    refuse_python_docx(monkeypatch)
    bulky = write_bulky_docx(tmp_path / "ledger.docx", 12 * 2**20)  # about 6,000,000 characters of text
    expect_error(bulky, f"more than {MAX_TEXT_CHARS:,} characters of text, over the {MAX_TEXT_CHARS:,} limit")


def test_docx_with_too_much_markup_is_refused_while_its_xml_is_read(tmp_path, monkeypatch):
    refuse_python_docx(monkeypatch)
    # the real bound needs 60 MB of XML
    monkeypatch.setattr("evidence_bot.ingest.loaders.archive.MAX_XML_ELEMENTS", 50_000)
    bulky = write_bulky_docx(tmp_path / "formatted.docx", 4 * 2**20, runs_per_paragraph=40)
    expect_error(bulky, "more than 50,000 XML elements")


def test_docx_bounds_cover_every_xml_part(tmp_path, monkeypatch):
    refuse_python_docx(monkeypatch)
    bulky = write_bulky_docx(tmp_path / "footer.docx", 12 * 2**20, part="word/footer1.xml")  # a short body beside it
    expect_error(bulky, "characters of text")



def test_a_document_cut_off_mid_sentence_has_its_last_sentence_marked(tmp_path):
    """A page saved in part ends mid-word: its last sentence is marked "…", so a quote of it shows it is cut.
    A complete ending, a date line, a short line of its own and a list item are left as they are."""
    from evidence_bot.ingest.loaders import load_document

    cut = "Findings\n\nPeople were mostly positive about the staff. People told us about the benefit of th"
    cases = {"cut.txt": (cut, "benefit of th…"),
             "whole.txt": ("Findings\n\nPeople told us about the benefit of the service.", "of the service."),
             "dated.txt": ("Decision\n\nDate of Decision: January 21, 2026", "January 21, 2026"),
             "short.txt": ("News\n\nPeople were pleased.\n\nJoin the discussion", "Join the discussion"),
             "listed.txt": ("Actions\n\nWe will:\n\n- improve the support offered to unpaid carers", "unpaid carers")}
    for name, (text, ending) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert load_document(tmp_path / name, []).text.endswith(ending), name


def test_text_wrapped_to_a_ragged_width_is_joined_where_a_line_stops_mid_sentence(tmp_path):
    """Minutes copied from a web page, wrapped at about forty characters with no indent: a line ending on "of",
    "been" or "&", or followed by a lower-case line, runs on, in a paragraph and in a list item alike."""
    from evidence_bot.ingest.loaders import load_document

    (tmp_path / "minutes.txt").write_text(
        "The Strategic Director for Social Care &\nEducation presented the report.\nThe points to note were:\n"
        "- The Local Authority rating had been\n‘Requires improvement’.\n- Leicester’s scoring was only\n"
        "marginally below the threshold for a rating of\n‘Good’.\n- Scrutiny input played a vital role.\n",
        encoding="utf-8")
    blocks = [(b.kind, b.text) for b in load_document(tmp_path / "minutes.txt", []).blocks]
    assert blocks == [
        ("paragraph", "The Strategic Director for Social Care & Education presented the report."),
        ("paragraph", "The points to note were:"),
        ("list_item", "- The Local Authority rating had been ‘Requires improvement’."),
        ("list_item", "- Leicester’s scoring was only marginally below the threshold for a rating of ‘Good’."),
        ("list_item", "- Scrutiny input played a vital role.")]


@pytest.mark.parametrize("last, marked", [
    ("People told us about the benefit of th", True), ("The assessment team looked at how services work and", True),
    ("The meeting ended at 7.45 pm", False), ("For more information visit www.cumberland.gov.uk", False),
    ("Jane Smith, Director of Adult Social Services", False),
    ("Thanks go to everyone who took part in the review", False),
])
def test_only_a_last_paragraph_stopping_on_a_fragment_or_a_word_no_sentence_ends_on_is_marked_cut(last, marked):
    from evidence_bot.ingest.loaders.assemble import ends_mid_sentence
    from evidence_bot.models import Block

    earlier = "People told us about the service. The review covered everyone who took part and their care."
    assert ends_mid_sentence(Block(kind="paragraph", text=last, start=0, end=0), earlier) == marked


def test_labels_and_a_closing_comma_are_not_joined_to_the_next_line(tmp_path):
    from evidence_bot.ingest.loaders import load_document

    (tmp_path / "labels.txt").write_text("Appendix A\nAdult Social Care Improvement Action Plan\n\n"
                                         "- See Appendix A\nThe committee noted the report.\n", encoding="utf-8")
    texts = [b.text for b in load_document(tmp_path / "labels.txt", []).blocks]
    assert "Appendix A" in texts and "- See Appendix A" in texts and "The committee noted the report." in texts
