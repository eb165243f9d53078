"""Facts in text, found by pattern: figures, shares, dates and periods, ratings and scores, names, contact
details, how often and what is still to come. One home for every pattern that finds a fact: the answerer's
constraints (does a sentence hold the kind of fact asked for?), the verifier (does a generated sentence state a
figure its passage does not?), claims (which figures does a claim share with other evidence?) and the statement
mapping (how many statistics does a passage hold?) read them from here. Patterns that differ say why."""

import re
from collections.abc import Set
from functools import lru_cache

# A figure in digits: "1,200", "£450,000", "44.7%"; not part of a word, a code or a fraction ("W2", "2024/25").
_DIGITS = r"(?<![\w/])£?\d[\d,]*(?:\.\d+)?%?(?![\w/])"
_SMALL_NUMBERS = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_TEENS = "thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_LARGE_NUMBERS = "twenty|thirty|forty|fifty|hundred|thousand|million"
FIGURE = re.compile(_DIGITS)
# A number in words that the verifier checks against the evidence ("one" is too common to check).
NUMBER_WORD = re.compile(rf"\b(?:{_SMALL_NUMBERS}|{_TEENS}|{_LARGE_NUMBERS})\b", re.I)
MONTH_NAME = re.compile(r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
                        r"december)\b", re.I)
# A figure with its unit as claims compare them ("1,200" whole, "44.7 per cent"): a decimal point before it is
# not a new figure.
FIGURE_WITH_UNIT = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*%|\s*per ?cent)?", re.IGNORECASE)
# A statistic, as the statement mapping counts them to tell a data passage from prose: not a year, nor part of a
# date or a range ("2024", "12/05", "18-64").
STATISTIC = re.compile(r"(?<![\w./-])(?!(?:19|20)\d\d\b)\d[\d,]*(?:\.\d+)?(?:\s*(?:%|per cent)|\b)(?![/-]\d)",
                       re.IGNORECASE)
FREQUENCY = re.compile(r"\b(?:daily|weekly|fortnightly|monthly|quarterly|annual(?:ly)?|yearly|bi-?monthly|"
                       r"every (?:day|week|month|quarter|year|\w+ (?:days|weeks|months|years))|once a|twice a|"
                       r"(?:each|per|a) (?:day|week|fortnight|month|quarter|year)|regular(?:ly)?)\b", re.I)
FUTURE = re.compile(r"\b(?:will|next|due|planned|expected|scheduled|upcoming|forthcoming|intends?|plans? to)\b", re.I)
CONTACT = re.compile(r"\b0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b|\b[\w.+-]+@[\w-]+\.[\w.]+\b|\bwww\.\S+|https?://\S+",
                     re.I)
SCORE = re.compile(r"(?<![\d.,£])[1-4](?![\d.,%])|\d+(?:\.\d+)?%")  # CQC scores 1-4 and percentages
# An amount as a question's answer gives it: in digits, or in words ("one", "half", "none").
NUMBER = re.compile(rf"{_DIGITS}|\b(?:one|{_SMALL_NUMBERS}|{_LARGE_NUMBERS}|half|quarter|third|none|no)\b", re.I)
YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}s?$")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_OR_TIME = re.compile(rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}\b|"
                          rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?=\W|$)|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!,?\d)|"
                          rf"\b\d{{1,2}}[.:]\d{{2}}\s*(?:am|pm)\b|\b\d{{1,2}}\s*(?:am|pm)\b", re.I)
DATE = re.compile(r"\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
                  r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|"
                  r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several) "
                  r"(?:years?|months?|weeks?) ago\b|"
                  r"\blast (?:year|month|week|spring|summer|autumn|winter)\b|\b(?:earlier|later) this year\b", re.I)
