"""PDF through pypdf: text per page, page numbers kept, paragraphs and headings from layout.

pypdf reports each text run with its position and font. Lines are rebuilt from
runs that share a baseline; a vertical gap wider than the usual line spacing
starts a new paragraph; a line set larger than the body text (or bold and
short) is a heading, its level ranked by size."""

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from evidence_bot.cleaning import collapse_spaces, strip_markup, unwrap_lines, word_vocabulary
from evidence_bot.errors import IngestError
from evidence_bot.loaders.assemble import assemble, draft
from evidence_bot.models import Block, LoadedDocument

_LIST_ITEM = re.compile(r"^\s*(?:[•·▪◦●\-–]|\d{1,2}[.)])\s+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)
MIN_TEXT_CHARS = 20


@dataclass
class Line:
    page: int
    y: float
    size: float
    bold: bool
    text: str


def open_pdf(path: Path) -> PdfReader:
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "encrypted PDF: it needs a password, remove the protection and ingest again")
        _ = len(reader.pages)
        return reader
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise IngestError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc


def load_pdf(path: Path, warnings: list[str]) -> LoadedDocument:
    reader = open_pdf(path)
    try:
        lines = [line for number, page in enumerate(reader.pages, start=1) for line in page_lines(page, number)]
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged content streams
        raise IngestError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    if sum(len(line.text.strip()) for line in lines) < MIN_TEXT_CHARS:
        raise IngestError(path, "no text layer (a scanned PDF?); OCR is not supported")
    return assemble(path, lines_to_blocks(lines), "pdf", page_count=len(reader.pages))


def page_lines(page, number: int) -> list[Line]:
    runs: list[tuple[float, float, float, bool, str]] = []

    def visit(text, cm, tm, font, size):
        if not text or not text.strip("\n"):
            return
        scale = abs(tm[3] * cm[3]) or 1.0
        y = tm[5] * cm[3] + cm[5]
        x = tm[4] * cm[0] + cm[4]
        name = str((font or {}).get("/BaseFont", ""))
        runs.append((round(y, 1), x, round((size or 0) * scale, 1), "bold" in name.lower(), text))

    page.extract_text(visitor_text=visit)
    return merge_runs(runs, number)


def merge_runs(runs, number: int) -> list[Line]:
    """Runs on one baseline (within 2pt) form a line, top of the page first."""
    lines: list[Line] = []
    for y, _x, size, bold, text in sorted(runs, key=lambda r: (-r[0], r[1])):
        for piece in text.split("\n"):
            if lines and abs(lines[-1].y - y) < 2:
                lines[-1].text += piece
                lines[-1].bold = lines[-1].bold and bold
                lines[-1].size = max(lines[-1].size, size)
            elif piece.strip():
                lines.append(Line(number, y, size, bold, piece))
    return [line for line in lines if line.text.strip() and not _PAGE_NUMBER.match(line.text)]


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    body = body_size(lines)
    spacing = line_spacing(lines)
    levels = heading_levels(lines, body)
    vocabulary = word_vocabulary(" ".join(line.text for line in lines))
    blocks: list[Block] = []
    group: list[Line] = []

    def flush():
        if group:
            blocks.append(group_block(group, levels, body, vocabulary))
            group.clear()

    previous: Line | None = None
    for line in lines:
        if previous is None or starts_new_block(previous, line, spacing, levels, body):
            flush()
        group.append(line)
        previous = line
    flush()
    return blocks


def starts_new_block(previous: Line, line: Line, spacing: float, levels: dict, body: float) -> bool:
    if line.page != previous.page:
        # a paragraph running over a page break continues unless it had ended
        return is_heading(line, levels, body) or previous.text.rstrip().endswith((".", ":", "?", "!"))
    if is_heading(line, levels, body) != is_heading(previous, levels, body):
        return True
    if _LIST_ITEM.match(line.text):
        return True
    return (previous.y - line.y) > spacing * 1.4


def group_block(group: list[Line], levels: dict, body: float, vocabulary: set[str]) -> Block:
    text = collapse_spaces(strip_markup(unwrap_lines([line.text for line in group], vocabulary)))
    first = group[0]
    if is_heading(first, levels, body):
        return draft("heading", text, first.page, level=levels.get(first.size, max(levels.values(), default=1)))
    kind = "list_item" if _LIST_ITEM.match(first.text) else "paragraph"
    return draft(kind, text, first.page)


def body_size(lines: list[Line]) -> float:
    weights = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def line_spacing(lines: list[Line]) -> float:
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:]) if a.page == b.page and 0 < a.y - b.y < 40]
    return statistics.median(gaps) if gaps else 14.0


def heading_levels(lines: list[Line], body: float) -> dict[float, int]:
    """Sizes clearly larger than the body text, largest first, are heading levels 1, 2, ..."""
    sizes = sorted({line.size for line in lines if line.size >= body + 1.5}, reverse=True)
    levels = {size: rank for rank, size in enumerate(sizes[:4], start=1)}
    levels[body] = len(levels) + 1  # bold body-size lines rank below every larger size
    return levels


def is_heading(line: Line, levels: dict, body: float) -> bool:
    text = line.text.strip()
    if len(text) > 120 or text.endswith((".", ",", ";")):
        return False
    if line.size >= body + 1.5:
        return True
    return line.bold and len(text.split()) <= 12 and not _LIST_ITEM.match(text)
