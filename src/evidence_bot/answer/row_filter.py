"""A question that asks for the rows of a table holding a value ("Which workforce actions are rated red?",
"List the retention actions") is answered with every such row of the table it is about. The answer is a set of
rows, which the selector, judging each row by how well it alone answers, cannot give (issue 19).

The reading is exact and narrow, so it needs no learned probability (docs/selection.md, "Rows a question
filters"):
- the question asks for rows, not one value (ASKS_ONE);
- a table read for the question, taken whole (a long table is stored in several passages, each under the
  header), has a column whose values repeat (a RAG rating, a theme, an owner of several actions), and the
  question names one of them ("red", "Retention", "not yet started" for "Not started", "red" for "Red - Off
  track" or for "Off track"), held by some rows but not all;
- a word of the question other than the value and the places it names is in the table's title, section or
  header ("workforce", "actions"), and the places, periods and service (children's or adults') the question
  names agree with the table and its document;
- a question about what the inspector found takes only the inspector's tables.
Among the tables that qualify, those whose title, section and header hold most of the question's other words
are used ("Which actions are rated red?" over two action plans lists the red rows of both), in reading order."""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from evidence_bot.answer.features import (
    Candidate,
    coverage,
    document_year_agreement,
    metadata_text,
    names_share,
    period_agreement,
    stem,
)
from evidence_bot.answer.question import QuestionProfile, services_named
from evidence_bot.models import Passage, SearchHit
from evidence_bot.text.lexical import content_words, words
from evidence_bot.text.speakers import INSPECTOR
from evidence_bot.text.units import CELL
from evidence_bot.tuning import MAX_LIST_ROWS

# A question asking for one value ("Who owns…?", "When is… due?", "What is the rating of…?") is not a list,
# even when it names a status; any other question naming a value a table's rows share asks for those rows
# ("Which…", "List…", "Can you pull out the actions assigned to…", "Of the actions on X, which…").
ASKS_ONE = re.compile(r"^\W*(?:who|whom|whose|when|where|why|how)\b|"
                      r"^\W*(?:what|which)(?:['’]s|\s+is|\s+was)\s+(?:the|its|their|our|his|her)\b", re.IGNORECASE)
# The BRAG convention of public-sector trackers: a status is named by its colour or by what the colour means.
# Only the pairs every key we have read agrees on (amber is also "some slippage", green also "complete").
RAG_MEANINGS = {"red": "off track", "amber": "at risk", "green": "on track", "blue": "complete"}
UnitsOf = Callable[[list[SearchHit]], list[Candidate]]  # extractive.candidate_units, with whose words each is


@dataclass(frozen=True)
class RowFilter:
    """The rows of one whole table whose cell in `column` is `value`."""
    table: int  # its place among the question's tables
    column: int
    value: str
    relevance: float  # the share of the question's other words in the table's title, section and header


def filtered_rows(question: str, profile: QuestionProfile, hits: list[SearchHit],
                  table_of: Callable[[Passage], list[Passage]], units_of: UnitsOf) -> tuple[list[SearchHit],
                                                                                          list[Candidate]]:
    """For a question asking for the rows holding a value: the passages to cite (hits, then the rest of each
    table read) and the rows that answer, in table order (at most MAX_LIST_ROWS); no rows when the question asks
    no such thing or no table qualifies. table_of: the passages of a passage's whole table."""
    if ASKS_ONE.search(question):
        return hits, []
    tables = whole_tables(profile, hits, table_of)
    filters = [f for index, table in enumerate(tables) for f in table_filters(question, profile, index, table)]
    if not filters:
        return hits, []
    best = max(f.relevance for f in filters)
    chosen = [f for f in filters if f.relevance == best]
    cited = list(hits)
    rows: list[Candidate] = []
    for f in chosen:
        parts = [cite(cited, part) for part in tables[f.table]]
        units = units_of([cited[i] for i in parts])
        rows += [replace(c, hit_index=parts[c.hit_index]) for c in units
                 if cell(c.text, f.column).lower() == f.value]
    if profile.asks_inspector and any(c.source != INSPECTOR for c in rows):
        return hits, []
    return cited, sorted(rows, key=lambda c: (c.hit_index, c.start))[:MAX_LIST_ROWS]


def cite(cited: list[SearchHit], hit: SearchHit) -> int:
    """The hit's place among the passages cited, added at the end if it is not there yet."""
    for index, known in enumerate(cited):
        if known is hit:
            return index
    cited.append(hit)
    return len(cited) - 1


