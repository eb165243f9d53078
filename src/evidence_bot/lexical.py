"""Query words for the lexical ranker and the answerer: stop words out, acronyms expanded both ways."""

import re
from functools import lru_cache
from importlib import resources

import yaml

STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our
ours out over own same she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom why will with would you your
yours tell said say says did does anything much many still also any please show give know find us thurrock council
councils
""".split())
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'’\-]*")


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    text = resources.files("evidence_bot").joinpath("data/glossary.yaml").read_text(encoding="utf-8")
    return {str(k): str(v) for k, v in (yaml.safe_load(text) or {}).items()}


def words(text: str) -> list[str]:
    return [w.strip("'’-").lower() for w in _WORD.findall(text) if w.strip("'’-")]


def content_words(text: str) -> list[str]:
    return [w for w in dict.fromkeys(words(text)) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def expansions(text: str) -> list[str]:
    """Long forms of acronyms in the text, and acronyms of long forms in it."""
    lowered = f" {' '.join(words(text))} "
    found = []
    for short, long in glossary().items():
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(short)}(?![A-Za-z0-9])", text, re.IGNORECASE if len(short) > 3
                     else 0):
            found.append(long)
        elif f" {' '.join(words(long))} " in lowered:
            found.append(short)
    return found


def expanded_query(text: str) -> str:
    extra = expansions(text)
    return f"{text} ({'; '.join(extra)})" if extra else text


def match_expression(text: str) -> str | None:
    """An FTS5 query: any content word, quoted so punctuation cannot break the syntax."""
    terms = content_words(expanded_query(text))
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
