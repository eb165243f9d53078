"""The gap view: for every statement of a framework, how well the evidence covers it, and a RAG rating.

The rating rule (RULE below, written from its numbers) is shown to the user with every report:
- red: no evidence at all; or it rests on the council's own claims alone and the latest of it is older
  than STALE_MONTHS;
- green: at least GREEN_PASSAGES distinct passages from at least GREEN_DOCUMENTS documents, corroborated by
  something independent of the council, with outcome data, the latest within STALE_MONTHS;
- amber: anything between.

Independent of the council: an inspection report, minutes (Cabinet and scrutiny members testing the
service), news reporting, and people's or partners' feedback recorded outside the council's own
self-assessment and action plans."""

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from evidence_bot.evidence.frameworks.findings import ClaimCheck, Quote, Sentence, flags, side_by_side
from evidence_bot.evidence.frameworks.framework import Framework, Statement
from evidence_bot.models import PassageOrigin
from evidence_bot.search.duplicates import first_copies
from evidence_bot.tuning import DUPLICATE_CONTAINMENT, GAP_STRONGEST, GREEN_DOCUMENTS, GREEN_PASSAGES, STALE_MONTHS

RULE = (f"Red: no evidence, or only the council's own claims and the latest older than {STALE_MONTHS} months. "
        f"Green: {GREEN_PASSAGES} or more distinct passages from {GREEN_DOCUMENTS} or more documents, corroborated "
        f"independently, with outcome data, the latest within {STALE_MONTHS} months. Amber: everything between.")
OWN_CLAIMS = {"self_assessment", "action_plan"}
INDEPENDENT_TYPES = {"inspection_report", "minutes", "news"}
INDEPENDENT_CATEGORIES = {"people", "partners"}
Rating = Literal["red", "amber", "green"]


@dataclass
class EvidencePassage(PassageOrigin):
    section: str | None
    category: str | None
    score: float
    text: str
    independent: bool
    also_in: list[str] = field(default_factory=list)


@dataclass
class StatementGaps:
    id: str
    name: str
    theme: str
    rating: Rating
    passages: int  # distinct passages (renditions counted once)
    documents: int
    categories_present: list[str]
    categories_missing: list[str]
    latest: str | None
    corroborated: bool
    gaps: list[str]
    strongest: list[EvidencePassage]
    findings: list[Quote] = field(default_factory=list)  # the inspector's words (frameworks/findings.py)
    claims: list[ClaimCheck] = field(default_factory=list)  # the council's own, each checked


@dataclass
class GapReport:
    framework: str
    name: str
    as_of: str
    rule: str
    statements: list[StatementGaps]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_independent(doc_type: str | None, category: str | None) -> bool:
    if doc_type in INDEPENDENT_TYPES:
        return True
    return category in INDEPENDENT_CATEGORIES and doc_type not in OWN_CLAIMS


def months_between(earlier: str, later: date) -> int:
    """Whole months from a YYYY, YYYY-MM or YYYY-MM-DD date to a later day."""
    year = int(earlier[:4])
    month = int(earlier[5:7]) if len(earlier) >= 7 else 1
    return (later.year - year) * 12 + later.month - month


SentencesOf = Callable[[str, list[sqlite3.Row]], list[Sentence]]  # (statement id, its distinct rows) -> sentences


def gap_report(framework: Framework, rows: list[sqlite3.Row], groups: dict[str, str], as_of: date | None = None,
               sentences_of: SentencesOf | None = None) -> GapReport:
    """rows: MappingStore.statement_rows(framework.id), best first within each statement; groups: doc id ->
    rendition group (duplicates.rendition_groups), so one document in three formats counts once;
    sentences_of: the statement's sentences with whose words they are, for the findings beside the claims."""
    as_of = as_of or date.today()
    by_statement: dict[str, list[sqlite3.Row]] = {}
    for row in rows:
        by_statement.setdefault(row["statement"], []).append(row)
    return GapReport(framework.id, framework.name, as_of.isoformat(), RULE,
                     [statement_gaps(framework, s, by_statement.get(s.id, []), groups, as_of, sentences_of)
                      for s in framework.statements])


def statement_gaps(framework: Framework, statement: Statement, rows: list[sqlite3.Row], groups: dict[str, str],
                   as_of: date, sentences_of: SentencesOf | None = None) -> StatementGaps:
    evidence = distinct_passages(rows)
    kept = {e.passage_id for e in evidence}
    findings, claims = side_by_side(sentences_of(statement.id, [r for r in rows if r["passage_id"] in kept])
                                    if sentences_of and rows else [])
    present = sorted({e.category for e in evidence if e.category})
    missing = [c.id for c in framework.categories if c.id not in present]
    dates = [e.date for e in evidence if e.date]
    latest = max(dates, key=lambda d: d.ljust(10, "0")) if dates else None
    corroborated = any(e.independent for e in evidence) or bool(findings)  # an inspector quoted anywhere counts
    documents = len({groups.get(e.doc_id, e.doc_id) for e in evidence})
    stale = latest is None or months_between(latest, as_of) > STALE_MONTHS
    rating = rate(len(evidence), documents, corroborated, "outcomes" in present, stale)
    notes = gap_notes(framework, evidence, documents, present, corroborated, latest, stale, as_of)
    return StatementGaps(statement.id, statement.name, statement.theme, rating, len(evidence), documents, present,
                         missing, latest, corroborated, notes + flags(findings, claims), evidence[:GAP_STRONGEST],
                         findings, claims)


def distinct_passages(rows: list[sqlite3.Row]) -> list[EvidencePassage]:
    items = [(r["doc_id"], r["text"]) for r in rows]
    result = []
    for position, others in first_copies(items, DUPLICATE_CONTAINMENT):
        r = rows[position]
        result.append(EvidencePassage(r["passage_id"], r["doc_id"], r["title"] or r["doc_id"], r["doc_type"], r["date"],
                                      r["page"], r["section"], r["category"], round(r["score"], 3), r["text"],
                                      is_independent(r["doc_type"], r["category"]), others))
    return result


def rate(passages: int, documents: int, corroborated: bool, outcomes: bool, stale: bool) -> Rating:
    if passages == 0 or (not corroborated and stale):
        return "red"
    if passages >= GREEN_PASSAGES and documents >= GREEN_DOCUMENTS and corroborated and outcomes and not stale:
        return "green"
    return "amber"


def gap_notes(framework: Framework, evidence: list[EvidencePassage], documents: int, present: list[str],
              corroborated: bool, latest: str | None, stale: bool, as_of: date) -> list[str]:
    if not evidence:
        return ["no evidence mapped to this statement"]
    names = {c.id: c.name for c in framework.categories}
    notes = []
    if "outcomes" in names and "outcomes" not in present:
        notes.append("no outcome data")
    if "people" in names and "people" not in present:
        notes.append(f"no {names['people'].lower()}")
    if not corroborated:
        notes.append("only self-reported: nothing independent of the council corroborates it")
    if documents == 1:
        notes.append("evidence from one document only")
    if latest is None:
        notes.append("no dated evidence")
    elif stale:
        notes.append(f"latest evidence ({latest}) older than {STALE_MONTHS} months on {as_of.isoformat()}")
    return notes
