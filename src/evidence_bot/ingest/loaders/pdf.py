"""PDF through pypdf: text per page, page numbers kept, paragraphs and headings from layout.

pypdf reports each text run with its position and font. Lines are rebuilt from
runs that share a baseline; a vertical gap wider than the usual line spacing
starts a new paragraph; a line set larger than the body text (or bold and
short) is a heading, its level ranked by size."""

import re
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject
from tqdm import tqdm

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.assemble import assemble, draft, table_text
from evidence_bot.ingest.loaders.ocr import MAX_OCR_PAGES, MIN_PAGE_CHARS, OcrUnavailable, read_page, tesseract
from evidence_bot.ingest.loaders.pdf_tables import Cells, find_tables, unwrap_cells
from evidence_bot.models import Block, BlockKind, LoadedDocument, PagesRead
from evidence_bot.text.cleaning import collapse_spaces, strip_markup, unwrap_lines, word_vocabulary
from evidence_bot.tuning import PDF_MIN_TEXT_CHARS, RUNNING_EDGE_LINES, RUNNING_MIN_PAGES, RUNNING_PAGE_SHARE

_LIST_ITEM = re.compile(r"^\s*(?:[•·▪◦●\-–]|\d{1,2}[.)])\s+")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?\s*$", re.IGNORECASE)


@dataclass
class Line:
    page: int
    y: float
    size: float
    bold: bool
    text: str
    table: list[str] | None = None  # a table in its place: its rows rendered, the header first
    cells: Cells | None = None  # where the line's pieces of text start (pdf_tables.py)


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


