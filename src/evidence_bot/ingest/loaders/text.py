"""Plain text and Markdown: paragraphs by blank lines, guessed headings, tab tables."""

import re
from pathlib import Path
from typing import cast

from charset_normalizer import from_bytes

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.assemble import assemble, draft, table_text
from evidence_bot.ingest.loaders.headings import heading_level, looks_like_heading, markdown_heading
from evidence_bot.models import Block, LoadedDocument
from evidence_bot.text.cleaning import clean_cell, collapse_spaces, strip_markup, unwrap_lines, word_vocabulary
from evidence_bot.text.lexical import UNFINISHED_WORDS
from evidence_bot.tuning import OWN_LINE_SHARE

_LIST_ITEM = re.compile(r"^\s*(?:[-*•·▪–]|\d{1,2}[.)]|[a-z][.)])\s+")
_RULE_ROW = re.compile(r"^[\s\-|:=+]+$")
# A line ending on one of these words (in lower case: "Appendix A" and "Q&A" are labels) or on "&" stops
# mid-sentence: no sentence or heading ends on "of", "been" or "the", so the next line continues it however short
# the line is (text wrapped to a ragged width). A comma alone does not: "Dear Councillor Smith," ends a line.
_UNFINISHED = re.compile(rf"(?:(?<![\w/&])(?:{'|'.join(sorted(UNFINISHED_WORDS))})|(?<=\s)&)$")


def decode(path: Path, data: bytes, warnings: list[str]) -> str:
    """UTF-8 first; otherwise the detected encoding, with a warning naming it."""
    if b"\x00" in data[:4096]:
        raise IngestError(path, "binary content, not text (is the file extension wrong?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise IngestError(path, "not UTF-8 and no text encoding could be detected")
    warnings.append(f"{path}: not UTF-8; read as {best.encoding}")
    return str(best)


def load_text(path: Path, warnings: list[str]) -> LoadedDocument:
    raw = decode(path, path.read_bytes(), warnings)
    pages = raw.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    vocabulary = word_vocabulary(raw)
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        page_no = number if len(pages) > 1 else None
        for chunk in re.split(r"\n[ \t\u00a0]*\n", page):
            new = text_blocks(chunk.split("\n"), page_no, vocabulary)
            if continues_table(blocks, new):
                extend_table(blocks[-1], [cast(str, new[0].header), *new[0].rows])  # a table: it has its header
            else:
                blocks.extend(new)
    return assemble(path, blocks, "text", page_count=len(pages) if len(pages) > 1 else None)


def text_blocks(lines: list[str], page: int | None, vocabulary: set[str]) -> list[Block]:
    """One blank-line-separated chunk of text becomes headings, list items, a table or a paragraph."""
    lines = [line.rstrip() for line in lines if line.strip()]
    if not lines:
        return []
    if is_table(lines):
        return [table_block(lines, page)]
    blocks: list[Block] = []
    paragraph: list[str] = []
    width = max(len(line) for line in lines)  # the wrap width, if the text was wrapped

    def flush() -> None:
        if paragraph:
            text = strip_markup(unwrap_lines(paragraph, vocabulary))
            blocks.append(draft("paragraph", collapse_spaces(text), page))
            paragraph.clear()

    for line in lines:
        md = markdown_heading(line)
        if md:
            flush()
            blocks.append(draft("heading", collapse_spaces(strip_markup(md[1])), page, level=md[0]))
        elif len(lines) == 1 and looks_like_heading(line):
            blocks.append(draft("heading", collapse_spaces(strip_markup(line)), page, level=heading_level(line)))
        elif _LIST_ITEM.match(line):
            flush()
            blocks.append(draft("list_item", collapse_spaces(strip_markup(line.strip())), page))
        elif blocks and blocks[-1].kind == "list_item" and not paragraph and continues_item(blocks[-1].text, line):
            blocks[-1].text = collapse_spaces(blocks[-1].text + " " + strip_markup(line))  # wrapped item
        else:
            if paragraph and not wrapped(paragraph[-1], line, width):
                flush()
            paragraph.append(line)
    flush()
    return blocks


def wrapped(line: str, following: str, width: int) -> bool:
    """Whether the break between two lines of a paragraph is a hard wrap (join them) rather than a line of
    its own ("Score: 3", "Published: 17 May 2024" above a page's first paragraph): the break is a wrap when
    it splits a word or a sentence ("in-" / "house", a lower-case next line) or when the next word would not
    have fitted on the line, the test text reflow tools use. Text taken from a PDF was wrapped by the width of
    proportional glyphs, not of characters, so only a line clearly shorter than the widest counts as its own."""
    next_word = following.split()[0] if following.split() else ""
    if line.endswith("-") or following[:1].islower() or _UNFINISHED.search(line):
        return True
    return len(line) > OWN_LINE_SHARE * width or len(line) + 1 + len(next_word) > width


def continues_item(item: str, line: str) -> bool:
    """A list item's next line, not a bullet itself, continues it when indented, when it starts in lower case, or
    when the item stopped mid-sentence ("- The rating had been" / "‘Requires improvement’.")."""
    return line[:1].isspace() or line[:1].islower() or bool(_UNFINISHED.search(item.rstrip()))


def is_table(lines: list[str]) -> bool:
    """Rows pasted as tab-separated cells, or Markdown pipe tables."""
    tabbed = [line for line in lines if "\t" in line.strip("\t")]
    piped = [line for line in lines if line.strip().startswith("|") and line.count("|") >= 3]
    return len(tabbed) >= 2 and len(tabbed) >= len(lines) - 1 or len(piped) >= 2


def split_cells(line: str) -> list[str]:
    if line.strip().startswith("|"):
        return [clean_cell(c) for c in line.strip().strip("|").split("|")]
    return [clean_cell(c) for c in line.split("\t")]


def table_block(lines: list[str], page: int | None) -> Block:
    rows = [split_cells(line) for line in lines if not _RULE_ROW.match(line)]
    rows = [row for row in rows if any(row)]
    header = " | ".join(rows[0])
    body = [" | ".join(row) for row in rows[1:]]
    return draft("table", table_text(header, body), page, header=header, rows=body)


def continues_table(blocks: list[Block], new: list[Block]) -> bool:
    """Rows of one table separated by blank lines belong to the table above them."""
    if len(new) != 1 or new[0].kind != "table" or not blocks or blocks[-1].kind != "table":
        return False
    above, below = blocks[-1].header, new[0].header  # set on every table block (table_block)
    return above is not None and below is not None and below.count(" | ") == above.count(" | ")


def extend_table(table: Block, rows: list[str]) -> None:
    table.rows.extend(rows)
    table.text = table_text(cast(str, table.header), table.rows)  # a table block: its header is set
