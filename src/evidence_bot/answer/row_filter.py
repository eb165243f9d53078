"""A question that asks for the rows of a table holding a value ("Which workforce actions are rated red?",
"List the retention actions") is answered with every such row of the table it is about. The answer is a set of
rows, which the selector, judging each row by how well it alone answers, cannot give (issue 19).

The reading is exact and narrow, so it needs no learned probability (docs/selection.md, "Rows a question
filters"):
- the question asks for a list (ASKS_ROWS);
- a table read for the question has a column whose values repeat (a RAG rating, a theme, an owner of several
  actions), and the question names one of them whole ("red", "Retention"), held by some rows but not all;
- a word of the question beside that value is in the table's title, section or header ("workforce", "actions"),
  and the places and periods the question names agree with the table and its document;
- a question about what the inspector found takes only the inspector's tables.
Among the tables that qualify, those whose title, section and header hold most of the question's other words
are used ("Which actions are rated red?" over two action plans lists the red rows of both), in reading order."""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from evidence_bot.answer.features import (
    Candidate,
    coverage,
    document_year_agreement,
    metadata_text,
    names_share,
    period_agreement,
    stem,
)
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.models import SearchHit
from evidence_bot.text.lexical import content_words, words
from evidence_bot.text.speakers import INSPECTOR
from evidence_bot.text.units import CELL
from evidence_bot.tuning import MAX_LIST_ROWS

# "Which actions…", "List the…", "Name the…", "What actions are…", "What indicators does the scorecard…",
# "Show me every…"; not "What is…" (one value) nor "What does…".
ASKS_ROWS = re.compile(r"^\W*(?:which|list|name|show)\b|"
                       r"^\W*what\s+(?:\w+\s+){1,3}(?:are|were|have|has|had|do|does|did)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RowFilter:
    """The rows of one read table whose cell in `column` is `value`."""
    hit_index: int
    column: int
    value: str
    relevance: float  # the share of the question's other words in the table's title, section and header


def filtered_rows(question: str, profile: QuestionProfile, items: Sequence[Candidate],
                  hits: list[SearchHit]) -> list[Candidate]:
    """The rows that answer a question asking for the rows holding a value, in table order (at most
    MAX_LIST_ROWS); none when the question asks no such thing or no read table qualifies."""
    if not ASKS_ROWS.search(question):
        return []
    filters = [f for index, hit in enumerate(hits) if hit.passage.kind == "table"
               and agrees(profile, hit) for f in table_filters(question, index, hit)]
    if not filters:
        return []
    best = max(f.relevance for f in filters)
    chosen = {(f.hit_index, f.column, f.value) for f in filters if f.relevance == best}
    rows = [c for c in items if any(c.hit_index == index and cell(c.text, column).lower() == value
                                    for index, column, value in chosen)]
    if profile.asks_inspector and any(c.source != INSPECTOR for c in rows):
        return []
    return rows[:MAX_LIST_ROWS]


def table_filters(question: str, hit_index: int, hit: SearchHit) -> list[RowFilter]:
    """Each column of the table whose values repeat and one of whose values the question names whole (held by
    some rows, not all), when the question's other words name the table."""
    header, *rows = hit.passage.text.split("\n")
    asked = words(question)
    found = []
    for column in range(len(header.split(CELL))):
        values = Counter(cell(f"{header}\n{row}", column).lower() for row in rows)
        if len(rows) < 2 or max(values.values(), default=0) < 2:
            continue  # no value repeats: a column of names or figures, not of categories
        for value, count in values.items():
            if count < len(rows) and re.search("[a-z]", value) and content_words(value) and names_value(value, asked):
                others = {w: 1.0 for w in content_words(question) if w.lower() not in value.split()}
                relevance = coverage(others, f"{metadata_text(hit)} {header}")
                if relevance > 0:
                    found.append(RowFilter(hit_index, column, value, relevance))
    return found


def names_value(value: str, asked: list[str]) -> bool:
    """The question's words (lexical.words) hold the value's words in a row, an inflection aside ("completed"
    names "Complete", "carers" names "Carer")."""
    wanted = words(value)
    return bool(wanted) and any(all(same_word(a, b) for a, b in zip(wanted, asked[i:i + len(wanted)]))
                                for i in range(len(asked) - len(wanted) + 1))


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
    """The places the question names are in the table or its document's title, section or publisher, and no
    period it or its document's date states is another than the one asked about."""
    context = f"{hit.passage.text} {metadata_text(hit)}"
    asked = profile.constraints.asked_periods
    return names_share(profile.names, context) == (1.0 if profile.names else 0.0) \
        and period_agreement(asked, context) >= 0 and document_year_agreement(asked, hit.meta.date) >= 0
