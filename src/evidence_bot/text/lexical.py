"""Query words for the lexical ranker and the answerer: stop words out, acronyms expanded both ways."""

import re
from functools import lru_cache
from importlib import resources

import yaml

# Words that name no topic, left out wherever words are matched (the query side and the verifier).
FUNCTION_WORDS = frozenset("""
a about also an and are as at be been but by can could for from had has have he her his in into is it its more
most no not of on or our over said says she should so such than that the their then there these they this those
to under very was we were which while who will with would
""".split())
# Query words: also the words of asking ("tell", "show", "what", "council") and of direction and quantity ("up",
# "all", "few"), which a question leans on for its form, not its topic.
STOP_WORDS = FUNCTION_WORDS | frozenset("""
above after again against all am any anything because before being below between both council councils did do
does doing down during each few find further give having here hers him how i if itself just know many me much my
nor now off once only other ours out own please same say show some still tell theirs them through too until up
us what when where whom why you your yours
""".split())
CUT_MARK = "…"  # ends the sentence a document was cut off in (ingest/loaders/assemble.py)
# Words no sentence or heading ends on: a line or document stopping on one stopped mid-sentence (loaders/text.py
# joins the next line to it; loaders/assemble.py marks a document's last paragraph cut off).
UNFINISHED_WORDS = frozenset("""
a an the of to for and or but with by from into as been be was were is are had has have any which that whose than
its their our this these
""".split())
# The verifier's content words (answer/verification.py): also modal hedges ("may", "must") and "less" left out;
# direction and quantity words stay in, so a sentence saying "all" or "down" where the passage does not has less
# support. One list for both was measured on evals/verifier.jsonl on 2026-12-02: at the calibrated 0.70, recall
# 0.906 -> 0.891 and precision 0.841 -> 0.838, so the two stay apart.
SUPPORT_STOP_WORDS = FUNCTION_WORDS | frozenset({"less", "may", "might", "must"})
# A reference code or decimal ("W2.1", "4.2", "9.5") is one word: "Who owns action W2.1?" must not match W2.2's
# row by "w2" and "1". Only a digit after the dot joins: "e.g." and "in 2024.The" stay separate words.
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&'’\-]*(?:\.\d[A-Za-z0-9]*)*")
_POSSESSIVE = re.compile(r"['’]s$", re.I)


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    text = resources.files("evidence_bot").joinpath("data/glossary.yaml").read_text(encoding="utf-8")
    return {str(k): str(v) for k, v in (yaml.safe_load(text) or {}).items()}


def words(text: str) -> list[str]:
    """Lower-case words; a possessive is its owner ("Hull's" is "hull"), as the index's tokenizer splits it."""
    return list(_words(text))


@lru_cache(maxsize=65536)  # the answerer reads each candidate's words for several features
def _words(text: str) -> tuple[str, ...]:
    # Most words are letters and digits only: nothing to strip, no possessive (the regex work is for the rest).
    found = (w.lower() if w.isalnum() else _POSSESSIVE.sub("", w.strip("'’-")).lower() for w in _WORD.findall(text))
    return tuple(w for w in found if w)


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def codes(text: str) -> list[str]:
    """The reference codes in the text: words of letters and digits ("W2.1", "A2", "Q2") or dotted digits
    ("4.2"), not years, plain figures, ordinals or hyphenated terms ("COVID-19", "18-64"). The embedding model
    cannot read them; the words can."""
    return [w for w in dict.fromkeys(words(text)) if any(ch.isdigit() for ch in w) and "-" not in w
            and ("." in w or any(ch.isalpha() for ch in w)) and not _ORDINAL.fullmatch(w)]


def content_words(text: str) -> list[str]:
    return [w for w in dict.fromkeys(words(text)) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


@lru_cache(maxsize=1)
def _glossary_patterns() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, dict[str, str],
                                  list[tuple[str, str]]]:
    """One regex for short acronyms (case kept: 'ASC' is not 'asc'), one for longer ones (any case),
    the long form of each acronym by its lower case, and each long form as spaced words."""
    entries = glossary()
    def alternation(keys: list[str], flags: int) -> re.Pattern[str] | None:
        keys = sorted(keys, key=len, reverse=True)
        body = "|".join(re.escape(k) for k in keys)
        return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", flags) if keys else None
    short = alternation([k for k in entries if len(k) <= 3], 0)
    longer = alternation([k for k in entries if len(k) > 3], re.IGNORECASE)
    by_lower = {k.lower(): k for k in entries}
    spaced = [(short_form, f" {' '.join(words(long_form))} ") for short_form, long_form in entries.items()]
    return short, longer, by_lower, spaced


@lru_cache(maxsize=16384)
def expansions(text: str) -> tuple[str, ...]:
    """Long forms of acronyms in the text, and acronyms of long forms in it (in glossary order)."""
    short, longer, by_lower, spaced = _glossary_patterns()
    present: set[str] = set()
    for pattern in (short, longer):
        if pattern is not None:
            present.update(by_lower[m.group(0).lower()] if pattern is longer else m.group(0)
                           for m in pattern.finditer(text))
    lowered = f" {' '.join(words(text))} "
    entries = glossary()
    return tuple(entries[k] if k in present else k for k, long_words in spaced
                 if k in present or long_words in lowered)


def expanded_query(text: str) -> str:
    extra = expansions(text)
    return f"{text} ({'; '.join(extra)})" if extra else text


def match_terms(text: str) -> list[str]:
    """The words the lexical ranker looks for: content words of the question and its acronyms' expansions."""
    return [t.replace('"', "") for t in content_words(expanded_query(text))]


def match_expression(text: str) -> str | None:
    """An FTS5 query: any content word, quoted so punctuation cannot break the syntax."""
    terms = match_terms(text)
    if not terms:
        return None
    return " OR ".join('"' + t + '"' for t in terms)


@lru_cache(maxsize=65536)  # the same question words are stemmed for every candidate
def stem(word: str) -> str:
    """A light suffix strip, enough to match 'waiting' with 'awaiting', 'homes' with 'home', 'owns' with 'owner'
    (a plural or third-person s leaves three letters, a longer suffix four; 'process' keeps its double s)."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s"):
        if len(word) > len(suffix) + (2 if suffix == "s" else 3) and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def same_word(a: str, b: str) -> bool:
    """Equal, or equal in their light stems; a word of five letters or more may also carry a suffix the other
    lacks ("complete", "completed"). Short words must be equal in stem: "red" is not "reduce", "track" is not
    "tracker"."""
    if a == b or stem(a) == stem(b):
        return True
    return min(len(a), len(b)) >= 5 and (a.startswith(stem(b)) or b.startswith(stem(a)))
