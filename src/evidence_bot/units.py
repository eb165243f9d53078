"""Answer units: the sentences of a prose passage and the rows of a table passage (under their header row).

Ingestion embeds every unit once, so the sentence-level ranker and the
answerer reuse stored vectors instead of embedding sentences per query."""

from evidence_bot.sentences import sentence_spans

MIN_UNIT_CHARS = 12


def passage_units(text: str, kind: str) -> list[tuple[int, str]]:
    """(offset in the passage text, unit text), in order."""
    if kind == "table":
        header, *rows = text.split("\n")
        units, position = [], len(header) + 1
        for row in rows:
            units.append((position, f"{header}\n{row}"))
            position += len(row) + 1
        return units
    return [(a, text[a:b]) for a, b in sentence_spans(text) if b - a >= MIN_UNIT_CHARS]


def unit_id(passage_id: str, start: int) -> str:
    return f"{passage_id}@{start}"


def passage_of(unit_id_: str) -> str:
    return unit_id_.rsplit("@", 1)[0]
