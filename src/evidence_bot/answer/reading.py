"""What the answerer reads: which retrieved passages, in what order, and the candidate units (sentences and table
rows, each with whose words they are) they yield, with their vectors embedded at ingest."""

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from evidence_bot.answer.attribution import reports_inspection, unit_sources
from evidence_bot.answer.features import Candidate, metadata_text, names_share
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.models import Passage, SearchHit, UnitVectors
from evidence_bot.store.embedding import Embedder
from evidence_bot.text.speakers import CLAIM_TYPES, INSPECTOR, document_source, is_about_inspection
from evidence_bot.text.units import passage_units, unit_id
from evidence_bot.tuning import PASSAGES_READ, READ_DEPTH

if TYPE_CHECKING:
    from evidence_bot.answer.hand_set import Unit


def read_depth(question: str, query: str | None = None) -> int:
    """How many retrieved passages the answerer chooses from: only an inspector question (or a follow-up to one)
    reorders them, so only it needs more than it reads (fetching 50 passages costs a few milliseconds)."""
    profile = QuestionProfile.in_conversation(question, query or question)
    return READ_DEPTH if profile.asks_inspector else PASSAGES_READ


def reading_order(profile: QuestionProfile, hits: list[SearchHit]) -> list[SearchHit]:
    """The passages to read. A question about what the inspector found is answered from the inspector's words
    only, so it reads the inspector's documents and the stories and minutes about an inspection first (the
    council's self-assessment mentions safeguarding more often than CQC's report does); the rest, in retrieval
    order, fill what is left (a council claim may be quoted when the inspector's words do not answer)."""
    if profile.asks_inspector:
        hits = sorted(hits, key=lambda h: (names_share(profile.names, f"{h.passage.text} {metadata_text(h)}") < 1,
                                           not tells_inspection(h)))
    return hits[:PASSAGES_READ]


def tells_inspection(hit: SearchHit) -> bool:
    """The inspector's document, or a passage of a story or minutes about an inspection (named in the title, or
    in the passage: "Independent inspectors, Ofsted, have rated York's services...")."""
    return (document_source(hit.meta.doc_type, hit.meta.publisher) == INSPECTOR or reports_inspection(hit)
            or (hit.meta.doc_type not in CLAIM_TYPES and is_about_inspection(hit.passage.text)))


def stored_unit_vectors(items: "list[Candidate] | list[Unit]", stored_vectors: UnitVectors,
                        embedder: Embedder) -> np.ndarray:
    """The units' vectors embedded at ingest; any missing (an index from before units were stored) embedded now."""
    stored = stored_vectors([u.id for u in items])
    missing = [u for u in items if u.id not in stored]
    stored.update(zip([u.id for u in missing], embedder.embed([u.text for u in missing]) if missing else []))
    return np.asarray([stored[u.id] for u in items], dtype=np.float32)


def is_whole_line(passage: str, start: int, unit: str) -> bool:
    """Nothing but spaces before and after the unit on its line of the passage."""
    end = start + len(unit)
    line_end = passage.find("\n", end)
    return not passage[passage.rfind("\n", 0, start) + 1:start].strip() \
        and not passage[end:line_end if line_end >= 0 else len(passage)].strip()


def candidate_units(hits: list[SearchHit],
                    preceding: Callable[[Passage], str] = lambda passage: "") -> list[Candidate]:
    items: list[Candidate] = []
    for index, hit in enumerate(hits):
        previous: Candidate | None = None
        units = passage_units(hit.passage.text, hit.passage.kind)
        for (start, text), source in zip(units, unit_sources(hit, units, preceding(hit.passage))):
            before = previous if hit.passage.kind != "table" else None
            items.append(Candidate(index, start, text, unit_id(hit.passage.id, start), before, source,
                                   whole_line=is_whole_line(hit.passage.text, start, text)))
            if before is not None:
                before.following = items[-1]
            previous = items[-1]
    return items
