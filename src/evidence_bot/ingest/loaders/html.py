"""Web pages: the main content only. Navigation, banners, scripts, forms and footers are not evidence."""

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from evidence_bot.ingest.loaders.assemble import assemble, draft, table_from_rows
from evidence_bot.ingest.loaders.text import decode
from evidence_bot.models import Block, LoadedDocument
from evidence_bot.text.cleaning import clean_cell, collapse_spaces, strip_markup

_NEVER_CONTENT = ["script", "style", "noscript", "iframe", "object", "embed", "svg", "template", "button", "input",
                  "select", "textarea", "dialog", "form", "nav", "aside"]
_PAGE_CHROME = ["header", "footer"]  # site chrome outside the main content; an article's own header stays
_NOISE_HINT = re.compile(
    r"cookie|consent|banner|breadcrumb|advert|\bads?\b|promo|share|social|related|skip|menu|newsletter|sidebar",
    re.IGNORECASE)
# Text a reader of the page never sees is not evidence they could check, and is where planted text hides.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])|"
                           r"(?<![-\w])color\s*:\s*(?:#f{3}\b|#f{6}\b|white\b|transparent\b)", re.IGNORECASE)
_BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "blockquote", "pre", "dt", "dd"}


def load_html(path: Path, warnings: list[str]) -> LoadedDocument:
    soup = BeautifulSoup(decode(path, path.read_bytes(), warnings), "lxml")
    title_tag = soup.title.extract() if soup.title else None
    for tag in soup.find_all(_NEVER_CONTENT):
        tag.decompose()
    for tag in soup.find_all(is_noise):
        tag.decompose()
    hidden = [tag for tag in soup.find_all(is_hidden)]
    if hidden:
        characters = sum(len(tag.get_text(" ", strip=True)) for tag in hidden)
        warnings.append(f"{path}: {characters} characters of hidden text (display:none, white, hidden) left out")
        for tag in hidden:
            if not tag.decomposed:
                tag.decompose()
    root = main_content(soup)
    if root.name in ("body", "html", "[document]"):
        for tag in root.find_all(_PAGE_CHROME):
            tag.decompose()
    document = assemble(path, content_blocks(root), "html")
    document.title = page_title(title_tag)
    return document


def page_title(tag: Tag | None) -> str | None:
    """<title> without the site's name ('Decision - X | Council' -> 'Decision - X')."""
    if tag is None or not tag.get_text(strip=True):
        return None
    title = collapse_spaces(tag.get_text()).split(" | ")[0].strip()
    return title or None


def attribute(tag: Tag, name: str) -> str:
    """An attribute's value, "" when the tag has none; bs4 gives a multi-valued one (class) as a list of words."""
    value = tag.get(name)
    return value if isinstance(value, str) else " ".join(value or [])


def is_hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(attribute(tag, "style")))


def is_noise(tag: Tag) -> bool:
    if tag.name in ("main", "article", "body", "html"):
        return False
    hints = " ".join([attribute(tag, "id"), attribute(tag, "class"), attribute(tag, "role"),
                      attribute(tag, "aria-label")])
    return bool(hints.strip()) and bool(_NOISE_HINT.search(hints))


def main_content(soup: BeautifulSoup) -> Tag:
    for selector in ("main", "[role=main]", "article", "#content", "#main", ".content"):
        found = soup.select_one(selector)
        if found and found.get_text(strip=True):
            return found
    return soup.body or soup


def content_blocks(root: Tag) -> list[Block]:
    blocks: list[Block] = []
    for element in root.find_all(True):
        if element.name not in _BLOCK_TAGS or has_block_ancestor(element, root):
            continue
        if element.name == "table":
            table = table_block(element)
            if table:
                blocks.append(table)
            continue
        text = collapse_spaces(strip_markup(" ".join(element.get_text(" ").split())))
        if not text:
            continue
        if element.name[0] == "h" and element.name[1:].isdigit():
            blocks.append(draft("heading", text, level=int(element.name[1])))
        elif element.name == "li":
            blocks.append(draft("list_item", text))
        else:
            blocks.append(draft("paragraph", text))
    blocks.extend(loose_text(root))
    return blocks


def has_block_ancestor(element: Tag, root: Tag) -> bool:
    for parent in element.parents:
        if parent is root:
            return False
        if parent.name in _BLOCK_TAGS:
            return True
    return False


def loose_text(root: Tag) -> list[Block]:
    """Text sitting directly in a container, outside any paragraph (common in CMS pages)."""
    if root.find(_BLOCK_TAGS):
        return []
    text = collapse_spaces(root.get_text(" "))
    return [draft("paragraph", text)] if text else []


def table_block(table: Tag) -> Block | None:
    rows = []
    for tr in table.find_all("tr"):
        cells = [clean_cell(cell.get_text(" ")) for cell in tr.find_all(["th", "td"])]
        rows.append(" | ".join(cells))
    return table_from_rows(rows)
