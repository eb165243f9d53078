"""Sentence spans in English council prose, without a model download.

A regular expression with an abbreviation list: NLTK's punkt needs its data
fetched from the internet and pysbd is unmaintained; this is small and tested."""

import re

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "cllr", "prof", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "eg", "ie",
    "approx", "inc", "ltd", "co", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "fig", "para", "ref", "cf", "al", "vol", "pp", "p", "s", "cl",
}
_LIST_NUMBER = re.compile(r"[ \t]*\(?\d{1,2}[.)]")  # "  7. The local authority...": an item, not a sentence
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9•·-])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; newlines always end one (table rows, list items)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group(0).strip() == "" and "\n" not in match.group(0) and (
                is_abbreviation(text, match.start()) or is_list_number(text, match.start())):
            continue
        end = match.start() + len(match.group(1) or "")  # a closing quotation mark or bracket ends the sentence
        piece = text[start:end]
        if piece.strip():
            spans.append(trim(text, start, end))
        start = match.end()
    if text[start:].strip():
        spans.append(trim(text, start, len(text)))
    return spans


def is_list_number(text: str, boundary: int) -> bool:
    """The full stop before `boundary` ends the number of a numbered item at the start of its line."""
    return bool(_LIST_NUMBER.fullmatch(text, text.rfind("\n", 0, boundary) + 1, boundary))


def is_abbreviation(text: str, boundary: int) -> bool:
    """The full stop before `boundary` ends an abbreviation or an initial, not a sentence."""
    match = re.search(r"([A-Za-z.]+)[.]$", text[max(0, boundary - 40) : boundary])  # a window: linear, not quadratic
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]
