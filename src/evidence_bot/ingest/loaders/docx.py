"""Word documents through python-docx: headings by style, paragraphs, tables in body order."""

import re
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import RGBColor
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.archive import ZIP_DAMAGE, check_archive
from evidence_bot.ingest.loaders.assemble import assemble, draft, table_from_rows
from evidence_bot.models import Block, LoadedDocument
from evidence_bot.text.cleaning import clean_cell, collapse_spaces, strip_markup

_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)
W_TEXT = frozenset({"{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"})
UNREADABLE = (PackageNotFoundError, *ZIP_DAMAGE)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def load_docx(path: Path, warnings: list[str]) -> LoadedDocument:
    check_archive(path, "docx", W_TEXT)
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
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A merged cell comes once per grid column it spans, as the same element: read it once. Two cells
            # that only hold the same text ("9%" as target and actual) both stay, or the columns would shift.
            if cell._tc is not previous:
                cells.append(clean_cell("\n".join(visible_text(p, hidden) for p in cell.paragraphs)))
            previous = cell._tc
        rows.append(" | ".join(cells))
    return table_from_rows(rows)