def whole_tables(profile: QuestionProfile, hits: list[SearchHit],
                 table_of: Callable[[Passage], list[Passage]]) -> list[list[SearchHit]]:
    """Each table passage read, with the rest of its table (the same document's neighbouring table passages
    under the same header), once per table, in reading order; tables that disagree with the question left out."""
    by_id = {hit.passage.id: hit for hit in hits}
    tables: list[list[SearchHit]] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.passage.kind != "table" or hit.passage.id in seen or not agrees(profile, hit):
            continue
        passages = table_of(hit.passage) or [hit.passage]
        seen.update(p.id for p in passages)
        tables.append([by_id.get(p.id) or SearchHit(p, hit.meta, 0.0) for p in passages])
    return tables


def table_filters(question: str, profile: QuestionProfile, index: int, table: list[SearchHit]) -> list[RowFilter]:
    """Each column of the table whose values repeat and one of whose values the question names (held by some
    rows, not all), when the question's other words name the table."""
    header = table[0].passage.text.split("\n")[0]
    rows = [row for hit in table for row in hit.passage.text.split("\n")[1:]]
    asked = words(question)
    named = {w for name in profile.names for w in words(name)}
    found = []
    for column in range(len(header.split(CELL))):
        values = Counter(cell(f"{header}\n{row}", column).lower() for row in rows)
        if len(rows) < 2 or max(values.values(), default=0) < 2:
            continue  # no value repeats: a column of names or figures, not of categories
        names = {value: other_names(value) for value in values}
        shared = Counter(name for value in values for name in names[value])
        for value, count in values.items():
            if count < len(rows) and re.search("[a-z]", value) and content_words(value) and (
                    names_value(value, asked) or any(shared[n] == 1 and names_value(n, asked) for n in names[value])):
                others = {w: 1.0 for w in content_words(question) if w.lower() not in set(words(value)) | named}
                relevance = coverage(others, f"{metadata_text(table[0])} {header}")
                if relevance > 0:
                    found.append(RowFilter(index, column, value, relevance))
    return found


def other_names(value: str) -> set[str]:
    """What else names a cell's value: each part of a value glossed in its cell ("Red - Off track", "Amber (at
    risk)", "Service Manager, MASH"), and a status's RAG colour or the colour's meaning (RAG_MEANINGS). A part
    that several values share names none of them (table_filters)."""
    parts = {part.strip() for part in re.split(r"\s+[-–—]\s+|\s*[(),/;]\s*", value)} - {"", value}
    names = {part for part in parts if re.search("[a-z]", part)}
    colours = {meaning: colour for colour, meaning in RAG_MEANINGS.items()}
    for name in {value} | names:
        names |= {RAG_MEANINGS[name]} if name in RAG_MEANINGS else {colours[name]} if name in colours else set()
    return names - {value}


def names_value(value: str, asked: list[str]) -> bool:
    """The question's words (lexical.words) hold the value's words in order, an inflection aside ("completed"
    names "Complete", "carers" names "Carer"), with at most one word between two of them ("not yet started"
    names "Not started")."""
    wanted = words(value)
    return bool(wanted) and any(follows(wanted, asked[start:]) for start in range(len(asked)))


def follows(wanted: list[str], asked: list[str]) -> bool:
    """The first asked word is the first wanted one, and each next wanted word comes next or one word later."""
    if not asked or not same_word(wanted[0], asked[0]):
        return False
    if len(wanted) == 1:
        return True
    return follows(wanted[1:], asked[1:]) or (len(asked) > 2 and follows(wanted[1:], asked[2:]))


def same_word(a: str, b: str) -> bool:
    """Equal, or equal in their light stems; a word of five letters or more may also carry a suffix the other
    lacks ("complete", "completed"). Short words must be equal in stem: "red" is not "reduce"."""
    if a == b or stem(a) == stem(b):
        return True
    return min(len(a), len(b)) >= 5 and (a.startswith(stem(b)) or b.startswith(stem(a)))


def cell(unit: str, column: int) -> str:
    """The row's cell in `column` (a unit is "header\\nrow"); empty when the row is shorter."""
    cells = unit.split("\n")[-1].split(CELL)
    return cells[column].strip() if column < len(cells) else ""


def agrees(profile: QuestionProfile, hit: SearchHit) -> bool:
    """The places the question names are in the table or its document's title, section or publisher; no period
    it or its document's date states is another than the one asked about; and its document is not about the
    other service than the one asked about (an adults' dashboard for "children's services")."""
    context = f"{hit.passage.text} {metadata_text(hit)}"
    asked = profile.constraints.asked_periods
    services = {hit.meta.service} if hit.meta.service in ("children", "adults") else services_named(metadata_text(hit))
    return names_share(profile.names, context) == (1.0 if profile.names else 0.0) \
        and period_agreement(asked, context) >= 0 and document_year_agreement(asked, hit.meta.date) >= 0 \
        and not (len(profile.services) == 1 and len(services) == 1 and services != profile.services)
