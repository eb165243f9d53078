"""A question that asks for the rows of a table holding a value ("Which workforce actions are rated red?",
"List the retention actions") is answered with every such row of the table it is about. The answer is a set of
rows, which the selector, judging each row by how well it alone answers, cannot give (issue 19).

The reading is exact and narrow, so it needs no learned probability (docs/selection.md step 13):
- the question asks for rows, not one value (ASKS_ONE), names no row of the table by its reference, and negates nothing
  ("Which actions are not complete?" is left to the selector, never inverted by a guess);
- a table read for the question, taken whole (a long table is stored in several passages, each under its
  header), has columns whose values repeat (a RAG status, a theme, an owner of several actions), and the question
  names one or more of their values (names_value, other_names), each held by some rows but not all. Rows must
  hold a named value in every column named ("Which recruitment actions are rated red?"), any of those named in
  one column ("red or amber"); none holding them all, the reading gives way;
- a word of the question other than the values and the places it names is a word of the table's title, section
  or header ("workforce", "actions"); the places it names are in the title, section or publisher, not only in a
  cell; a period it names is the one the title states or the document's date falls in (a tracker says how
  things stand on its date); and the service (children's or adults') is not the other one;
- a question about what the inspector found takes only the inspector's tables.
Of the tables that qualify, those naming the most columns, then holding the most of the question's other words,
are used ("Which actions are rated red?" over two action plans lists both); of two with the same header in
different documents (two versions of one tracker), only the newer."""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from evidence_bot.answer.features import Candidate, metadata_text, names_share, period_agreement
from evidence_bot.answer.question import QuestionProfile, services_named
from evidence_bot.models import Passage, SearchHit
from evidence_bot.text.lexical import codes, content_words, same_word, words
from evidence_bot.text.speakers import INSPECTOR
from evidence_bot.text.units import CELL
from evidence_bot.tuning import MAX_LIST_ROWS

# A question asking for one value ("Who owns…?", "When is… due?", "What is the rating of…?", "Is A1 red?") is not
# a list, even when it names a status; any other question naming values a table's rows share asks for those rows
# ("Which…", "List…", "Can you pull out the actions assigned to…").
ASKS_ONE = re.compile(r"^\W*(?:who|whom|whose|when|where|why|how|is|are|was|were|has|have|had|does|do|did|"
                      r"(?:can|could|will|would)(?!\s+you\b)|should|tell me (?:whether|if))\b|"
                      r"^\W*(?:what|which)(?:['’]s|\s+is|\s+was)\s+(?:the|its|their|our|his|her)\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:not|no|never|none|nothing|outstanding|incomplete|unfinished|without|yet to)\b|n['’]t\b",
                      re.IGNORECASE)
# The BRAG convention of public-sector trackers: a status is named by its colour or by what the colour means.
# Only the pairs every key we have read agrees on (amber is also "some slippage", green also "complete").
RAG_MEANINGS = {"red": "off track", "amber": "at risk", "green": "on track", "blue": "complete"}
UnitsOf = Callable[[list[SearchHit]], list[Candidate]]  # reading.candidate_units, with whose words each is


@dataclass
class Table:
    """One whole table read for the question: its pieces, in order, and the values the question names in it."""
    pieces: list[SearchHit]
    named: dict[int, set[str]] = field(default_factory=dict)  # column -> values named (lower-case)
    relevance: float = 0.0  # the share of the question's other words among the title's, section's and header's

    @property
    def header(self) -> str:
        return self.pieces[0].passage.text.split("\n")[0]

    def rows(self) -> list[str]:
        return [row for piece in self.pieces for row in piece.passage.text.split("\n")[1:]]

    def holds(self, row: str) -> bool:
        """The row holds a named value in every column named."""
        return all(cell(row, column).lower() in values for column, values in self.named.items())


@dataclass
class Listed:
    """The rows that answer, in table order, the passages cited (the hits, then other pieces of the tables), and
    whether rows were left out (more than MAX_LIST_ROWS)."""
    cited: list[SearchHit]
    rows: list[Candidate]
    cut: bool = False


def filtered_rows(question: str, profile: QuestionProfile, hits: list[SearchHit],
                  table_of: Callable[[Passage], list[Passage]], units_of: UnitsOf) -> Listed:
    """The answer to a question asking for the rows holding some values; no rows when it asks no such thing or
    no table qualifies. table_of: the passages of a passage's whole table."""
    if ASKS_ONE.search(question):
        return Listed(hits, [])
    tables = [t for t in (asked_of(question, profile, t) for t in whole_tables(profile, hits, table_of)) if t]
    if not tables:
        return Listed(hits, [])
    best = max((len(t.named), t.relevance) for t in tables)
    chosen = newest([t for t in tables if (len(t.named), t.relevance) == best])
    cited, rows = list(hits), []
    for order, table in enumerate(chosen):
        places = [cite(cited, piece) for piece in table.pieces]
        units = units_of([cited[i] for i in places])
        rows += [(order, c.hit_index, c.start, replace(c, hit_index=places[c.hit_index])) for c in units
                 if table.holds(c.text.split("\n")[-1])]
    listed = [row for *_, row in sorted(rows, key=lambda r: r[:3])]
    if not listed or (profile.asks_inspector and any(c.source != INSPECTOR for c in listed)):
        return Listed(hits, [])
    return Listed(cited, listed[:MAX_LIST_ROWS], len(listed) > MAX_LIST_ROWS)


