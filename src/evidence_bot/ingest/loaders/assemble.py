"""Turn a list of block drafts into a LoadedDocument with offsets into one text."""

from pathlib import Path

from evidence_bot.models import Block, BlockKind, LoadedDocument

SEPARATOR = "\n\n"


def table_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows])


def draft(kind: BlockKind, text: str, page: int | None = None, level: int = 0,
          header: str | None = None, rows: list[str] | None = None) -> Block:
    """A block whose offsets are filled in by assemble()."""
    return Block(kind=kind, text=text, start=0, end=0, page=page, level=level,
                 header=header, rows=list(rows or []))


def assemble(path: Path, blocks: list[Block], fmt: str, page_count: int | None = None) -> LoadedDocument:
    parts: list[str] = []
    position = 0
    kept: list[Block] = []
    for block in blocks:
        if not block.text.strip():
            continue
        if parts:
            parts.append(SEPARATOR)
            position += len(SEPARATOR)
        block.start, block.end = position, position + len(block.text)
        parts.append(block.text)
        position = block.end
        kept.append(block)
    return LoadedDocument(path=str(path), text="".join(parts), blocks=kept, format=fmt, page_count=page_count)


def table_from_rows(rows: list[str]) -> Block | None:
    """A table block from rendered rows, the first being the header row."""
    rows = [row for row in rows if row.strip(" |")]
    if not rows:
        return None
    return draft("table", table_text(rows[0], rows[1:]), header=rows[0], rows=rows[1:])
