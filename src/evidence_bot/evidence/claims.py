"""Claims against the evidence: the checkable statements of a self-assessment, each tested against what
other documents say.

A claim is a sentence of a self-assessment (one rendition of it) holding a
figure, a rating, a target, or an "all/every/100%/we have" assertion. For each,
every sentence of every other document (other renditions of the same document excepted) is
compared with it (through the stored sentence vectors):
- supported: a sentence elsewhere says the same key figure (years aside) and means much the same;
- differs: a sentence elsewhere is about the same thing (close in meaning) but gives other figures, so
  it qualifies or contradicts the claim - a person should look;
- related: a sentence elsewhere is close in meaning without figures to compare;
- unsupported: nothing elsewhere comes close.
These are heuristics over retrieved text: the output shows the passages so a reader can judge."""

import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from evidence_bot.models import Passage, PassageOrigin
from evidence_bot.text.facts import FIGURE_WITH_UNIT
from evidence_bot.text.sentences import sentence_spans
from evidence_bot.text.units import passage_units, unit_id
from evidence_bot.tuning import CLAIM_RELATED_SIMILARITY, CLAIM_SUPPORT_SIMILARITY, MIN_SENTENCE_CHARS

if TYPE_CHECKING:  # chromadb and the model load only when they are needed
    from evidence_bot.store.catalog import Catalog
    from evidence_bot.store.embedding import Embedder
    from evidence_bot.store.vectors import VectorStore

CLAIM_SOURCES = ("self_assessment",)

_CHECKABLE = re.compile(r"\d|\b(?:outstanding|good|requires improvement|inadequate|target|all|every|"
                        r"always|never|we have|100%|compliance|rated|increase|decrease|reduc)", re.IGNORECASE)


@dataclass
class Evidence(PassageOrigin):
    sentence: str
    similarity: float
    shared_figures: list[str]


# What other documents say about a claim: the same figure, another figure, the topic without a figure, nothing.
ClaimStatus = Literal["supported", "differs", "related", "unsupported"]


@dataclass
class Claim(PassageOrigin):
    """A sentence of the council's own documents stating a figure, rating, target or absolute, and what other
    documents say about it."""
    section: str | None
    text: str
    figures: list[str]
    status: ClaimStatus
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def figures(text: str) -> set[str]:
    """Key figures, normalised: '1,513' -> '1513', '90 %' -> '90%'. Years are context, not figures."""
    found = set()
    for number, percent in FIGURE_WITH_UNIT.findall(text):
        value = number.replace(",", "")
        if not percent and re.fullmatch(r"(?:19|20)\d\d", value):
            continue
        found.add(value + ("%" if percent else ""))
    return found


def checkable_sentences(passage: Passage) -> list[tuple[int, str]]:
    """(offset, sentence) of the sentences worth checking: they state a figure, rating, target or absolute."""
    if passage.kind == "table":
        return []  # table rows are figures without a claim's words around them; their prose is checked
    return [(a, passage.text[a:b]) for a, b in sentence_spans(passage.text)
            if b - a >= MIN_SENTENCE_CHARS and _CHECKABLE.search(passage.text[a:b])]


class ClaimEvidence(Protocol):
    """What the claim checker reads, for one viewer: a Reader (reader.py) is one."""
    @property
    def catalog(self) -> "Catalog": ...
    @property
    def embedder(self) -> "Embedder": ...
    @property
    def unit_vectors(self) -> "VectorStore": ...

    def documents(self) -> list[sqlite3.Row]: ...
    def rendition_groups(self) -> dict[str, str]: ...


