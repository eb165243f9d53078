"""PowerPoint decks (PPTX, through python-pptx): each slide's title a heading, its text boxes, tables and speaker
notes in reading order, the slide number as the page. Hidden slides are left out, with a warning."""

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.archive import ZIP_DAMAGE, check_archive
from evidence_bot.ingest.loaders.assemble import assemble, draft, table_from_rows
from evidence_bot.models import Block, LoadedDocument
from evidence_bot.text.cleaning import clean_cell, collapse_spaces, strip_markup

A_TEXT = frozenset({"{http://schemas.openxmlformats.org/drawingml/2006/main}t"})
NOTES_LABEL = "Speaker notes"

if TYPE_CHECKING:  # python-pptx is imported when a deck is read
    from pptx.shapes.base import BaseShape
    from pptx.slide import Slide


def load_pptx(path: Path, warnings: list[str]) -> LoadedDocument:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    check_archive(path, "pptx", A_TEXT)
    try:
        deck = Presentation(str(path))
        blocks: list[Block] = []
        hidden = []
        for number, slide in enumerate(deck.slides, start=1):
            if slide.element.get("show") in ("0", "false"):
                hidden.append(number)
                continue
            blocks.extend(slide_blocks(slide, number))
    except (PackageNotFoundError, *ZIP_DAMAGE, AttributeError, TypeError, IndexError) as exc:
        raise IngestError(path, f"not a readable PowerPoint deck ({type(exc).__name__}: {exc})") from exc
    if hidden:
        warnings.append(f"{path}: hidden slides left out: {', '.join(map(str, hidden))}")
    loaded = assemble(path, blocks, "pptx", page_count=len(deck.slides))
    loaded.title = (deck.core_properties.title or "").strip() or None
    return loaded


def slide_blocks(slide: "Slide", number: int) -> list[Block]:
    """The title (or "Slide n") as a heading, then every shape top to bottom, left to right, then the notes."""
    title_shape = slide.shapes.title
    title = clean_cell(title_shape.text_frame.text) if title_shape is not None and title_shape.has_text_frame else ""
    blocks = [draft("heading", title or f"Slide {number}", page=number, level=1)]
    for shape in reading_order(slide.shapes):
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        blocks.extend(shape_blocks(shape, number))
    if slide.has_notes_slide:
        notes = collapse_spaces(strip_markup(slide.notes_slide.notes_text_frame.text or "")) \
            if slide.notes_slide.notes_text_frame is not None else ""
        if notes:
            blocks.append(draft("paragraph", f"{NOTES_LABEL}: {notes}", page=number))
    return blocks


def reading_order(shapes: Iterable["BaseShape"]) -> list["BaseShape"]:
    return sorted(shapes, key=lambda s: ((s.top or 0) // 100_000, s.left or 0))  # rows of about 0.1 inch


def shape_blocks(shape: "BaseShape", number: int) -> list[Block]:
    from pptx.shapes.autoshape import Shape
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.shapes.group import GroupShape

    # python-pptx's classes: a group is a GroupShape, only a graphic frame holds a table, only a Shape (<p:sp>) has
    # a text frame. Never shape.shape_type: it raises for a <p:sp> with no geometry that is not a text box, which
    # PowerPoint itself opens and shows.
    if isinstance(shape, GroupShape):  # its shapes in their own order
        return [block for inner in reading_order(shape.shapes) for block in shape_blocks(inner, number)]
    if isinstance(shape, GraphicFrame) and shape.has_table:
        rows = [" | ".join(clean_cell(cell.text) for cell in row.cells) for row in shape.table.rows]
        table = table_from_rows(rows)
        if table:
            table.page = number
            return [table]
        return []
    if not isinstance(shape, Shape) or not shape.has_text_frame:
        return []
    blocks: list[Block] = []
    for paragraph in shape.text_frame.paragraphs:
        text = collapse_spaces(strip_markup(paragraph.text.replace("\v", " ")))  # \v: a line break
        if text:
            blocks.append(draft("list_item" if paragraph.level > 0 else "paragraph", text, page=number))
    return blocks
