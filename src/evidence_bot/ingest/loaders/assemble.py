"""Turn a list of block drafts into a LoadedDocument with offsets into one text."""

import re
from pathlib import Path

from evidence_bot.models import Block, BlockKind, LoadedDocument
from evidence_bot.text.lexical import CUT_MARK, UNFINISHED_WORDS
from evidence_bot.tuning import MIN_CUT_WORDS

SEPARATOR = "\n\n"
# A document whose last paragraph stops on a word fragment was cut off (a page saved in part, an export that
# stopped): its last sentence is marked, so a quote of it shows it is incomplete. The last word must be a plain
# lower-case word, not a time, an address or a name ("The meeting ended at 7.45 pm", "visit www.x.gov.uk",
# "Director of Adult Social Services" end a complete document), and one the rest of the document does not use as
# a word of its own, or a word no sentence ends on ("th", "invo", "organisatio"; "of", "the", "which").
_LAST_WORD = re.compile(r"(?<![\w./@:-])([a-z]+)$")
# a cut also stops on a preposition or "also", which a line of wrapped text may end on before a name
_NEVER_LAST = UNFINISHED_WORDS | frozenset("in on at also about through including such".split())
# A workbook or a slide deck is saved whole: its last cell or text box ends where its author stopped, however
# it ends ("Red = Off track, escalation required" under a sheet's table is a key, not a cut page).
SAVED_WHOLE = frozenset({"xlsx", "csv", "pptx"})


def table_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows])


def draft(kind: BlockKind, text: str, page: int | None = None, level: int = 0,
          header: str | None = None, rows: list[str] | None = None) -> Block:
    """A block whose offsets are filled in by assemble()."""
    return Block(kind=kind, text=text, start=0, end=0, page=page, level=level,
                 header=header, rows=list(rows or []))


def assemble(path: Path, blocks: list[Block], fmt: str, page_count: int | None = None) -> LoadedDocument:
    blocks = [block for block in blocks if block.text.strip()]
    if fmt not in SAVED_WHOLE and blocks and ends_mid_sentence(blocks[-1], " ".join(b.text for b in blocks[:-1])):
        blocks[-1].text = blocks[-1].text.rstrip() + CUT_MARK
    parts: list[str] = []
    position = 0
    kept: list[Block] = []
    for block in blocks:
        if parts:
            parts.append(SEPARATOR)
            position += len(SEPARATOR)
        block.start, block.end = position, position + len(block.text)
        parts.append(block.text)
        position = block.end
        kept.append(block)
    return LoadedDocument(path=str(path), text="".join(parts), blocks=kept, format=fmt, page_count=page_count)


def ends_mid_sentence(block: Block, earlier_text: str) -> bool:
    """earlier_text: the document's text before this block, whose words tell a fragment from a word."""
    text = block.text.rstrip()
    last = _LAST_WORD.search(text)
    if block.kind != "paragraph" or len(text.split()) < MIN_CUT_WORDS or last is None or last[1] in ("am", "pm"):
        return False
    words = set(re.findall(r"[a-z]+", (earlier_text + " " + text[:last.start()]).lower()))
    return last[1] in _NEVER_LAST or last[1] not in words


def table_from_rows(rows: list[str]) -> Block | None:
    """A table block from rendered rows, the first being the header row."""
    rows = [row for row in rows if row.strip(" |")]
    if not rows:
        return None
    return draft("table", table_text(rows[0], rows[1:]), header=rows[0], rows=rows[1:])
