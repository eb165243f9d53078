"""Briefings: facts quoted verbatim with their sources, real Word footnotes, and the API and CLI that make them."""

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from conftest import artifacts_dir
from docx import Document
from lxml import etree

from evidence_bot.evidence.briefing import Briefing, Fact, Source, as_markdown
from evidence_bot.evidence.briefing_docx import briefing_docx
from evidence_bot.server import create_app

from helpers.cli import run_cli
from helpers.server import local_client

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def footnotes_of(data: bytes) -> tuple[list[str], list[str]]:
    """(the footnote ids referenced in the body, in order; the text of each real footnote, by id order)."""
    document = Document(BytesIO(data))
    references = [r.get(f"{W}id") for r in document.element.body.iter(f"{W}footnoteReference")]
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes"))
    root = etree.fromstring(part.blob)
    notes = {n.get(f"{W}id"): "".join(n.itertext()).strip() for n in root.iter(f"{W}footnote")
             if n.get(f"{W}type") is None}
    return references, [notes[r] for r in references]


def test_sample_briefing_quotes_its_sources(sample_bot):
    briefing = sample_bot.reader().brief("waiting times for assessments")
    assert briefing.facts and briefing.sources
    texts = {p.id: p.text
             for p in [sample_bot.catalog.passages([s.passage_id])[s.passage_id][0] for s in briefing.sources]}
    by_n = {s.n: s for s in briefing.sources}
    for fact in briefing.facts:
        assert fact.text in texts[by_n[fact.source].passage_id], "a fact that is not verbatim in its source"
    markdown = as_markdown(briefing)
    assert markdown.startswith("# Briefing: waiting times for assessments") and "[^1]: " in markdown

    references, notes = footnotes_of(briefing_docx(briefing))
    assert references == [str(i) for i in range(1, len(briefing.facts) + 1)]
    for fact, note in zip(briefing.facts, notes):
        source = by_n[fact.source]
        assert note.startswith(source.title) and (source.date or "") in note


def test_brief_endpoint_and_command(sample_bot, tmp_path):
    with local_client(create_app(bot=sample_bot)) as client:
        docx = client.get("/api/brief", params={"topic": "safeguarding", "format": "docx"})
        assert docx.status_code == 200 and docx.headers["content-disposition"].endswith('briefing-safeguarding.docx"')
        assert footnotes_of(docx.content)[0]
        assert client.get("/api/brief", params={"topic": "safeguarding"}).json()["facts"]
        assert client.get("/api/brief", params={"topic": ""}).status_code == 422
    out = tmp_path / "b.md"
    done = run_cli("--index", sample_bot.settings.index_dir, "brief", "safeguarding", "--format", "md",
                   "--output", out)
    assert done.returncode == 0 and out.read_text(encoding="utf-8").startswith("# Briefing: safeguarding")


@pytest.mark.slow
def test_thurrock_safeguarding_briefing_renders_in_libreoffice(thurrock_bot, tmp_path):
    """The acceptance briefing: DOCX with working footnotes, opened with python-docx, rendered to PDF once."""
    briefing = thurrock_bot.reader().brief("safeguarding")
    data = briefing_docx(briefing)
    references, notes = footnotes_of(data)
    assert len(references) == len(briefing.facts) >= 3
    assert all("Thurrock" in note or "thurrock" in note for note in notes)
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: `make test` installs libreoffice-writer-nogui"
    source = tmp_path / "briefing-safeguarding.docx"
    source.write_bytes(data)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "briefing-safeguarding.pdf"
    assert pdf.stat().st_size > 5000
    shutil.copy(source, artifacts_dir() / "briefing-safeguarding.docx")  # for a person to look at
    shutil.copy(pdf, artifacts_dir() / "briefing-safeguarding.pdf")


def test_control_characters_cannot_break_the_word_file():
    """Found by the schemathesis run: GET /api/brief?topic=%08&format=docx gave a 500 (XML cannot hold \\x08)."""
    briefing = Briefing("\x08safe\x1fguarding", "Council\x00", "2026-11-23",
                        [Fact("There were 12\x0b reviews.", 1)],
                        [Source("p1", "d1", "Minutes\x07", "minutes", "2025-01", 2, n=1, section="Item\x01 4",
                                url=None)], ["Why\x0c?"])
    document = Document(BytesIO(briefing_docx(briefing)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Briefing: safeguarding" in text and "There were 12 reviews." in text and "Why?" in text


HOSTILE_SOURCES = """\
documents:
  - path: hostile.txt
    title: "Referrals <img src=x onerror=alert(1)> [update](javascript:alert(2))"
    doc_type: minutes
    date: 2025-05-01
    url: "javascript:alert(3)"
    access: public
"""
HOSTILE_TEXT = """Safeguarding referrals

In 2024 the council received 412 safeguarding referrals <script>alert("facts")</script> and \
<img src=x onerror=alert(4)> closed most of them within 28 days, see [the referral form](javascript:alert(5)).

Safeguarding referrals were reviewed by the board ![tracker](https://tracker.example/pixel.png) every month \
and *all* 412 referrals were **audited**.
"""


def test_markdown_briefing_shows_document_html_and_markdown_as_text(fresh_bot, tmp_path):
    """A document's HTML and Markdown (a script, an image with onerror, links to javascript:, a tracking image)
    appears in the Markdown briefing as the words it is, never as markup."""
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    (corpus / "sources.yaml").write_text(HOSTILE_SOURCES, encoding="utf-8")
    (corpus / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    assert fresh_bot.library().ingest([corpus]).ok
    briefing = fresh_bot.reader().brief("safeguarding referrals")
    assert any("<script>" in fact.text for fact in briefing.facts), "the test needs a hostile fact to escape"
    markdown = as_markdown(briefing)
    assert "<script" not in markdown and "<img" not in markdown
    assert not re.search(r"(?<!\\)\]\(", markdown), "a link or image a document wrote"
    assert "&lt;script&gt;" in markdown and "\\[the referral form\\](javascript:alert(5))" in markdown
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # a CommonMark renderer (rich's); the checks above stand without it
        return
    rendered = MarkdownIt("commonmark").render(markdown)
    for markup in ("<script", "<img", "<a ", "<em>", "<strong>"):
        assert markup not in rendered, markup
    assert '&lt;script&gt;alert(&quot;facts&quot;)&lt;/script&gt;' in rendered
