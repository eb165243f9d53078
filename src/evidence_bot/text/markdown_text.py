"""Text from documents, made safe to put in Markdown: shown as the words it is, never as markup.

A document (an upload, a web page) may hold HTML (`<script>`, `<img onerror=...>`) or Markdown
(`[click](javascript:...)`, `![](https://tracker)`, a line starting `[^1]:` that redefines a footnote);
copied into a briefing or report as it is, a Markdown viewer would run or render it. So: HTML's special
characters become entities, Markdown's inline punctuation is backslash-escaped, and line breaks become
spaces (no line of document text can start a heading, quote, list or link definition)."""

import html
import re

_INLINE = re.compile(r"([\\`*_\[\]|~])")  # emphasis, code, links and images, table cells, strikethrough
_LINE_START = re.compile(r"^(?=[#+-])|^\d{1,9}(?=[.)](?:\s|$))")  # where a backslash stops '# ', '- ', '1. ', '1) '
_PLAIN_URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)


def escaped(text: str | None) -> str:
    """The text as literal Markdown: renders as exactly these words."""
    flat = " ".join((text or "").split())
    return _LINE_START.sub(lambda m: m.group(0) + "\\", _INLINE.sub(r"\\\1", html.escape(flat, quote=False)))


def link(url: str | None) -> str:
    """A source's address: an autolink when it is a plain http(s) address, otherwise escaped text."""
    url = (url or "").strip()
    return f"<{url}>" if _PLAIN_URL.fullmatch(url) else escaped(url)
