"""Answer units: the sentences of a prose passage and the rows of a table passage (under their header row).

Ingestion embeds every unit once, so the sentence-level ranker and the
answerer reuse stored vectors instead of embedding sentences per query."""

from functools import lru_cache
from itertools import zip_longest

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
    ("Month: May 2025; People waiting: 371"), empty cells left out, a value under an empty label read alone.
    Text that is not a header and a row comes back as it is."""
    header, newline, row = unit.partition("\n")
    if not newline or "\n" in row:
        return unit
    pairs = zip_longest((c.strip() for c in header.split(CELL)), (c.strip() for c in row.split(CELL)), fillvalue="")
    return "; ".join(f"{label}: {value}" if label else value for label, value in pairs if value)


def row_readings(table_text: str) -> set[str]:
    """read_row of every row of a table passage's text (its header on the first line)."""
    return {read_row(unit) for _, unit in passage_units(table_text, "table")}


def unit_id(passage_id: str, start: int) -> str:
    return f"{passage_id}@{start}"


def passage_of(unit_id_: str) -> str:
    return unit_id_.rsplit("@", 1)[0]