# A council by its full name, its kind included: "Saltney Borough Council", "Hull City Council's", "Kent County
# Council", "London Borough of Hounslow", "Royal Borough of Greenwich"; group 1 or 2 is the place. A bare "X
# Council" is left out: "Full Council", "Arts Council England", "the Children in Care Council" are no councils.
COUNCIL_NAME = re.compile(r"\b((?:[A-Z][\w'’-]+ )+?)(?:County|City|Borough|District|Metropolitan Borough) Council\b|"
                          r"\b(?:London|Royal) Borough of ((?:[A-Z][\w'’-]+ ?)+)")
TITLED = re.compile(r"\b(?:Councillors?|Cllrs?|Mr|Mrs|Ms|Dr|Sir|Dame)\.? [A-Z][a-z]")
CAPITALISED_RUN = re.compile(r"[A-Z][\w'’&-]+(?:\s+(?:of|and|for|the)?\s*[A-Z][\w'’&-]+)+")
SHARE = re.compile(r"%|\bper ?cent\b|\b(?:half|quarter|third|fifth|tenth)s?\b|\bin (?:every )?\d+\b", re.I)
# "requiring improvement" is a rating only after "as" ('rated as "requiring improvement"'): "12 areas requiring
# improvement" is not one.
RATING = re.compile(r"\b(?:outstanding|good|requires?\s+improvement|inadequate|excellent|poor|red|amber|green)\b|"
                    r"(?:(?<=\bas )|(?<=\bas ['\"‘“]))requiring\s+improvement\b", re.I)
PERIOD = re.compile(r"\b((?:19|20)\d{2})(?:\s*[-/–]\s*((?:19|20)?\d{2})|\s+to\s+((?:19|20)\d{2}))?\b|"
                    r"\b(\d{2})/(\d{2})\b")
NOT_NAMES = {"what", "when", "who", "how", "which", "why", "where", "is", "are", "did", "does", "do", "was", "were",
             "and", "has", "have", "can", "tell", "apart", "i", "january", "february", "march", "april", "may", "june",
             "july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday",
             "thursday", "friday", "saturday", "sunday", "councillor", "councillors", "cllr", "mr", "mrs", "ms", "dr",
             "q1", "q2", "q3", "q4"}


MAX_SPAN_YEARS = 10  # "2022-2027" is a strategy's span; "2019-2045" is two years, not one period

@lru_cache(maxsize=16384)  # every candidate sentence is read again for each question that retrieves it
def periods(text: str) -> frozenset[tuple[int, int]]:
    """Years, financial years and spans of years as (start, end): '2019-20', '2019/2020' and '19/20' are all
    (2019, 2020); 'the Carers Strategy 2022-2027' is (2022, 2027); a single year is (2024, 2024)."""
    found = set()
    for m in PERIOD.finditer(text):
        if m.group(1):
            start = int(m.group(1))
            end = m.group(2) or m.group(3)
            if end is None:
                found.add((start, start))
                continue
            end = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
            found.add((start, end) if start < end <= start + MAX_SPAN_YEARS else (start, start))
        else:
            start, end = 2000 + int(m.group(4)), 2000 + int(m.group(5))
            if end == start + 1:
                found.add((start, end))
    return frozenset(found)


def periods_agree(asked: Set[tuple[int, int]], stated: Set[tuple[int, int]]) -> bool:
    """A year asked agrees with a financial year or span holding it, and a year stated with the one asked about."""
    if not asked or not stated:
        return True
    for a in asked:
        for s in stated:
            if a == s or (a[0] == a[1] and s[0] <= a[0] <= s[1]) or (s[0] == s[1] and a[0] <= s[0] <= a[1]):
                return True
    return False


@lru_cache(maxsize=16384)
def has_figure(text: str) -> bool:
    """A number that is not a year, nor part of a date or a time ("16 July 2025", "2025-09-23", "10.00 am")."""
    return any(not YEAR_ONLY.match(m.group(0)) for m in NUMBER.finditer(DATE_OR_TIME.sub(" ", text)))
