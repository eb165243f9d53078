"""Guessing headings in text that carries no markup (plain text, PDF lines)."""

import re

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_TOP_LEVEL_WORDS = re.compile(r"^(?:part|section|chapter|appendix|annex|theme|cqc theme)\b", re.IGNORECASE)
_TOC_ENTRY = re.compile(r"\s\d{1,3}$")
_SENTENCE_END = re.compile(r"[.;,:!?…]$")
_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
# "Published: 8 November 2024", "Assessment start date: 11 May 2023": a labelled value, a fact, not a title
# ("Theme 3: Safe systems" has its number before the colon).
_FIELD = re.compile(r"^[^:]{1,40}:\s+\D*\d")


def markdown_heading(line: str) -> tuple[int, str] | None:
    match = _MARKDOWN.match(line.strip())
    return (len(match.group(1)), match.group(2)) if match else None


def looks_like_heading(line: str) -> bool:
    """A short line standing alone, capitalised, not ending like a sentence."""
    line = line.strip()
    words = line.split()
    if not words or len(line) > 90 or len(words) > 12:
        return False
    if _SENTENCE_END.search(line) or _TOC_ENTRY.search(line) or _FIELD.match(line):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    if sum(ch.isalpha() for ch in line) < 3:
        return False
    if _NUMBERED.match(line) and re.match(r"^\d+(?:\.\d+)+\s", line):
        return False  # "3.1 Services to ..." opens a numbered paragraph
    return True


def heading_level(line: str) -> int:
    """Numbered ('2. Introduction') and labelled ('CQC Theme 3: ...') headings are top level."""
    line = line.strip()
    if _TOP_LEVEL_WORDS.match(line) or re.match(r"^\d+\.?\s", line):
        return 1
    return 2
