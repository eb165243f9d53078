"""Word documents through python-docx: headings by style, paragraphs, tables in body order."""

import re
import zipfile
import zlib
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import RGBColor
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from evidence_bot.cleaning import clean_cell, collapse_spaces, strip_markup
from evidence_bot.errors import IngestError
from evidence_bot.loaders.assemble import assemble, draft, table_from_rows
from evidence_bot.loaders.limits import MAX_TEXT_CHARS
from evidence_bot.models import Block, LoadedDocument

_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)
# A Word file is a zip: check what it would expand to before python-docx inflates it (zipfile stops at the
# sizes the archive declares, so the declared sizes bound memory).
MAX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # Word XML compresses about 5-20 times; a part past this and 10 MB is a bomb
# python-docx parses every XML part into a tree before any text can be counted: about 2.5 s and 20 MB of memory
# per MB of XML. So the XML is first streamed (nothing kept), counting the text of w:t elements against
# MAX_TEXT_CHARS and all elements against this bound. The corpus's Word files have 0.04-0.13 elements per
# character of text; a 5,000,000-character document three times as dense as the densest still fits.
MAX_XML_ELEMENTS = 2_000_000
W_TEXT = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
UNREADABLE = (PackageNotFoundError, zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError,
              NotImplementedError, RecursionError, etree.XMLSyntaxError)  # the damage fuzzing found
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def load_docx(path: Path, warnings: list[str]) -> LoadedDocument:
    check_archive(path)
    try:
        document = docx.Document(str(path))
    except UNREADABLE as exc:
        raise IngestError(path, f"not a readable Word document ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    hidden = [0]  # characters of hidden or white text left out
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table = table_block(item, hidden)
            if table:
                blocks.append(table)
        elif isinstance(item, Paragraph):
            block = paragraph_block(item, hidden)
            if block:
                blocks.append(block)
    if hidden[0]:
        warnings.append(f"{path}: {hidden[0]} characters of hidden or white text left out")
    loaded = assemble(path, blocks, "docx")
    loaded.title = (document.core_properties.title or "").strip() or None
    return loaded


def check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError, EOFError) as exc:
        raise IngestError(path, f"not a readable Word document ({type(exc).__name__}: {exc})") from exc
    expanded = sum(part.file_size for part in parts)
    if expanded > MAX_EXPANDED_BYTES:
        raise IngestError(path, f"would expand to {expanded // 2**20} MB, over the {MAX_EXPANDED_BYTES // 2**20} MB "
                                "limit (a damaged file or a zip bomb); not opened")
    for part in parts:
        if part.file_size > 10 * 2**20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise IngestError(path, f"part {part.filename} expands {part.file_size // max(part.compress_size, 1)} "
                                    "times (a zip bomb); not opened")
    try:
        with zipfile.ZipFile(path) as archive:
            check_xml(path, archive)
    except UNREADABLE as exc:
        raise IngestError(path, f"not a readable Word document ({type(exc).__name__}: {exc})") from exc


def check_xml(path: Path, archive: zipfile.ZipFile) -> None:
    """Stream every part that parses as XML (any part may be declared a header, a footer or styles), stopping
    with an error as soon as the text or the elements read pass their bound. Nothing is kept: each element
    is cleared once read. A part that is not XML, or stops being well-formed, ends its own check; python-docx
    reports it if it reads that part."""
    elements = characters = 0
    for part in archive.infolist():
        with archive.open(part) as stream:
            try:
                for _, element in etree.iterparse(stream, events=("end",), resolve_entities=False, no_network=True):
                    elements += 1
                    if element.tag == W_TEXT:
                        characters += len(element.text or "")
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:  # the cleared siblings too: memory stays flat
                        del element.getparent()[0]
                    if characters > MAX_TEXT_CHARS:
                        raise IngestError(path, f"more than {MAX_TEXT_CHARS:,} characters of text, over the "
                                                f"{MAX_TEXT_CHARS:,} limit for one document; split it")
                    if elements > MAX_XML_ELEMENTS:
                        raise IngestError(path, f"more than {MAX_XML_ELEMENTS:,} XML elements, over the limit for "
                                                "one Word document (far more markup than text, or a damaged file); "
                                                "not opened")
            except etree.XMLSyntaxError:
                continue


def is_hidden(run: Run) -> bool:
    """Hidden (w:vanish) or white text: a reader of the page never sees it."""
    return bool(run.font.hidden) or (run.font.color is not None and run.font.color.rgb == WHITE)


def visible_text(paragraph: Paragraph, hidden: list[int]) -> str:
    if not any(is_hidden(run) for run in paragraph.runs):
        return paragraph.text
    parts = []
    for item in paragraph.iter_inner_content():
        for run in item.runs if isinstance(item, Hyperlink) else [item]:
            if is_hidden(run):
                hidden[0] += len(run.text)
            else:
                parts.append(run.text)
    return "".join(parts)


def paragraph_block(paragraph: Paragraph, hidden: list[int]) -> Block | None:
    text = collapse_spaces(strip_markup(visible_text(paragraph, hidden)))
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = _HEADING_STYLE.match(style.strip())
    if match:
        return draft("heading", text, level=int(match.group(1) or 1))
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if numbered or "list" in style.lower() or style.lower() == "compact":
        return draft("list_item", text)
    return draft("paragraph", text)


def table_block(table: Table, hidden: list[int]) -> Block | None:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = clean_cell("\n".join(visible_text(p, hidden) for p in cell.paragraphs))
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        rows.append(" | ".join(cells))
    return table_from_rows(rows)