class ClaimChecker:
    """Compares every claim with every sentence of the other documents through their stored vectors:
    no search can miss a corroborating sentence, and nothing is embedded again."""

    def __init__(self, bot: ClaimEvidence, batch: int = 20000):
        self.bot = bot
        self.batch = batch

    def check(self) -> list[Claim]:
        groups = self.bot.rendition_groups()  # among the documents the viewer may read only
        documents = self.bot.documents()
        claims = []
        for source in claim_documents(documents, groups):
            others = [d for d in documents if groups.get(d["doc_id"]) != groups.get(source["doc_id"])]
            found = [(self.claim(source, p, start, text), unit_id(p.id, start))
                     for p in self.bot.catalog.doc_passages(source["doc_id"]) for start, text in checkable_sentences(p)]
            if found and others:
                self.compare([c for c, _ in found], self.vectors([u for _, u in found], [c.text for c, _ in found]),
                             others)
            claims += [c for c, _ in found]
        for claim in claims:
            claim.status = status_of(claim)
            claim.evidence.sort(key=lambda e: (not e.shared_figures, -e.similarity))
        return claims

    @staticmethod
    def claim(source: sqlite3.Row, passage: Passage, start: int, sentence: str) -> Claim:
        return Claim(passage.id, source["doc_id"], source["title"] or source["doc_id"], source["doc_type"],
                     source["date"], passage.page, passage.section, sentence.strip(), sorted(figures(sentence)),
                     "unsupported")

    def vectors(self, ids: list[str], texts: list[str]) -> np.ndarray:
        stored = self.bot.unit_vectors.vectors(ids)
        missing = [i for i, uid in enumerate(ids) if uid not in stored]
        fresh = dict(zip(missing, self.bot.embedder.embed([texts[i] for i in missing]))) if missing else {}
        return np.asarray([stored[uid] if uid in stored else fresh[i] for i, uid in enumerate(ids)], dtype=np.float32)

    def compare(self, claims: list[Claim], claim_vectors: np.ndarray, others: list[sqlite3.Row]) -> None:
        units = [(p, meta, text, unit_id(p.id, start)) for d in others
                 for p in self.bot.catalog.doc_passages(d["doc_id"]) for start, text in passage_units(p.text, p.kind)
                 for meta in [d]]
        for begin in range(0, len(units), self.batch):
            chunk = units[begin : begin + self.batch]
            stored = self.bot.unit_vectors.vectors([u[3] for u in chunk])
            chunk = [u for u in chunk if u[3] in stored]
            if not chunk:
                continue
            similarity = claim_vectors @ np.asarray([stored[u[3]] for u in chunk], dtype=np.float32).T
            for claim, row in zip(claims, similarity):
                for j in np.flatnonzero(row >= CLAIM_SUPPORT_SIMILARITY):
                    self.consider(claim, chunk[j], float(row[j]))

    @staticmethod
    def consider(claim: Claim, unit: tuple[Passage, sqlite3.Row, str, str], similarity: float) -> None:
        passage, meta, text, _ = unit
        shared = sorted(figures(text) & set(claim.figures))
        if not shared and similarity < CLAIM_RELATED_SIMILARITY:
            return
        kept = next((e for e in claim.evidence if e.passage_id == passage.id), None)
        if kept and (bool(kept.shared_figures), kept.similarity) >= (bool(shared), similarity):
            return
        if kept:
            claim.evidence.remove(kept)
        claim.evidence.append(Evidence(passage.id, passage.doc_id, meta["title"] or passage.doc_id, meta["doc_type"],
                                       meta["date"], passage.page, text.strip(), round(similarity, 3), shared))


def claim_documents(documents: list[sqlite3.Row], groups: dict[str, str]) -> list[sqlite3.Row]:
    """One rendition of each self-assessment: the text one when there is one (its offsets are the cleanest)."""
    chosen: dict[str, sqlite3.Row] = {}
    for d in sorted(documents, key=lambda d: (d["format"] != "text", d["path"])):
        if d["doc_type"] in CLAIM_SOURCES:
            chosen.setdefault(groups.get(d["doc_id"], d["doc_id"]), d)
    return list(chosen.values())


def status_of(claim: Claim) -> ClaimStatus:
    if any(e.shared_figures for e in claim.evidence):
        return "supported"
    if claim.figures and any(figures(e.sentence) for e in claim.evidence):
        return "differs"
    return "related" if claim.evidence else "unsupported"