def whole_tables(profile: QuestionProfile, hits: list[SearchHit],
                 table_of: Callable[[Passage], list[Passage]]) -> list[Table]:
    """Each table passage read, with the rest of its table, once per table, in reading order; tables whose
    document disagrees with the question left out."""
    by_id = {hit.passage.id: hit for hit in hits}
    tables: list[Table] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.passage.kind != "table" or hit.passage.id in seen or not agrees(profile, hit):
            continue
        passages = table_of(hit.passage) or [hit.passage]
        seen.update(p.id for p in passages)
        tables.append(Table([by_id.get(p.id) or SearchHit(p, hit.meta, 0.0) for p in passages]))
    return tables


def asked_of(question: str, profile: QuestionProfile, table: Table) -> Table | None:
    """The table with the values the question names in it and how much of the question's other words its title,
    section and header hold; None when it names none, negates one, names a row by its reference or a place the
    table's document is not about, or its other words do not name the table."""
    rows, asked = table.rows(), words(question)
    cells = {c.strip().lower() for row in rows for c in row.split(CELL)}
    if any(code.lower() in cells for code in codes(question)):
        return None  # the question names one row by its reference ("For action A1, is it red or amber?")
    named = named_values(asked, table.header, rows)
    said = {w for value in set().union(*named.values()) for name in {value} | other_names(value) for w in words(name)}
    if not named or NEGATION.search(" ".join(w for w in asked if w not in said)):
        return None
    places = [name for name in profile.names if not set(words(name)) <= said]
    if names_share(places, metadata_text(table.pieces[0])) < (1.0 if places else 0.0):
        return None  # a place the question names is not what the table's document is about
    place_words = {w for name in profile.names for w in words(name)}
    others = [w.lower() for w in content_words(question) if w.lower() not in said | place_words]
    context = words(f"{metadata_text(table.pieces[0])} {table.header}")
    relevance = sum(any(same_word(w, c) for c in context) for w in others) / max(len(others), 1)
    return Table(table.pieces, named, relevance) if relevance > 0 else None


def named_values(asked: list[str], header: str, rows: list[str]) -> dict[int, set[str]]:
    """By column, the values the question's words name (lower-case), in columns whose values repeat, each held
    by some rows but not all; a value named inside another named value of its column counts as the longer
    ("still not implemented" is not also "implemented")."""
    named: dict[int, set[str]] = {}
    for column in range(len(header.split(CELL))):
        values = Counter(cell(row, column).lower() for row in rows)
        if len(rows) < 2 or max(values.values(), default=0) < 2:
            continue  # no value repeats: a column of names or figures, not of categories
        names = {value: other_names(value) for value in values}
        shared = Counter(name for value in values for name in names[value])
        found = {value for value, count in values.items() if count < len(rows) and re.search("[a-z]", value)
                 and content_words(value) and (names_value(value, asked) or any(
                     shared[n] == 1 and names_value(n, asked) for n in names[value]))}
        longest = {v for v in found if not any(v != w and names_value(v, words(w)) for w in found)}
        if longest:
            named[column] = longest
    return named


def newest(tables: list[Table]) -> list[Table]:
    """Of tables with the same header in different documents, versions of one tracker, only the newest (by its
    document's date); tables of different headers all stay, in reading order."""
    latest: dict[str, Table] = {}
    for table in tables:
        known = latest.get(table.header)
        if known is None or (table.pieces[0].meta.date or "") > (known.pieces[0].meta.date or ""):
            latest[table.header] = table
    return [t for t in tables if latest[t.header] is t]


def cite(cited: list[SearchHit], hit: SearchHit) -> int:
    """The hit's place among the passages cited, added at the end if it is not there yet."""
    for index, known in enumerate(cited):
        if known is hit:
            return index
    cited.append(hit)
    return len(cited) - 1


def other_names(value: str) -> set[str]:
    """What else names a cell's value: each part of a value glossed in its cell ("Red - Off track", "Amber (at
    risk)"), and a status's RAG colour or the colour's meaning (RAG_MEANINGS). A part that several values of a
    column share names none of them (named_values). Not the parts of a list ("Head of Service, Children in Care"
    is not named by "children in care", which is more often the topic asked about)."""
    parts = {part.strip() for part in re.split(r"\s+[-–—]\s+|\s*[()]\s*", value)} - {"", value}
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


def cell(row: str, column: int) -> str:
    """The row's cell in `column` (the row line, or a unit "header\\nrow"); empty when the row is shorter."""
    cells = row.split("\n")[-1].split(CELL)
    return cells[column].strip() if column < len(cells) else ""


def dated_in(date: str | None, period: tuple[int, int]) -> bool:
    """The document's date (ISO, or its year and month) falls in the period: a year, a financial year (2024/25:
    April 2024 to March 2025) or a span of years."""
    if not date or not date[:4].isdigit():
        return False
    start, end = period
    if end == start + 1:
        return f"{start}-04" <= date[:7] <= f"{end}-03-31"
    return start <= int(date[:4]) <= end


def agrees(profile: QuestionProfile, hit: SearchHit) -> bool:
    """Its document may answer: a period the question names is the one the title or section states, or, when they
    state none, the one the document's date falls in (cells hold due dates, not the date the statuses were read);
    and the document is not about the other service than the one asked about (an adults' dashboard for
    "children's services")."""
    about = metadata_text(hit)
    asked = profile.constraints.asked_periods
    stated = period_agreement(asked, about)  # 0: the title and section state no period
    if asked and (stated < 0 or (stated == 0 and not any(dated_in(hit.meta.date, p) for p in asked))):
        return False
    services = {hit.meta.service} if hit.meta.service in ("children", "adults") else services_named(about)
    return not (len(profile.services) == 1 and len(services) == 1 and services != profile.services)
