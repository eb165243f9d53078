"""The form of a candidate line, as the answer selector sees it (features.py): a heading, a fragment without a
verb, site furniture, a table header alone, and a label with its value ("Date of assessment: 16 to 20 September
2024") whose label the question may ask for."""

import math
import re
from collections.abc import Set
from functools import lru_cache

from evidence_bot.text.lexical import content_words, same_word, words

_VERB = re.compile(r"\b(?:is|are|was|were|be|been|being|has|have|had|do|does|did|can|could|will|would|should|may|"
                   r"must|might|shall)\b|\b[a-z]{3,}(?:ed|ing|es|s)\b", re.IGNORECASE)
_FURNITURE = re.compile(r"\b(?:cookies?|skip to|share this|print this|sign up|subscribe|newsletter|breadcrumb|"
                        r"back to top|related content|accessibility statement|privacy notice|follow us|"
                        r"javascript|menu|you['’]ll receive (?:weekly|daily|regular) (?:summar\w*|updates|e-?mails?)|"
                        r"sign up for (?:e-?mail )?alerts|page last updated)\b", re.IGNORECASE)
# A label and its value on one line: a few words, capitalised, before a colon and something after it.
_LABEL = re.compile(r"^([A-Z][\w'’&/() -]{1,40}?):\s+\S")
# A person's name and their role in brackets, alone on the line or before their other titles ("Councillor Janet
# Penhaligon (Chair)", "Cllr Anne Hollis (Chair), Leader of the Council"): the name is capitalised words only.
_ROLE_AFTER = re.compile(r"^(?:[A-Z][\w'’.-]*\s+){1,5}\(([A-Z][\w'’ -]{1,60})\)(?:,[^()]*)?\s*$")
_SECOND_ROLE = re.compile(r"\b(vice|deputy)[\s-]+", re.I)  # a vice-chair did not chair
_END_PUNCTUATION = re.compile(r"[.!?:;)\"'”’]\s*$")

@lru_cache(maxsize=16384)  # read only (spread into each candidate's row)
def is_furniture(text: str) -> bool:
    """Site furniture: cookie notices, sharing links, sign-up lines, "Page last updated" stamps."""
    return bool(_FURNITURE.search(text))


def form_features(text: str, is_table: bool) -> dict[str, float]:
    row = text.split("\n")[-1] if is_table else text
    tokens = words(row)
    cells = [c for c in re.split(r"\s*\|\s*|\t", row) if c.strip()]
    heading = (not is_table and len(tokens) <= 10 and not _END_PUNCTUATION.search(row)
               and sum(t[:1].isupper() for t in row.split()) >= max(1, len(row.split()) // 2))
    return {
        "heading": float(heading),
        "no_verb": float(not is_table and not _VERB.search(row)),
        "table_row": float(is_table),
        "header_only": float(is_table and len(cells) <= 1),
        "furniture": float(is_furniture(row)),
        "length": math.log1p(len(tokens)),
        "lowercase_start": float(row[:1].islower()),
    }


@lru_cache(maxsize=16384)
def line_label(text: str) -> tuple[str, ...]:
    """The content words of a line's label ("Date of assessment: 16 to 20 September 2024", "Chair: Cllr Penhaligon",
    "Score: 1 - Evidence shows..."), or of the role a name's line ends with ("Councillor Penhaligon (Chair)"); none
    when the line is neither."""
    match = _LABEL.match(text) or _ROLE_AFTER.match(text)
    return tuple(content_words(_SECOND_ROLE.sub(r"\1-", match.group(1)))) if match else ()


def label_asked(text: str, asked_words: Set[str]) -> float:
    """The share of a line's label the question's words ask for (lexical.same_word: "scores" meets "Score:"): the
    value after "Date of assessment:" answers "On which dates did CQC carry out its assessment?" however little
    else of the line the question shares."""
    label = line_label(text)
    return sum(any(same_word(w, a) for a in asked_words) for w in label) / len(label) if label else 0.0
