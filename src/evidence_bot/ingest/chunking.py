"""Blocks to passages that fit the embedding model's window. Pure functions, no I/O.

Passages never cross a section boundary; tables are cut between rows and every
piece repeats the header row; a block too long for one passage is cut between
sentences, and only a sentence longer than the window is cut between words."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from evidence_bot.models import Block, LoadedDocument, Passage
from evidence_bot.store.embedding import TokenCounter
from evidence_bot.text.sentences import sentence_spans
from evidence_bot.tuning import MAX_CONTEXT_TOKENS, TARGET_TOKENS

SPECIAL_TOKENS = 2  # [CLS] and [SEP]
PieceKind = Literal["prose", "table"]  # a passage's kind (Passage.kind)


@dataclass
class Piece:
    """A span of document text that will be (part of) a passage."""

    text: str
    start: int
    end: int
    page: int | None
    tokens: int


@dataclass
class ChunkLimits:
    max_tokens: int = 256
    max_context_tokens: int = MAX_CONTEXT_TOKENS
    target_tokens: int = TARGET_TOKENS


def chunk_document(doc_id: str, title: str, loaded: LoadedDocument, counter: TokenCounter,
                   limits: ChunkLimits | None = None) -> list[Passage]:
    limits = limits or ChunkLimits()
    passages: list[Passage] = []
    for section, blocks in sections(loaded.blocks):
        context = counter.truncate(" > ".join(filter(None, [title, section])), limits.max_context_tokens)
        budget = min(limits.target_tokens, limits.max_tokens - SPECIAL_TOKENS - counter.count(context) - 1)
        for kind, group in pack(blocks, budget, counter):
            passage = make_passage(doc_id, len(passages), kind, group, section, context)
            window = counter.count(passage.embed_text) + SPECIAL_TOKENS
            if window > limits.max_tokens:  # a bug, never a silent truncation
                raise ValueError(f"passage {passage.id} needs {window} word-pieces > {limits.max_tokens}")
            passages.append(passage)
    return passages


def sections(blocks: list[Block]) -> Iterator[tuple[str | None, list[Block]]]:
    """Yield (section path, content blocks) runs; headings open and close sections."""
    stack: list[tuple[int, str]] = []
    run: list[Block] = []
    for block in blocks:
        if block.kind == "heading":
            if run:
                yield path_of(stack), run
                run = []
            stack = [(level, text) for level, text in stack if level < block.level]
            stack.append((block.level, block.text))
        else:
            run.append(block)
    if run:
        yield path_of(stack), run


def path_of(stack: list[tuple[int, str]]) -> str | None:
    return " > ".join(text for _, text in stack) or None


def pack(blocks: list[Block], budget: int, counter: TokenCounter) -> Iterator[tuple[PieceKind, list[Piece]]]:
    """Group consecutive prose pieces up to the budget; tables go alone, header repeated."""
    group: list[Piece] = []
    used = 0
    for block in blocks:
        if block.kind == "table":
            if group:
                yield "prose", group
                group, used = [], 0
            yield from (("table", table_group) for table_group in table_groups(block, budget, counter))
            continue
        for piece in prose_pieces(block, budget, counter):
            if group and used + piece.tokens + 1 > budget:
                yield "prose", group
                group, used = [], 0
            group.append(piece)
            used += piece.tokens + 1
    if group:
        yield "prose", group


def prose_pieces(block: Block, budget: int, counter: TokenCounter) -> list[Piece]:
    tokens = counter.count(block.text)
    if tokens <= budget:
        return [Piece(block.text, block.start, block.end, block.page, tokens)]
    pieces = []
    for a, b in sentence_spans(block.text):
        sentence = block.text[a:b]
        count = counter.count(sentence)
        if count <= budget:
            pieces.append(Piece(sentence, block.start + a, block.start + b, block.page, count))
        else:
            pieces.extend(word_windows(sentence, block.start + a, block.page, budget, counter))
    return merge_small(pieces, budget)


def merge_small(pieces: list[Piece], budget: int) -> list[Piece]:
    """Sentences of one block are rejoined up to the budget so a passage reads as prose."""
    merged: list[Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last and last.end <= piece.start and last.tokens + piece.tokens + 1 <= budget:
            gap = " " if piece.start > last.end else ""
            merged[-1] = Piece(last.text + gap + piece.text, last.start, piece.end, last.page,
                               last.tokens + piece.tokens + 1)
        else:
            merged.append(piece)
    return merged


def word_windows(sentence: str, offset: int, page: int | None, budget: int, counter: TokenCounter) -> list[Piece]:
    """A sentence longer than the window: cut between words, every word kept."""
    pieces: list[Piece] = []
    words: list[str] = []
    start = 0
    position = 0
    for word in sentence.split(" "):
        candidate = " ".join([*words, word])
        if words and counter.count(candidate) > budget:
            text = " ".join(words)
            pieces.append(Piece(text, offset + start, offset + start + len(text), page, counter.count(text)))
            start = position
            words = [word]
        else:
            words.append(word)
        position += len(word) + 1
    if words:
        text = " ".join(words)
        pieces.append(Piece(text, offset + start, offset + start + len(text), page, counter.count(text)))
    return pieces


def table_groups(block: Block, budget: int, counter: TokenCounter) -> list[list[Piece]]:
    """Rows packed under a copy of the header row, so no row is ever shown without it."""
    header = block.header or ""
    header_tokens = counter.count(header)
    if header_tokens > budget // 2:  # a header this long cannot be repeated: read the table as prose
        return [[piece] for piece in prose_pieces(block, budget, counter)]
    groups: list[list[str]] = []
    rows: list[str] = []
    used = header_tokens
    for row in split_long_rows(block, budget - header_tokens - 1, counter):
        row_tokens = counter.count(row) + 1
        if rows and used + row_tokens > budget:
            groups.append(rows)
            rows, used = [], header_tokens
        rows.append(row)
        used += row_tokens
    if rows or not groups:
        groups.append(rows)
    return [[table_piece(block, header, rows, counter)] for rows in groups]


def split_long_rows(block: Block, room: int, counter: TokenCounter) -> list[str]:
    rows = []
    for row in block.rows:
        if counter.count(row) <= room:
            rows.append(row)
        else:
            fake = Block("paragraph", row, 0, len(row), block.page)
            rows.extend(piece.text for piece in prose_pieces(fake, room, counter))
    return rows


def table_piece(block: Block, header: str, rows: list[str], counter: TokenCounter) -> Piece:
    text = "\n".join([header, *rows])
    return Piece(text, block.start, block.end, block.page, counter.count(text))


def make_passage(doc_id: str, seq: int, kind: PieceKind, group: list[Piece], section: str | None,
                 context: str) -> Passage:
    text = "\n".join(piece.text for piece in group) if kind == "table" else "\n\n".join(p.text for p in group)
    return Passage(
        id=passage_id(doc_id, seq, text),
        doc_id=doc_id,
        seq=seq,
        text=text,
        embed_text=f"{context}\n{text}" if context else text,
        section=section,
        page=group[0].page,
        page_end=group[-1].page,
        start=group[0].start,
        end=group[-1].end,
        kind=kind,
        token_count=sum(piece.tokens for piece in group),
    )


def passage_id(doc_id: str, seq: int, text: str) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{doc_id}-{seq:04d}-{digest}"
