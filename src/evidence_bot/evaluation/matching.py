"""Text comparison for evaluation: forgiving of layout and typography, not of wording."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                             "\u2014": "-", "\u00a0": " ", "\u00ad": None})


def normalise(text: str) -> str:
    """Case, curly quotes, dashes and runs of whitespace (PDF line breaks, table tabs) do not matter."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    return _SPACE.sub(" ", text).strip().lower()


def contains(text: str, span: str) -> bool:
    return normalise(span) in normalise(text)


def fact_present(answer: str, alternatives: list[str]) -> bool:
    """A figure matches whole: '26' is not found inside '126' or '2.6'."""
    normal = normalise(answer)
    for alternative in alternatives:
        wanted = re.escape(normalise(alternative))
        if re.search(rf"(?<![\w.,]){wanted}(?![\w]|[.,]\d)", normal):
            return True
    return False
