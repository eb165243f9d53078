"""Clean the mess real documents carry, without losing content."""

import html
import re

_TAG = re.compile(r"</?(?:p|br|span|div|strong|em|b|i|u|font|li|ul|ol)\b[^>]*>", re.IGNORECASE)
_DEAD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:#[^)\s]*|)\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,2}|_{2})(?=\S)([^*\n]+?)(?<=\S)\1(?![\w*])")
_HYPHEN_BREAK = re.compile(r"(\w+)-\n[ \t]*([a-z]\w*)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")


def strip_markup(text: str) -> str:
    """Tags pasted into cells, entities, markdown links and emphasis become plain text."""
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _DEAD_LINK.sub(r"\1", text)
    text = _LINK.sub(r"\1 (\2)", text)
    return _EMPHASIS.sub(r"\2", text)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def join_hyphenated(text: str, vocabulary: set[str]) -> str:
    """Rejoin words split across lines: 'recommen-\\ndations' -> 'recommendations'.

    A real compound ('in-\\nhouse') keeps its hyphen unless the joined word is
    seen elsewhere in the document (the vocabulary)."""

    def rejoin(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        joined = left + right
        if joined.lower() in vocabulary or (f"{left}-{right}".lower() not in vocabulary and len(left) > 3):
            return joined
        return f"{left}-{right}"

    return _HYPHEN_BREAK.sub(rejoin, text)


def word_vocabulary(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w[\w-]*", text)}


def unwrap_lines(lines: list[str], vocabulary: set[str]) -> str:
    """Hard-wrapped lines of one paragraph become one line."""
    return collapse_spaces(join_hyphenated("\n".join(lines), vocabulary).replace("\n", " "))


def clean_cell(text: str) -> str:
    return collapse_spaces(strip_markup(text).replace("\n", " "))
