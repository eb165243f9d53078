"""Answer units: the sentences of a prose passage and the rows of a table passage (under their header row).

Ingestion embeds every unit once, so the sentence-level ranker and the
answerer reuse stored vectors instead of embedding sentences per query."""

import re
from functools import lru_cache

from evidence_bot.text.sentences import sentence_spans
from evidence_bot.tuning import MIN_UNIT_CHARS


def passage_units(text: str, kind: str) -> list[tuple[int, str]]:
    """(offset in the passage text, unit text), in order."""
    return list(_units(text, kind))


@lru_cache(maxsize=4096)  # every question reads the same top passages again; their text decides their units
def _units(text: str, kind: str) -> tuple[tuple[int, str], ...]:
    if kind == "table":
        header, *rows = text.split("\n")
        units, position = [], len(header) + 1
        for row in rows:
            units.append((position, f"{header}\n{row}"))
            position += len(row) + 1
        return tuple(units)
    return tuple((a, text[a:b]) for a, b in sentence_spans(text) if b - a >= MIN_UNIT_CHARS)


CELL = " | "  # how the loaders join a table row's cells


def read_row(unit: str) -> str:
    """A table row unit ("header\nrow") as a person reads it aloud: each value after its column's label
    ("Month: May 2025; People waiting: 371"), empty cells left out, a full stop before the next label dropped.
    Only under a first line that reads as labels (has_labels) and with a cell for each: a cover sheet's
    "Report of: | Director of Adult Social Care" is not a header but a row, and a cell holding the separator
    would shift every label after it; such a row, and text that is not a header and a row, comes back as is."""
    header, newline, row = unit.partition("\n")
    labels, values = [c.strip() for c in header.split(CELL)], [c.strip() for c in row.split(CELL)]
    if not newline or "\n" in row or len(labels) != len(values) or not has_labels(labels):
        return unit
    return "; ".join(f"{label}: {value.rstrip('.')}" for label, value in zip(labels, values) if value)


# A first line whose cells are figures, dates or a "label:" is a row of a table without a header.
_NOT_A_LABEL = re.compile(r"[\d\W]*|.*:|(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+"
                          r"\d{4}", re.IGNORECASE)


def has_labels(cells: list[str]) -> bool:
    """The cells read as column labels: three or more (a two-column table is as often a list of "label | value"
    pairs, a cover sheet's, as a header and its rows), all filled, all different, none a figure, a date or a
    "label:" of its own."""
    return len(cells) >= 3 and all(cells) and len(set(cells)) == len(cells) \
        and not any(_NOT_A_LABEL.fullmatch(cell) for cell in cells)


def row_readings(table_text: str) -> set[str]:
    """read_row of every row of a table passage's text (its header on the first line)."""
    return {read_row(unit) for _, unit in passage_units(table_text, "table")}


def unit_id(passage_id: str, start: int) -> str:
    return f"{passage_id}@{start}"


def passage_of(unit_id_: str) -> str:
    return unit_id_.rsplit("@", 1)[0]
