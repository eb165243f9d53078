"""Checks that an answer says only what its cited passages say.

An extractive answer is a run of statements, each ending in its citation
marker ("... [2]"); a table statement is its header line and its row line, or
the row read with its column labels (units.read_row).
A statement may begin with the lead-in of the citation it ends in, followed
by a space: exactly `attribution.lead_in(citation)`, which names whose words
follow and the document, and is rebuilt here from the citation's fields. That
prefix, and only that one, is set aside; what is left is supported when it is
not empty and every one of its lines is text of the passage it cites. Any
other words, a lead-in changed by one character or another citation's
lead-in included, leave the statement unsupported."""

import re

from evidence_bot.answer.attribution import lead_in
from evidence_bot.models import Answer, Citation
from evidence_bot.text.units import CELL, row_readings

_STATEMENT = re.compile(r"(.+?)\s\[(\d+)\](?:\s|$)", re.DOTALL)


def statements(text: str) -> list[tuple[str, int]]:
    """(statement, citation number) pairs, in order."""
    return [(m.group(1).strip(), int(m.group(2))) for m in _STATEMENT.finditer(text)]


def pieces(text: str) -> list[str]:
    """The answer cut after each citation marker, for streaming; joined they give the text back exactly."""
    return re.findall(r".+?\[\d+\]\s*|.+$", text, re.DOTALL) or [text]


def is_supported(statement: str, passage_text: str) -> bool:
    """Every line of the statement is the passage's text, or the statement is one of its table rows as
    units.read_row says it (each value after its column's label)."""
    return all(line.strip() in passage_text for line in statement.split("\n") if line.strip()) \
        or (CELL in passage_text and statement in row_readings(passage_text))


def without_lead_in(statement: str, citation: Citation) -> str:
    """The statement without the exact lead-in of the citation it ends in, when it begins with it."""
    return statement.removeprefix(f"{lead_in(citation)} ")


def statement_supported(statement: str, citation: Citation) -> bool:
    """The statement, its lead-in set aside, is the cited passage's own text (and says something)."""
    quoted = without_lead_in(statement, citation)
    return bool(quoted.strip()) and is_supported(quoted, citation.text)


def support_counts(answer: Answer) -> tuple[int, int]:
    """(supported statements, statements). Text outside any statement counts as one unsupported statement."""
    if answer.abstained:
        return 0, 0
    by_n = {c.n: c for c in answer.citations}
    pairs = statements(answer.answer)
    supported = sum(1 for s, n in pairs if n in by_n and statement_supported(s, by_n[n]))
    rebuilt = "".join(f"{s} [{n}]" for s, n in pairs)
    stray = rebuilt.replace(" ", "").replace("\n", "") != answer.answer.replace(" ", "").replace("\n", "")
    return supported, len(pairs) + int(stray)
