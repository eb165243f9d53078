"""Word documents through python-docx: headings by style, paragraphs, tables in body order."""

import re
import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from evidence_bot.cleaning import clean_cell, collapse_spaces, strip_markup
from evidence_bot.errors import IngestError
from evidence_bot.loaders.assemble import assemble, draft, table_from_rows
from evidence_bot.models import Block, LoadedDocument

_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)


def load_docx(path: Path, warnings: list[str]) -> LoadedDocument:
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(path, f"not a readable Word document ({type(exc).__name__}: {exc})") from exc
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table = table_block(item)
            if table:
                blocks.append(table)
        elif isinstance(item, Paragraph):
            block = paragraph_block(item)
            if block:
                blocks.append(block)
    loaded = assemble(path, blocks, "docx")
    loaded.title = (document.core_properties.title or "").strip() or None
    return loaded


def paragraph_block(paragraph: Paragraph) -> Block | None:
    text = collapse_spaces(strip_markup(paragraph.text))
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


def table_block(table: Table) -> Block | None:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = clean_cell(cell.text)
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        rows.append(" | ".join(cells))
    return table_from_rows(rows)
