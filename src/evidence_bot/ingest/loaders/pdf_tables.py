"""Tables in PDFs, found from where the text sits: consecutive lines whose pieces of text start at the same
horizontal positions are the rows of a table, the first its header.

Report tools (Word's PDF export, the council dashboards pasted into a self-assessment) often draw tables with no
ruling lines at all, so finding the lines around cells (pdfplumber's default) found none of the Thurrock
self-assessment's tables; every one of them shows as columns of text. A cell's wrapped lines join it; a table is
kept whole with its header row, as the Word and text loaders keep theirs (lines_to_blocks joins one continued on
the next page)."""

import re
from dataclasses import dataclass, field
from typing import Any

from evidence_bot.text.cleaning import clean_cell
from evidence_bot.tuning import (
    PDF_CELL_LINE_GAP,
    PDF_COLUMN_TOLERANCE,
    PDF_MAX_TWO_COLUMN_CELL,
    PDF_PADDED_ROW_GAP_LINES,
    PDF_ROW_GAP_LINES,
    PDF_TABLE_MIN_COLUMNS,
    PDF_TABLE_MIN_ROWS,
)

# Where a cell's text wrapped onto the next line: a space, or nothing when a narrow column broke a word
# ('Thurro' / 'ck'); lines_to_blocks decides with the document's vocabulary (unwrap_cells).
WRAP = "\u2063"
_LAST_WORD, _FIRST_WORD = re.compile(r"\w+$"), re.compile(r"\w+")
_LIST_MARK = re.compile(r"[•·▪◦●\-–*]|\(?\d{1,2}[.)]|\(?[a-z][.)]")


@dataclass
class Cells:
    """One line's pieces of text, each with where it starts (x, points), left to right."""

    y: float
    pieces: list[list[Any]] = field(default_factory=list)  # [x, text]: a mutable pair of float and str

    def add(self, x: float, text: str) -> None:
        """A piece starting where the last one did, or blank, joins it (a space drawn before a cell's text)."""
        if self.pieces and (abs(self.pieces[-1][0] - x) <= PDF_COLUMN_TOLERANCE or not self.pieces[-1][1].strip()):
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
    if len(header) < PDF_TABLE_MIN_COLUMNS:
        return start, start + 1, None
    columns = [x for x, _ in header]
    rows = [[text for _, text in header]]
    end = start + 1
    padded = is_padded(lines, start, columns, spacing)
    first = header_top(lines, start, free, columns, spacing, padded)
    for line in range(start - 1, first - 1, -1):  # the header's lines above, bottom up
        for column, text in placed_line(lines, line, columns, spacing) or []:  # header_top placed each of them
            rows[0][column] = f"{text}{WRAP}{rows[0][column]}".strip(WRAP)
    while end < len(lines):
        cells = placed_line(lines, end, columns, spacing)
        if not cells and padded:
            cells = placed_line(lines, end, columns, spacing, PDF_PADDED_ROW_GAP_LINES)
            cells = cells if cells and len(cells) >= PDF_TABLE_MIN_COLUMNS else None
        if not cells:
            break
        if padded and len(rows) > 1 and gap_above(lines, end) <= PDF_CELL_LINE_GAP * spacing:
            for column, text in cells:  # the row's next line: each piece continues its cell
                rows[-1][column] = f"{rows[-1][column]}{WRAP}{text}".strip(WRAP)
        elif len(cells) == 1:
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


def is_padded(lines: list[tuple[float, Cells]], start: int, columns: list[float], spacing: float) -> bool:
    """Whether the table under the header at `start` sets its first row (the first line filling two columns,
    after any wrapped header cells) further below the line above it than a cell's lines are apart."""
    at = start + 1
    while (cells := placed_line(lines, at, columns, spacing)) and len(cells) < PDF_TABLE_MIN_COLUMNS:
        at += 1
    return bool(cells) and gap_above(lines, at) > PDF_CELL_LINE_GAP * spacing


