"""Spreadsheets: Excel workbooks (XLSX, through openpyxl) and CSV files.

Each sheet is a section named after it. Its header row is found (a title or notes above it are kept as
paragraphs); every row below it is a table row, read with the header as Word and text tables are, so "Who owns
action 4.2?" meets "Ref | Action | Owner ... / 4.2 | ... | Jane Smith". Values are shown as the sheet shows
them: dates and percentages by their number format, formulas by the value the spreadsheet program saved.
Hidden sheets, rows and columns are left out, with a warning."""

import csv
import datetime
import io
import math
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.archive import ZIP_DAMAGE, check_archive
from evidence_bot.ingest.loaders.assemble import assemble, draft, table_text
from evidence_bot.ingest.loaders.limits import MAX_TEXT_CHARS
from evidence_bot.ingest.loaders.text import decode
from evidence_bot.models import Block, LoadedDocument
from evidence_bot.text.cleaning import clean_cell
from evidence_bot.tuning import SHEET_HEADER_FILL, SHEET_HEADER_SEARCH_ROWS

MAX_COLUMNS = 1_000  # columns holding a value in one sheet; an evidence table past this is data, not evidence
MAX_MERGED_FILL = 10_000  # a merged range larger than this keeps its value in its first cell only
# Excel's built-in short date (number format 14) is shown in the reader's locale: English councils read it as
# day/month/year.
SHORT_DATE = "dd/mm/yyyy"
X_TEXT = frozenset({"{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"})
_NUMBER_LIKE = re.compile(r"[£$€]?-?[\d,]*\.?\d+%?|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NOTE = re.compile(r"\s*(?:key|notes?|source|sources)\b|\s*[*†]|.*\s=\s", re.IGNORECASE)
# A number format's pieces: "quoted text", \escaped, _padding, *fill, [$£-809] currency, [Red] or other
# brackets, digit placeholders, any other character.
_FORMAT_PIECE = re.compile(r'"([^"]*)"|\\(.)|_.|\*.|\[\$([^-\]]*)[^\]]*\]|\[[^\]]*\]|([0#?][0#?,.]*)|(.)')
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.IGNORECASE)

if TYPE_CHECKING:  # openpyxl is imported when a workbook is read; it has no type information, so these are Any
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet


