"""Findings beside claims: for each statement, what the inspector found and what the council's own documents
claim, sentence by sentence with citations, and where the two part.

- A finding is a sentence in the inspector's words (speakers.py: a CQC or Ofsted page, or their words quoted
  in the news or in minutes) of a passage filed under the statement.
- A claim is a sentence in the council's own words in its self-assessment or action plan, filed likewise.
- Either is quoted for a statement only when the statement is among the nearest to the sentence itself
  (within FINDING_NEAR of its best): a news passage listing six findings quotes each under its own statement.
- A claim is supported when an independent sentence filed under the statement (the inspector's, a
  committee's, the press's, or people's and partners' feedback outside the council's own documents) means much
  the same (similarity at least CLAIM_SUPPORT_SIMILARITY) and its figures do not differ (figures_differ). It
  differs from a finding close in meaning (at least FINDING_DIFFERS) that gives other figures or reports a
  shortfall the claim does not.
  Otherwise it has no independent support. These are flags for a person to look at, with both quotes shown."""

import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

from evidence_bot.evidence.claims import figures
from evidence_bot.models import PassageOrigin
from evidence_bot.text import speakers
from evidence_bot.text.units import passage_units, unit_id
from evidence_bot.tuning import (
    CLAIM_SUPPORT_SIMILARITY,
    FINDING_DIFFERS,
    FINDING_NEAR,
    FINDINGS_SHOWN,
    MIN_SENTENCE_CHARS,
)

if TYPE_CHECKING:  # chromadb loads only when vectors are needed
    from evidence_bot.store.vectors import VectorStore

SUPPORTED: Final = "supported"
DIFFERS_FROM_FINDING: Final = "differs from the inspector's finding"
UNSUPPORTED: Final = "no independent support"
CheckStatus = Literal["supported", "differs from the inspector's finding", "no independent support"]
_SHORTFALL = re.compile(r"\b(?:not always|did not|didn't|were not|was not|wasn't|weren't|not yet|lack(?:ed|ing)?|"
                        r"inconsisten\w*|delays?|delayed|waiting|backlogs?|shortfalls?|concerns?|needs? to improve|"
                        r"needed to improve|too long|too many|limited|gaps?|poor|struggled|difficult|variable|"
                        r"requires? improvement|inadequate)\b", re.IGNORECASE)
_DENIED = re.compile(r"\b(?:no|not any|without|free of|few|fewer)\s+(?:\w+\s+)?$", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"\b(?:19|20)\d\d\s*[-/–]\s*(?:(?:19|20)\d\d|\d\d)\b")


@dataclass
class Quote(PassageOrigin):
    section: str | None
    text: str
    source: str  # speakers.SOURCES
    similarity: float  # to the statement


@dataclass
class ClaimCheck:
    claim: Quote
    status: CheckStatus  # SUPPORTED | DIFFERS_FROM_FINDING | UNSUPPORTED
    against: Quote | None  # the independent sentence that supports it, or the finding it differs from


@dataclass
class Sentence:
    quote: Quote
    vector: np.ndarray
    nearest: bool  # the statement is among the sentence's nearest statements


@dataclass
class ReadSentence:
    """A sentence of a mapped passage read once for the whole gap view: whose words, vector, and its cosine to
    every statement of the framework."""
    text: str
    source: str
    vector: np.ndarray
    similarities: np.ndarray


def passage_sentences(rows: list[sqlite3.Row], statement_vectors: np.ndarray, unit_store: "VectorStore",
                      preceding: dict[str, str]) -> dict[str, list[ReadSentence]]:
    """passage id -> its sentences worth quoting, for every passage of rows (MappingStore.statement_rows; a passage
    filed under three statements is read once); preceding: passage id -> the text before it."""
    passages = {row["passage_id"]: row for row in rows}
    units = [(pid, start, text, unit_id(pid, start)) for pid, row in passages.items()
             for start, text in passage_units(row["text"], row["kind"])]
    stored = unit_store.vectors([u[3] for u in units]) if units else {}
    sources = {pid: iter(speakers.unit_sources(row["text"], row["kind"], row["doc_type"], row["publisher"],
                                               row["title"], preceding.get(pid, ""), row["section"]))
               for pid, row in passages.items()}
    read: dict[str, list[ReadSentence]] = {pid: [] for pid in passages}
    for pid, _start, text, uid in units:
        source = next(sources[pid])  # one per unit, in order: advanced for every unit, kept or not
        # too short to be a finding or a claim, or an introduction ("Other findings included:")
        if uid not in stored or len(text.strip()) < MIN_SENTENCE_CHARS or text.rstrip().endswith(":"):
            continue
        vector = np.asarray(stored[uid], dtype=np.float32)
        read[pid].append(ReadSentence(" ".join(text.split()), source, vector, statement_vectors @ vector))
    return read


