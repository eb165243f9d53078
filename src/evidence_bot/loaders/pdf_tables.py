"""Tables in PDFs, found from where the text sits: consecutive lines whose pieces of text start at the same
horizontal positions are the rows of a table, the first its header.

Report tools (Word's PDF export, the council dashboards pasted into a self-assessment) often draw tables with no
ruling lines at all, so finding the lines around cells (pdfplumber's default) found none of the Thurrock
self-assessment's tables; every one of them shows as columns of text. A cell's wrapped lines join it; a table is
kept whole with its header row, as the Word and text loaders keep theirs (lines_to_blocks joins one continued on
the next page)."""

import re
from dataclasses import dataclass, field

from evidence_bot.cleaning import clean_cell

COLUMN_TOLERANCE = 3.0  # points: text starting this close to a column's left edge is in that column
MIN_COLUMNS = 2
MIN_ROWS = 2  # a header and a row
ROW_GAP_LINES = 2.5  # a gap wider than this many of the page's usual line spacings ends a table
# Two columns of prose also line up, line after line: a table of two columns must have short cells (prose lines
# run 60-90 characters; the corpus's two-column tables' cells average under 25).
MAX_TWO_COLUMN_CELL = 40
# Where a cell's text wrapped onto the next line: a space, or nothing when a narrow column broke a word
# ('Thurro' / 'ck'); lines_to_blocks decides with the document's vocabulary (unwrap_cells).
WRAP = "\u2063"
_WRAPPED_WORD = re.compile(rf"(\w+){WRAP}(\w+)")
_LIST_MARK = re.compile(r"[•·▪◦●\-–*]|\(?\d{1,2}[.)]|\(?[a-z][.)]")


@dataclass
class Cells:
    """One line's pieces of text, each with where it starts (x, points), left to right."""

    y: float
    pieces: list[list] = field(default_factory=list)  # [x, text]

    def add(self, x: float, text: str) -> None:
        """A piece starting where the last one did, or blank, joins it (a space drawn before a cell's text)."""
        if self.pieces and (abs(self.pieces[-1][0] - x) <= COLUMN_TOLERANCE or not self.pieces[-1][1].strip()):
            self.pieces[-1][1] += text
            if not self.pieces[-1][1].strip(" "):
                self.pieces[-1][0] = x
        else:
            self.pieces.append([x, text])

    def filled(self) -> list[tuple[float, str]]:
        return [(x, clean_cell(text)) for x, text in self.pieces if text.strip()]


def find_tables(lines: list[tuple[float, Cells]], spacing: float) -> list[tuple[int, int, list[str]]]:
    """For one page's lines, top first: (first line, last line + 1, the table's rendered rows, header first)."""
    found, at, free = [], 0, 0  # free: the first line no table holds
    while at < len(lines):
        first, end, rows = table_at(lines, at, free, spacing)
        if rows:
            found.append((first, end, rows))
            at = free = end
        else:
            at += 1
    return found


def table_at(lines: list[tuple[float, Cells]], start: int, free: int,
             spacing: float) -> tuple[int, int, list[str] | None]:
    """The table whose header is line `start`, if there is one: (its first line, its end, its rows)."""
    header = lines[start][1].filled()
    if len(header) < MIN_COLUMNS:
        return start, start + 1, None
    columns = [x for x, _ in header]
    rows = [[text for _, text in header]]
    first = start
    above = placed_line(lines, start - 1, columns, spacing) if start > free else None
    if above and len(above) == 1 and above[0][0] > 0:  # a header's first line, over one of its columns
        column, text = above[0]
        rows[0][column] = f"{text} {rows[0][column]}"
        first = start - 1
    end = start + 1
    while end < len(lines):
        cells = placed_line(lines, end, columns, spacing)
        if not cells:
            break
        if len(cells) == 1:
            column, text = cells[0]
            if column == 0 and not row_follows(lines, end + 1, columns, spacing):
                break  # a line of text under the table, not a wrapped first cell
            rows[-1][column] = f"{rows[-1][column]}{WRAP}{text}".strip(WRAP)  # a wrapped cell joins the row above
        else:
            row = [""] * len(columns)
            for column, text in cells:
                row[column] = f"{row[column]} {text}".strip()
            rows.append(row)
        end += 1
    if not is_table(rows, columns):
        return start, start + 1, None
    return first, end, [" | ".join(row) for row in rows]


def placed_line(lines: list[tuple[float, Cells]], at: int, columns: list[float],
                spacing: float) -> list[tuple[int, str]] | None:
    """Line `at` as (column, text) pieces, or None when it is not part of the table: beyond the lines, too far
    below the line before it, or with text that starts outside the columns."""
    if at < 0 or at >= len(lines) or (at > 0 and lines[at - 1][0] - lines[at][0] > ROW_GAP_LINES * spacing):
        return None
    placed = [(column_of(x, columns), text) for x, text in lines[at][1].filled()]
    if not placed or any(column is None for column, _ in placed):
        return None
    return placed


def row_follows(lines: list[tuple[float, Cells]], at: int, columns: list[float], spacing: float) -> bool:
    """Whether a row of the table comes at line `at`, after any more lines of a wrapped first cell."""
    while (cells := placed_line(lines, at, columns, spacing)) and len(cells) == 1 and cells[0][0] == 0:
        at += 1
    return bool(cells) and len(cells) >= MIN_COLUMNS


def is_table(rows: list[list[str]], columns: list[float]) -> bool:
    """A header and a row of at least two cells each, not a list (bullets or numbers in the first column), and
    not two columns of prose."""
    if sum(1 for row in rows if sum(1 for cell in row if cell) >= MIN_COLUMNS) < MIN_ROWS:
        return False
    if all(_LIST_MARK.fullmatch(row[0]) for row in rows if row[0]):
        return False
    return len(columns) > 2 or mean_length(rows) <= MAX_TWO_COLUMN_CELL


def mean_length(rows: list[list[str]]) -> float:
    cells = [cell for row in rows for cell in row if cell]
    return sum(map(len, cells)) / len(cells)


def column_of(x: float, columns: list[float]) -> int | None:
    return next((index for index, left in enumerate(columns) if abs(left - x) <= COLUMN_TOLERANCE), None)


def unwrap_cells(row: str, vocabulary: set[str]) -> str:
    """A word broken by a narrow column is joined when the document uses the whole word and not its pieces."""
    def join(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        broken = (left + right).lower() in vocabulary and not {left.lower(), right.lower()} <= vocabulary
        return left + right if broken else f"{left} {right}"

    return _WRAPPED_WORD.sub(join, row).replace(WRAP, " ")