def load_xlsx(path: Path, warnings: list[str]) -> LoadedDocument:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path, "xlsx", X_TEXT)
    try:  # data_only: a formula cell holds the value the spreadsheet program last calculated and saved
        workbook = load_workbook(path, data_only=True, read_only=False)
        blocks = workbook_blocks(path, workbook, warnings)
    except (InvalidFileException, *ZIP_DAMAGE, TypeError, AttributeError, IndexError) as exc:
        raise IngestError(path, f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from exc
    loaded = assemble(path, blocks, "xlsx")
    loaded.title = (workbook.properties.title or "").strip() or None
    return loaded


def workbook_blocks(path: Path, workbook: "Workbook", warnings: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            warnings.append(f"{path}: sheet '{sheet.title}' is hidden; left out")
            continue
        rows = sheet_rows(path, sheet, warnings)
        if rows:
            blocks.append(draft("heading", clean_cell(sheet.title) or "Sheet", level=1))
            blocks.extend(table_blocks(rows))
    return blocks


def load_csv(path: Path, warnings: list[str]) -> LoadedDocument:
    text = decode(path, path.read_bytes(), warnings)
    if len(text) > 2 * MAX_TEXT_CHARS:  # separators included, a table's text is well under twice what it shows
        raise IngestError(path, f"{len(text):,} characters, over the limit for one document; split it")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            if len(row) > MAX_COLUMNS:
                raise IngestError(path, f"line {len(rows) + 1} has {len(row):,} columns, over the {MAX_COLUMNS:,} "
                                        "limit for one table; not read")
            rows.append([clean_cell(cell) for cell in row])
    except csv.Error as exc:
        raise IngestError(path, f"not a readable CSV file (line {len(rows) + 1}: {exc})") from exc
    rows = trimmed(rows)
    return assemble(path, table_blocks(rows) if rows else [], "csv")


def sheet_rows(path: Path, sheet: "Worksheet", warnings: list[str]) -> list[list[str]]:
    """The sheet's visible filled cells as rows of shown values; columns and rows with nothing left out."""
    hidden_rows = {r for r, dimension in sheet.row_dimensions.items() if dimension.hidden}
    hidden_columns = {c for dimension in sheet.column_dimensions.values() if dimension.hidden
                      for c in range(dimension.min or 0, (dimension.max or 0) + 1)}
    # The cells the file holds (openpyxl's own map): iter_rows would make a cell for every place in the used
    # rectangle, and one stray cell at XFD1048576 would make that rectangle billions of cells.
    values = {(r, c): shown(cell) for (r, c), cell in sheet._cells.items() if cell.value is not None}
    values.update(merged_values(sheet, values))
    left_out = {key for key in values if key[0] in hidden_rows or key[1] in hidden_columns}
    if left_out:
        rows_out, columns_out = {r for r, _ in left_out} & hidden_rows, {c for _, c in left_out} & hidden_columns
        hidden = " and ".join(f"{len(found)} hidden {what}" for found, what in ((rows_out, "rows"),
                                                                               (columns_out, "columns")) if found)
        warnings.append(f"{path}: sheet '{sheet.title}': {hidden} with values left out")
    filled = {key: text for key, text in values.items() if text and key not in left_out}
    columns = sorted({c for _, c in filled})
    if len(columns) > MAX_COLUMNS:
        raise IngestError(path, f"sheet '{sheet.title}' has {len(columns):,} columns with values, over the "
                                f"{MAX_COLUMNS:,} limit for one table; not read")
    rows: list[list[str]] = []
    size = 0
    for r in sorted({r for r, _ in filled}):
        row = [filled.get((r, c), "") for c in columns]
        size += sum(len(cell) + 3 for cell in row)
        if size > MAX_TEXT_CHARS:
            raise IngestError(path, f"sheet '{sheet.title}' holds more than {MAX_TEXT_CHARS:,} characters, over the "
                                    "limit for one document; split it")
        rows.append(row)
    return rows


def merged_values(sheet: "Worksheet", values: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """A merged range shows its first cell's value across it: a theme merged down several actions belongs to
    each of them."""
    spread: dict[tuple[int, int], str] = {}
    for merged in sheet.merged_cells.ranges:
        first = values.get((merged.min_row, merged.min_col))
        area = (merged.max_row - merged.min_row + 1) * (merged.max_col - merged.min_col + 1)
        if first and area <= MAX_MERGED_FILL:
            spread.update({(r, c): first for r in range(merged.min_row, merged.max_row + 1)
                           for c in range(merged.min_col, merged.max_col + 1)})
    return spread


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows with a value, cut to the columns that hold one anywhere."""
    rows = [row for row in rows if any(row)]
    width = max((len(row) for row in rows), default=0)
    used = [c for c in range(width) if any(c < len(row) and row[c] for row in rows)]
    return [[row[c] if c < len(row) else "" for c in used] for row in rows]


def table_blocks(rows: list[list[str]]) -> list[Block]:
    """Rows above the header as paragraphs, then the table (no header found: the first row is the header), then
    the notes under it (is_note)."""
    at = header_row(rows)
    blocks = [draft("paragraph", line_of(row)) for row in rows[:at]]
    header = [cell or f"Column {n}" for n, cell in enumerate(rows[at], start=1)]
    body_rows = rows[at + 1:]
    notes: list[list[str]] = []
    while len(body_rows) > 1 and is_note(body_rows[-1]):
        notes.insert(0, body_rows.pop())
    body = [" | ".join(row) for row in body_rows]
    if body:
        blocks.append(draft("table", table_text(" | ".join(header), body), header=" | ".join(header), rows=body))
    else:
        blocks.append(draft("paragraph", line_of(rows[at])))
    return blocks + [draft("paragraph", line_of(row)) for row in notes]


def is_note(row: list[str]) -> bool:
    """A row that is a note under a table, not a row of it: one cell filled, reading as a key, a note or a source
    ("Key: Blue = Complete", "Source: ASCOF 2024/25", "* provisional"); a last action with its other cells empty is
    still a row."""
    filled = [cell for cell in row if cell]
    return len(filled) == 1 and bool(_NOTE.match(filled[0]))


def line_of(row: list[str]) -> str:
    """A row read as a line of text: its filled cells, a value merged across several cells once."""
    return " ".join(dict.fromkeys(cell for cell in row if cell))


def header_row(rows: list[list[str]]) -> int:
    """The first of the first rows that is filled across most of the table's width with labels (not figures
    or dates), no label in more than half its cells, and has a row below it; 0 when none is. A title merged
    across the sheet (or most of it) fills the width with one value (merged_values spreads it) and is no header."""
    width = max((sum(1 for cell in row if cell) for row in rows[:50]), default=0)
    for at, row in enumerate(rows[:SHEET_HEADER_SEARCH_ROWS]):
        cells = [cell for cell in row if cell]
        mostly_distinct = 2 * max(Counter(cells).values(), default=0) <= len(cells)
        if (len(cells) >= max(2, math.ceil(width * SHEET_HEADER_FILL)) and mostly_distinct
                and all(map(is_label, cells)) and at + 1 < len(rows)):
            return at
    return 0


def is_label(cell: str) -> bool:
    return bool(_YEAR.fullmatch(cell)) or not _NUMBER_LIKE.fullmatch(cell)


def shown(cell: "Cell") -> str:
    """A cell's value as the sheet shows it."""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return date_shown(value, cell.number_format or "")
    if isinstance(value, (int, float)):
        return number_shown(value, cell.number_format or "General")
    return clean_cell(str(value))


def number_shown(value: float, number_format: str) -> str:
    """0.425 with '0%' is 43%, 1234.5 with '£#,##0.00' is £1,234.50, 12 with '0" weeks"' is 12 weeks, as Excel
    shows them (rounding half away from zero, on 15 significant digits); General shows what was typed."""
    pieces = [format_piece(m) for m in _FORMAT_PIECE.finditer(number_format.split(";")[0])]
    numbered = [at for at, (kind, _) in enumerate(pieces) if kind == "number"]
    if number_format.strip() in ("General", "@", "") or not numbered:
        return str(int(value)) if float(value).is_integer() else f"{value:.10g}"
    placeholders = "".join(text for kind, text in pieces if kind == "number")
    prefix = "".join(text for _, text in pieces[: numbered[0]])
    suffix = "".join(text for _, text in pieces[numbered[-1] + 1 :])
    thousands = len(placeholders) - len(placeholders.rstrip(","))  # each trailing comma shows thousands
    number = Decimal(f"{value:.15g}") * (100 if "%" in prefix + suffix else 1) / 1000**thousands
    decimals = len(placeholders.split(".", 1)[1].rstrip(",")) if "." in placeholders else 0
    try:
        rounded = abs(number).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than Decimal's 28 (1e30 to two places): shown as typed
        return f"{value:.15g}"
    digits = format(rounded, f",.{decimals}f" if re.search(r"[#0?],[#0?]", placeholders) else f".{decimals}f")
    return f"{'-' if number < 0 and rounded else ''}{prefix}{digits}{suffix}".strip()


def format_piece(match: re.Match[str]) -> tuple[str, str]:
    """One piece of a number format: ("number", its placeholders) or ("text", what it shows)."""
    quoted, escaped, currency, digits, other = match.groups()
    if digits is not None:
        return "number", digits
    if match.group().startswith("_"):
        return "text", " "  # room the width of a character
    text = next((part for part in (quoted, escaped, currency, other) if part is not None), "")
    return "text", text


def date_shown(value: datetime.datetime | datetime.date | datetime.time, number_format: str) -> str:
    """A date or time by its Excel format ('d mmm yyyy' is '3 Mar 2026'); the built-in short date as UK dates."""
    if isinstance(value, datetime.time):
        value = datetime.datetime.combine(datetime.date(1900, 1, 1), value)
    elif not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    section = re.sub(r'\[[^\]]*\]|"|\\', "", number_format.split(";")[0])
    if number_format in ("mm-dd-yy", "General", "") or not _DATE_TOKEN.search(section):
        section = SHORT_DATE if value.time() == datetime.time(0) else f"{SHORT_DATE} hh:mm"
    tokens = list(_DATE_TOKEN.finditer(section))
    twelve_hour = any(t.group().lower() in ("am/pm", "a/p") for t in tokens)
    pieces, last = [], 0
    for at, token in enumerate(tokens):
        pieces.append(section[last : token.start()])
        last = token.end()
        word = token.group().lower()
        before = tokens[at - 1].group().lower() if at else ""
        after = tokens[at + 1].group().lower() if at + 1 < len(tokens) else ""
        minutes = word in ("m", "mm") and (before in ("h", "hh") or after in ("s", "ss"))
        pieces.append(date_part(word, value, minutes, twelve_hour))
    pieces.append(section[last:])
    return "".join(pieces).strip()


def date_part(word: str, value: datetime.datetime, minutes: bool, twelve_hour: bool) -> str:
    hour = (value.hour % 12 or 12) if twelve_hour else value.hour
    parts = {"yyyy": f"{value.year:04d}", "yy": f"{value.year % 100:02d}", "mmmm": value.strftime("%B"),
             "mmm": value.strftime("%b"), "mm": f"{value.minute if minutes else value.month:02d}",
             "m": str(value.minute if minutes else value.month), "dddd": value.strftime("%A"),
             "ddd": value.strftime("%a"), "dd": f"{value.day:02d}", "d": str(value.day), "hh": f"{hour:02d}",
             "h": str(hour), "ss": f"{value.second:02d}", "s": str(value.second),
             "am/pm": "AM" if value.hour < 12 else "PM", "a/p": "A" if value.hour < 12 else "P"}
    return parts[word]
