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
from evidence_bot.models import Block, LoadedDocument

_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)
# A Word file is a zip: check what it would expand to before python-docx inflates it (zipfile stops at the
# sizes the archive declares, so the declared sizes bound memory).
MAX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # Word XML compresses about 5-20 times; a part past this and 10 MB is a bomb
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def load_docx(path: Path, warnings: list[str]) -> LoadedDocument:
    check_archive(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError,
            NotImplementedError, RecursionError, etree.XMLSyntaxError) as exc:  # the damage fuzzing found
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
