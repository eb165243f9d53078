"""Checks that an answer says only what its cited passages say.

An extractive answer is a run of statements, each ending in its citation
marker ("... [2]"); a table statement is its header line and its row line.
A statement is supported when every one of its lines is text of the passage
it cites."""

import re

from evidence_bot.models import Answer

_STATEMENT = re.compile(r"(.+?)\s\[(\d+)\](?:\s|$)", re.S)


def statements(text: str) -> list[tuple[str, int]]:
    """(statement, citation number) pairs, in order."""
    return [(m.group(1).strip(), int(m.group(2))) for m in _STATEMENT.finditer(text)]


def pieces(text: str) -> list[str]:
    """The answer cut after each citation marker, for streaming; joined they give the text back exactly."""
    return re.findall(r".+?\[\d+\]\s*|.+$", text, re.S) or [text]


def is_supported(statement: str, passage_text: str) -> bool:
    return all(line.strip() in passage_text for line in statement.split("\n") if line.strip())


def support_counts(answer: Answer) -> tuple[int, int]:
    """(supported statements, statements). Text outside any statement counts as one unsupported statement."""
    if answer.abstained:
        return 0, 0
    by_n = {c.n: c.text for c in answer.citations}
    pairs = statements(answer.answer)
    supported = sum(1 for s, n in pairs if n in by_n and is_supported(s, by_n[n]))
    rebuilt = "".join(f"{s} [{n}]" for s, n in pairs)
    stray = rebuilt.replace(" ", "").replace("\n", "") != answer.answer.replace(" ", "").replace("\n", "")
    return supported, len(pairs) + int(stray)