def load_pdf(path: Path, warnings: list[str], ocr: bool = True, tables: bool = False) -> LoadedDocument:
    reader = open_pdf(path)
    try:
        pages = [page_lines(page, number, tables) for number, page in enumerate(reader.pages, start=1)]
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged content streams
        raise IngestError(path, f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    scanned = [number for number, lines in enumerate(pages, start=1) if page_chars(lines) < MIN_PAGE_CHARS]
    confidences = read_scans(path, scanned, pages, warnings) if scanned and ocr else {}
    lines = [line for page in without_running_lines(pages) for line in page]
    if sum(len(line.text.strip()) for line in lines) < PDF_MIN_TEXT_CHARS and not any(line.table for line in lines):
        raise IngestError(path, "no text layer (a scanned PDF?) and " + (
            "OCR could not read it" if ocr and scanned else "OCR is turned off (EVIDENCE_BOT_OCR)"))
    empty = [number for number in scanned if page_chars(pages[number - 1]) < MIN_PAGE_CHARS]
    if empty:
        warnings.append(f"{path}: no text on page{'s' if len(empty) > 1 else ''} {page_ranges(empty)}"
                        f"{' even after OCR' if ocr else ' (OCR is turned off)'}")
    loaded = assemble(path, lines_to_blocks(lines), "pdf", page_count=len(reader.pages))
    loaded.ocr_pages = confidences
    loaded.pages_read = PagesRead(len(pages) - len(scanned), len(confidences), len(empty))
    return loaded


def without_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """The pages less their running headers and footers ("Thornmere Council - Adult Social Care Self-Assessment -
    May 2025 update - OFFICIAL" atop every page): furniture that would otherwise open passages and be quoted."""
    def key(line: Line) -> str:  # the page's own number masked ("3 of 4"), no other figure: "Score: 2" stays
        return re.sub(rf"(?<!\d){line.page}(?!\d)", "#", " ".join(line.text.split()), count=1).lower()

    def edges(page: list[Line]) -> list[Line]:
        text = [line for line in page if line.table is None and line.text.strip()]
        return text[:RUNNING_EDGE_LINES] + text[-RUNNING_EDGE_LINES:]

    page_edges = [edges(page) for page in pages]
    seen = Counter(k for lines in page_edges for k in {key(line) for line in lines})
    least = max(RUNNING_MIN_PAGES, RUNNING_PAGE_SHARE * len(pages))
    running = {k for k, count in seen.items() if count >= least}
    if not running:
        return pages
    kept = []
    for page, lines in zip(pages, page_edges):
        dropped = {id(line) for line in lines if key(line) in running}
        kept.append([line for line in page if id(line) not in dropped])
    return kept


def page_chars(lines: list[Line]) -> int:
    return sum(len(line.text.strip()) for line in lines) + sum(1000 for line in lines if line.table)


def page_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def read_scans(path: Path, numbers: list[int], pages: list[list[Line]], warnings: list[str]) -> dict[int, float]:
    """OCR of the pages without a text layer, in place: page number -> the engine's confidence."""
    if len(numbers) > MAX_OCR_PAGES:
        raise IngestError(path, f"{len(numbers)} pages have no text layer, over the {MAX_OCR_PAGES}-page limit for "
                                "OCR of one document (about 2 s a page); split it, or ingest it with OCR turned off")
    try:
        tesseract()
    except OcrUnavailable as exc:
        several = len(numbers) > 1
        warnings.append(f"{path}: page{'s' if several else ''} {page_ranges(numbers)} {'have' if several else 'has'} "
                        f"no text layer and {'are' if several else 'is'} left out: {exc}")
        return {}
    import pypdfium2

    confidences = {}
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        warnings.append(f"{path}: pages {page_ranges(numbers)} need OCR but cannot be rendered ({exc})")
        return {}
    try:
        for number in tqdm(numbers, desc=f"OCR {path.name}", unit="page", disable=None, leave=False):
            try:
                page = read_page(document, number - 1)
            except (subprocess.SubprocessError, OSError, pypdfium2.PdfiumError) as exc:
                warnings.append(f"{path}: page {number} could not be read by OCR ({type(exc).__name__})")
                continue
            pages[number - 1] = [Line(number, line.y, line.size, False, line.text) for line in page.lines]
            confidences[number] = page.confidence
    finally:
        document.close()
    return confidences


def page_lines(page: PageObject, number: int, tables: bool = False) -> list[Line]:
    """The page's lines top to bottom; with tables, a table found on it is one Line holding its rows, in its
    place."""
    runs: list[tuple[float, float, float, bool, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: DictionaryObject | None, size: float) -> None:
        if not text or not text.strip("\n"):
            return
        scale = abs(tm[3] * cm[3]) or 1.0
        y = tm[5] * cm[3] + cm[5]
        x = tm[4] * cm[0] + cm[4]
        name = str(font.get("/BaseFont", "")) if font else ""
        runs.append((round(y, 1), x, round((size or 0) * scale, 1), "bold" in name.lower(), text))

    page.extract_text(visitor_text=visit)
    lines = merge_runs(runs, number, cells=tables)
    return with_tables(lines) if tables else lines


def with_tables(lines: list[Line]) -> list[Line]:
    """The lines, each table among them replaced by one Line holding its rows."""
    if not lines:
        return lines
    # merge_runs gave every line its cells; one without would have none to place
    tables = find_tables([(line.y, line.cells or Cells(line.y)) for line in lines], line_spacing(lines))
    for start, end, rows in reversed(tables):
        first = lines[start]
        lines[start:end] = [Line(first.page, first.y, 0.0, False, "", rows)]
    return lines


def merge_runs(runs: list[tuple[float, float, float, bool, str]], number: int, cells: bool = False) -> list[Line]:
    """Runs on one baseline (within 2pt) form a line, top of the page first; with cells, each line keeps where
    its pieces start, for the tables."""
    lines: list[Line] = []
    for y, x, size, bold, text in sorted(runs, key=lambda r: (-r[0], r[1])):
        for piece in text.split("\n"):
            if lines and abs(lines[-1].y - y) < 2:
                lines[-1].text += piece
                lines[-1].bold = lines[-1].bold and bold
                lines[-1].size = max(lines[-1].size, size)
                if lines[-1].cells is not None:  # with cells, every line has them
                    lines[-1].cells.add(x, piece)
            elif piece.strip():
                lines.append(Line(number, y, size, bold, piece, cells=Cells(y) if cells else None))
                if lines[-1].cells is not None:
                    lines[-1].cells.add(x, piece)
    return [line for line in lines if line.text.strip() and not _PAGE_NUMBER.match(line.text)]


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    text_lines = [line for line in lines if line.table is None]  # tables take no part in the layout statistics
    body = body_size(text_lines)
    spacing = line_spacing(text_lines)
    levels = heading_levels(text_lines, body)
    vocabulary = word_vocabulary(" ".join(line.text for line in text_lines))
    blocks: list[Block] = []
    group: list[Line] = []

    def flush() -> None:
        if group:
            blocks.append(group_block(group, levels, body, vocabulary))
            group.clear()

    previous: Line | None = None
    for line in lines:
        if line.table is not None:
            flush()
            add_table(blocks, line, line.table, previous, vocabulary)
        else:
            if previous is None or previous.table is not None or starts_new_block(previous, line, spacing, levels,
                                                                                   body):
                flush()
            group.append(line)
        previous = line
    flush()
    return blocks


def add_table(blocks: list[Block], line: Line, table: list[str], previous: Line | None, vocabulary: set[str]) -> None:
    """A table straight after a table on the page before, with as many columns, is the same table running over
    the page break: its rows join it (a header repeated on the new page is dropped). `table`: the line's rows."""
    header, *rows = [unwrap_cells(row, vocabulary) for row in table]
    last = blocks[-1] if blocks else None
    if (last is not None and last.kind == "table" and last.header is not None and previous is not None
            and previous.table is not None and previous.page == line.page - 1
            and header.count(" | ") == last.header.count(" | ")):
        new_rows = rows if header == last.header else [header, *rows]
        last.rows.extend(new_rows)
        last.text = table_text(last.header, last.rows)
        return
    blocks.append(draft("table", table_text(header, rows), line.page, header=header, rows=rows))


def starts_new_block(previous: Line, line: Line, spacing: float, levels: dict[float, int], body: float) -> bool:
    if line.page != previous.page:
        # a paragraph running over a page break continues unless it had ended
        return is_heading(line, levels, body) or previous.text.rstrip().endswith((".", ":", "?", "!"))
    if is_heading(line, levels, body) != is_heading(previous, levels, body):
        return True
    if _LIST_ITEM.match(line.text):
        return True
    return (previous.y - line.y) > spacing * 1.4


def group_block(group: list[Line], levels: dict[float, int], body: float, vocabulary: set[str]) -> Block:
    text = collapse_spaces(strip_markup(unwrap_lines([line.text for line in group], vocabulary)))
    first = group[0]
    if is_heading(first, levels, body):
        return draft("heading", text, first.page, level=levels.get(first.size, max(levels.values(), default=1)))
    kind: BlockKind = "list_item" if _LIST_ITEM.match(first.text) else "paragraph"
    return draft(kind, text, first.page)


def body_size(lines: list[Line]) -> float:
    weights: Counter[float] = Counter()
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


def is_heading(line: Line, levels: dict[float, int], body: float) -> bool:
    text = line.text.strip()
    if len(text) > 120 or text.endswith((".", ",", ";")):
        return False
    if line.size >= body + 1.5:
        return True
    return line.bold and len(text.split()) <= 12 and not _LIST_ITEM.match(text)