def header_top(lines: list[tuple[float, Cells]], start: int, free: int, columns: list[float], spacing: float,
               padded: bool) -> int:
    """The first line of a header whose last line is `start`. In a padded table, the lines just above it (at
    a cell's line spacing, their text within its columns) are the header's too ("Local" / "Authori" / "ty"
    over the column a report tool wrapped); otherwise one line with one piece over a column but the first."""
    first = start
    while padded and first > free and gap_above(lines, first) <= PDF_CELL_LINE_GAP * spacing \
            and placed_line(lines, first - 1, columns, spacing):
        first -= 1
    if first == start and start > free:
        above = placed_line(lines, start - 1, columns, spacing)
        if above and len(above) == 1 and above[0][0] > 0:
            first = start - 1
    return first


def gap_above(lines: list[tuple[float, Cells]], at: int) -> float:
    return lines[at - 1][0] - lines[at][0]


def placed_line(lines: list[tuple[float, Cells]], at: int, columns: list[float], spacing: float,
                widest_gap: float = PDF_ROW_GAP_LINES) -> list[tuple[int, str]] | None:
    """Line `at` as (column, text) pieces, or None when it is not part of the table: beyond the lines, more than
    `widest_gap` line spacings below the line before it, or with text that starts outside the columns."""
    if at < 0 or at >= len(lines) or (at > 0 and gap_above(lines, at) > widest_gap * spacing):
        return None
    placed: list[tuple[int, str]] = []
    for x, text in lines[at][1].filled():
        column = column_of(x, columns)
        if column is None:
            return None
        placed.append((column, text))
    return placed or None


def row_follows(lines: list[tuple[float, Cells]], at: int, columns: list[float], spacing: float) -> bool:
    """Whether a row of the table comes at line `at`, after any more lines of a wrapped first cell."""
    while (cells := placed_line(lines, at, columns, spacing)) and len(cells) == 1 and cells[0][0] == 0:
        at += 1
    return bool(cells and len(cells) >= PDF_TABLE_MIN_COLUMNS)


def is_table(rows: list[list[str]], columns: list[float]) -> bool:
    """A header and a row of at least two cells each, not a list (bullets or numbers in the first column), and
    not two columns of prose."""
    if sum(1 for row in rows if sum(1 for cell in row if cell) >= PDF_TABLE_MIN_COLUMNS) < PDF_TABLE_MIN_ROWS:
        return False
    if all(_LIST_MARK.fullmatch(row[0]) for row in rows if row[0]):
        return False
    return len(columns) > 2 or mean_length(rows) <= PDF_MAX_TWO_COLUMN_CELL


def mean_length(rows: list[list[str]]) -> float:
    cells = [cell for row in rows for cell in row if cell]
    return sum(map(len, cells)) / len(cells)


def column_of(x: float, columns: list[float]) -> int | None:
    return next((index for index, left in enumerate(columns) if abs(left - x) <= PDF_COLUMN_TOLERANCE), None)


def unwrap_cells(row: str, vocabulary: set[str]) -> str:
    """A cell's wrapped lines joined: a compound broken after its hyphen keeps it ("year-" / "to-date"); a word
    broken by a narrow column is joined (is_broken_word); anything else takes a space."""
    pieces = row.split(WRAP)
    joined = pieces[0]
    for piece in pieces[1:]:
        left, right = _LAST_WORD.search(joined), _FIRST_WORD.match(piece)
        broken = left is not None and right is not None and is_broken_word(left.group(0), right.group(0), vocabulary)
        joined += piece if broken or joined.endswith("-") else f" {piece}"
    return joined


def is_broken_word(left: str, right: str, vocabulary: set[str]) -> bool:
    """Whether a cell's line ending in `left` and the next starting with `right` split one word. A new word of a
    name starts with a capital ("Fernleigh" / "Road"); a word's rest does not, and is joined when the document
    uses the whole word and not both pieces ("Authori" / "ty"), when it uses neither piece and the rest is a
    word's tail of up to three letters ("Cambri" / "dge": a place named only in the table; "safeguarding" /
    "concerns" in a short document is two words), or when the rest is one letter ("worker" / "s")."""
    if not right[:1].islower():
        return False
    pieces = {left.lower(), right.lower()}
    if (left + right).lower() in vocabulary and not pieces <= vocabulary:
        return True
    tail = not pieces & vocabulary and len(left) >= 4 and len(right) <= 3
    return tail or (len(right) == 1 and right not in "ai")