def statement_sentences(rows: list[sqlite3.Row], statement_index: int,
                        read: dict[str, list[ReadSentence]]) -> list[Sentence]:
    """The sentences of the passages filed under the statement (rows: its rows of MappingStore.statement_rows),
    each marked nearest when the statement is among the sentence's nearest statements."""
    result = []
    for row in rows:
        for s in read.get(row["passage_id"], []):
            quote = Quote(row["passage_id"], row["doc_id"], row["title"] or row["doc_id"], row["doc_type"],
                          row["date"], row["page"], row["section"], s.text, s.source,
                          round(float(s.similarities[statement_index]), 3))
            near = s.similarities[statement_index] >= s.similarities.max() - FINDING_NEAR
            result.append(Sentence(quote, s.vector, near))
    return result


def is_claim(s: Sentence) -> bool:
    return s.quote.doc_type in speakers.CLAIM_TYPES and s.quote.source == speakers.COUNCIL


def is_independent(s: Sentence) -> bool:
    """Evidence a claim can be checked against: not the council's own words, nor the framework's wording of the
    standard (the same on every council's page: it backs no claim)."""
    return s.quote.doc_type not in speakers.CLAIM_TYPES and s.quote.source not in (speakers.COUNCIL,
                                                                                     speakers.FRAMEWORK)


def side_by_side(sentences: list[Sentence]) -> tuple[list[Quote], list[ClaimCheck]]:
    """The statement's strongest findings and claims, each claim checked against the independent sentences."""
    findings = strongest([s for s in sentences if s.nearest and s.quote.source == speakers.INSPECTOR
                          and s.quote.doc_type not in speakers.CLAIM_TYPES])  # the council restating CQC is a claim
    claims = strongest([s for s in sentences if s.nearest and is_claim(s)])
    independent = [s for s in sentences if is_independent(s)]
    return [s.quote for s in findings], [check(claim, independent) for claim in claims]


def strongest(sentences: list[Sentence]) -> list[Sentence]:
    """The FINDINGS_SHOWN nearest the statement, one sentence text once (renditions of a document repeat it)."""
    chosen, seen = [], set()
    for s in sorted(sentences, key=lambda s: -s.quote.similarity):
        if s.quote.text not in seen:
            seen.add(s.quote.text)
            chosen.append(s)
        if len(chosen) == FINDINGS_SHOWN:
            break
    return chosen


def check(claim: Sentence, independent: list[Sentence]) -> ClaimCheck:
    if not independent:
        return ClaimCheck(claim.quote, UNSUPPORTED, None)
    similarity = np.asarray([s.vector for s in independent]) @ claim.vector
    claimed = key_figures(claim.quote.text)
    for j in np.argsort(-similarity):
        other = independent[j]
        if similarity[j] < FINDING_DIFFERS:
            break
        differ = figures_differ(claimed, key_figures(other.quote.text))
        if other.quote.source == speakers.INSPECTOR and (
                differ or (reports_shortfall(other.quote.text) and not reports_shortfall(claim.quote.text))):
            return ClaimCheck(claim.quote, DIFFERS_FROM_FINDING, other.quote)
        if similarity[j] >= CLAIM_SUPPORT_SIMILARITY and not differ:
            return ClaimCheck(claim.quote, SUPPORTED, other.quote)
    return ClaimCheck(claim.quote, UNSUPPORTED, None)


def key_figures(text: str) -> set[str]:
    """claims.figures, with year ranges ("2023-24", "2023/2024") taken out: a period, not a figure."""
    return figures(_YEAR_RANGE.sub(" ", text))


def reports_shortfall(text: str) -> bool:
    """A shortfall word not denied just before it ("no concerns", "without delays" are not shortfalls)."""
    return any(not _DENIED.search(text[max(0, m.start() - 20) : m.start()]) for m in _SHORTFALL.finditer(text))


def figures_differ(claimed: set[str], given: set[str]) -> bool:
    """Both give figures and share none; percentages, when both give them, are what is compared."""
    percentages = {f for f in claimed if f.endswith("%")}, {f for f in given if f.endswith("%")}
    if all(percentages):
        return not percentages[0] & percentages[1]
    return bool(claimed and given) and not claimed & given


def flags(findings: list[Quote], claims: list[ClaimCheck]) -> list[str]:
    """The gap notes the side-by-side view adds."""
    notes = [f"the council's claim \"{short(c.claim.text)}\" differs from the inspector's finding "
             f"\"{short(c.against.text)}\"" for c in claims if c.status == DIFFERS_FROM_FINDING and c.against]
    alone = sum(c.status == UNSUPPORTED for c in claims)
    if alone:
        notes.append(f"{alone} of the council's {len(claims)} strongest claims shown have no independent support")
    if claims and not findings:
        notes.append("no inspector's finding in the evidence to set beside the council's claims")
    return notes


def short(text: str, limit: int = 90) -> str:
    """The text cut at the last word break within the limit (mid-word when it has none), marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"
