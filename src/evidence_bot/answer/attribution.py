"""Whose words, named in the answer: the lead-in before a document's first quoted statement.

A councillor reads answers aloud, so each quotation must say whose words it is and from which document. The
lead-in is made from the citation's own fields only (title, doc_type, date, publisher, source), so anyone holding
the citation can rebuild it exactly; grounding.py strips exactly that text, and nothing else, before it checks
that the statement is the passage's own words. The rule:

1. Whose words: the citation's `source` (speakers.py); the document's own source is the one its type and
   publisher give (speakers.document_source). When they differ, the speaker is "reported" by the document:
   'The inspector, as reported in "<title>" (...):' (an inspector quoted in the news or in minutes).
2. Otherwise the document speaks for itself: 'The inspector's report "<title>" (...) says:' (a CQC or Ofsted
   press release: 'The inspector's press release'), 'The council's own account in "<title>" (...) says:',
   'The minutes "<title>" (...) record:' (a committee's other papers: 'The committee paper'),
   'The press report "<title>" (...) says:', and for anything else '"<title>" (...) says:'. The framework's
   own wording on an inspector's page (speakers.py, rule 0) is never the inspector's finding: 'The standard the
   inspector assesses against, as set out in "<title>" (...):'.
3. The parenthesis holds the publisher, unless the title already names it, and the date in words
   ("17 May 2024", "May 2024", "2024"), unless the title already holds it; with neither it is left out.
4. A title over 120 characters is cut at a word boundary (before an unclosed parenthesis when that keeps most
   of it) and ends "…". Square brackets in a title or publisher become round ones and double quotes single
   ones, so a lead-in never holds a citation marker ("[2]") nor breaks its own quotation marks.
"""

import re
from datetime import date

from evidence_bot.models import Citation, SearchHit
from evidence_bot.text import speakers
from evidence_bot.text.speakers import (
    COMMITTEE,
    COUNCIL,
    FRAMEWORK,
    INSPECTOR,
    PRESS,
    SOURCES,
    document_source,
    sentence_source,
)

MAX_TITLE_CHARS = 120
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SPEAKERS = {INSPECTOR: "The inspector", COUNCIL: "The council", COMMITTEE: "The committee", PRESS: "The press"}
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def lead_in(citation: Citation) -> str:
    """'The inspector's report "<title>" (<publisher>, 17 May 2024) says:' and the like (the rule above)."""
    title = short_title(clean(citation.title) or clean(citation.document) or "untitled")
    publisher = clean(citation.publisher)
    document = document_source(citation.doc_type, publisher)
    speaker = citation.source if citation.source in SOURCES else document
    details = [part for part in (publisher, date_in_words(citation.date)) if part and part.lower() not in title.lower()]
    named = f'"{title}"' + (f" ({', '.join(details)})" if details else "")
    if speaker == FRAMEWORK:
        return f"The standard the inspector assesses against, as set out in {named}:"
    if speaker != document and speaker in SPEAKERS:
        return f"{SPEAKERS[speaker]}, as reported in {named}:"
    if speaker == INSPECTOR:
        kind = "press release" if citation.doc_type == "news" else "report"
        return f"The inspector's {kind} {named} says:"
    if speaker == COUNCIL:
        return f"The council's own account in {named} says:"
    if speaker == COMMITTEE:
        return (f"The minutes {named} record:" if citation.doc_type == "minutes"
                else f"The committee paper {named} says:")
    if speaker == PRESS:
        return f"The press report {named} says:"
    return f"{named} says:"  # OTHER


def clean(text: str | None) -> str:
    """One line, square brackets made round, double quotes made single: safe inside the lead-in."""
    text = " ".join((text or "").split())
    return text.translate(str.maketrans(dict[str, str | int | None]({"[": "(", "]": ")", '"': "'"})))


def short_title(title: str, limit: int = MAX_TITLE_CHARS) -> str:
    """The title, or its first `limit` characters cut at a word boundary and ended with '…'."""
    if len(title) <= limit:
        return title
    cut = title[:limit]
    if title[limit] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    opened = cut.rfind("(")
    if cut.count("(") > cut.count(")") and opened >= limit // 2:  # "... transitions (third-party copy of the"
        cut = cut[:opened]
    return cut.rstrip(" ,;:-–—(") + "…"


def date_in_words(value: str | None) -> str:
    """'2024-05-17' -> '17 May 2024', '2024-05' -> 'May 2024', '2024' -> '2024'; anything else -> ''."""
    match = _DATE.fullmatch((value or "").strip())
    if not match:
        return ""
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))  # a real day: not 2024-13 or 2024-02-30
    except ValueError:
        return ""
    if month is None:
        return year
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}" if day else f"{MONTHS[int(month) - 1]} {year}"


def unit_sources(hit: SearchHit, units: list[tuple[int, str]], preceding: str = "") -> list[str]:
    """Whose words each unit of the hit's passage holds (speakers.unit_sources); preceding: the text of the
    document's passage before it, where a quotation or list it continues may begin."""
    return speakers.unit_sources(hit.passage.text, hit.passage.kind, hit.meta.doc_type, hit.meta.publisher,
                                 hit.meta.title, preceding, hit.passage.section)


def text_source(text: str, hit: SearchHit) -> str:
    """Whose words a piece of the hit's passage holds, read on its own (the llm mode's quoted sentences)."""
    return sentence_source(text, document_source(hit.meta.doc_type, hit.meta.publisher), reports_inspection(hit))


def reports_inspection(hit: SearchHit) -> bool:
    return speakers.reports_an_inspection(hit.meta.doc_type, hit.meta.title)
