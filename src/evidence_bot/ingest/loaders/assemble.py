"""Turn a list of block drafts into a LoadedDocument with offsets into one text."""

import re
from pathlib import Path

from evidence_bot.models import Block, BlockKind, LoadedDocument
from evidence_bot.tuning import MIN_CUT_WORDS

SEPARATOR = "\n\n"
CUT_MARK = "…"
# A document whose last paragraph stops on a lower-case word or a comma was cut off (a page saved in
# part, an export that stopped): its last sentence is marked, so a quote of it shows it is incomplete. A figure
# ends a date line ("Date of Decision: January 21, 2026") as often as it ends a cut sentence, so it marks nothing.
_ENDS_MID_SENTENCE = re.compile(r"[a-z,]$")


def table_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows])


def draft(kind: BlockKind, text: str, page: int | None = None, level: int = 0,
          header: str | None = None, rows: list[str] | None = None) -> Block:
    """A block whose offsets are filled in by assemble()."""
    return Block(kind=kind, text=text, start=0, end=0, page=page, level=level,
                 header=header, rows=list(rows or []))


def assemble(path: Path, blocks: list[Block], fmt: str, page_count: int | None = None) -> LoadedDocument:
    blocks = [block for block in blocks if block.text.strip()]
    if blocks and ends_mid_sentence(blocks[-1]):
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


def ends_mid_sentence(block: Block) -> bool:
    text = block.text.rstrip()
    return block.kind == "paragraph" and len(text.split()) >= MIN_CUT_WORDS \
        and bool(_ENDS_MID_SENTENCE.search(text))


def table_from_rows(rows: list[str]) -> Block | None:
    """A table block from rendered rows, the first being the header row."""
    rows = [row for row in rows if row.strip(" |")]
    if not rows:
        return None
    return draft("table", table_text(rows[0], rows[1:]), header=rows[0], rows=rows[1:])
