"""A councillor's briefing on a topic: key facts quoted from the evidence, each with its source, and the
open questions the evidence raises. Nothing is written that is not in the evidence: facts are verbatim
sentences; questions come from the gap rule and from claims nothing else confirms."""

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from evidence_bot.models import Filters, PassageOrigin, SearchHit
from evidence_bot.text.facts import has_figure
from evidence_bot.text.markdown_text import escaped, link
from evidence_bot.text.units import passage_units, unit_id
from evidence_bot.tuning import (
    BRIEFING_MAX_FACTS,
    BRIEFING_MAX_QUESTIONS,
    BRIEFING_MIN_RELEVANCE,
    BRIEFING_PASSAGES,
    BRIEFING_PER_PASSAGE,
)

if TYPE_CHECKING:  # what the protocol names only: nothing more is loaded with a briefing
    from evidence_bot.config import Settings
    from evidence_bot.evidence.claims import Claim
    from evidence_bot.evidence.frameworks.framework import Framework
    from evidence_bot.evidence.frameworks.gaps import GapReport
    from evidence_bot.evidence.frameworks.store import MappingStore
    from evidence_bot.store.embedding import Embedder
    from evidence_bot.store.vectors import VectorStore


@dataclass
class Source(PassageOrigin):
    """A briefing's numbered footnote: the passage a fact is quoted from."""
    n: int
    section: str | None
    url: str | None

    def described(self) -> str:
        parts = [self.title, self.doc_type.replace("_", " ") if self.doc_type else None, self.date,
                 f"page {self.page}" if self.page else None, f"section: {self.section}" if self.section else None]
        return ", ".join(filter(None, parts))

    def citation(self) -> str:
        return self.described() + (f". {self.url}" if self.url else "")

    def markdown_citation(self) -> str:
        """The citation as Markdown: what came from the document escaped, its address a link only if http(s)."""
        return escaped(self.described()) + (f". {link(self.url)}" if self.url else "")


@dataclass
class Fact:
    text: str
    source: int  # Source.n


@dataclass
class Briefing:
    topic: str
    council: str
    made_on: str
    facts: list[Fact] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class BriefingEvidence(Protocol):
    """What a briefing reads, for one viewer: a Reader (reader.py) is one."""
    @property
    def settings(self) -> "Settings": ...
    @property
    def embedder(self) -> "Embedder": ...
    @property
    def unit_vectors(self) -> "VectorStore": ...
    @property
    def frameworks(self) -> Mapping[str, "Framework"]: ...
    @property
    def mapping(self) -> "MappingStore": ...

    def search(self, query: str, filters: Filters | None = None, top_k: int | None = None) -> list[SearchHit]: ...
    def gaps(self, framework_id: str = "cqc-la", as_of: date | None = None) -> "GapReport": ...
    def claims(self) -> list["Claim"]: ...


class BriefingWriter:
    def __init__(self, bot: BriefingEvidence):
        self.bot = bot

    def brief(self, topic: str, filters: Filters | None = None) -> Briefing:
        topic = (topic or "").strip()
        hits = self.bot.search(topic, filters, BRIEFING_PASSAGES)  # raises on an empty topic or index
        briefing = Briefing(topic, self.bot.settings.council_name, date.today().isoformat())
        for hit, text in self.key_sentences(topic, hits):
            briefing.facts.append(Fact(text, source_number(briefing, hit)))
        briefing.questions = self.open_questions(topic, hits)
        return briefing

    def key_sentences(self, topic: str, hits: list[SearchHit]) -> list[tuple[SearchHit, str]]:
        """The sentences closest to the topic, figures first among near-equals, at most two per passage,
        in the order of the documents' relevance."""
        # The packaged model's own vector: BRIEFING_MIN_RELEVANCE was set on its cosines, and a topic is not a question
        # (the tuned question encoder, store/query_tuning.py, moves cosines by up to 0.06).
        query = np.asarray(self.bot.embedder.embed([topic])[0], dtype=np.float32)
        scored: list[tuple[float, int, int, SearchHit, str]] = []
        for rank, hit in enumerate(hits):
            units = passage_units(hit.passage.text, hit.passage.kind)
            stored = self.bot.unit_vectors.vectors([unit_id(hit.passage.id, start) for start, _ in units])
            for start, text in units:
                vector = stored.get(unit_id(hit.passage.id, start))
                if vector is None or len(text) < 40 or text.rstrip().endswith(":"):
                    continue
                relevance = float(np.dot(query, np.asarray(vector, dtype=np.float32)))
                if relevance >= BRIEFING_MIN_RELEVANCE:
                    scored.append((relevance + 0.05 * has_figure(text) - 0.01 * rank, rank, start, hit, text))
        chosen: list[tuple[int, int, SearchHit, str]] = []
        per_passage: dict[str, int] = {}
        for _, rank, start, hit, text in sorted(scored, key=lambda s: -s[0]):
            if per_passage.get(hit.passage.id, 0) >= BRIEFING_PER_PASSAGE or any(same(text, c[3]) for c in chosen):
                continue
            per_passage[hit.passage.id] = per_passage.get(hit.passage.id, 0) + 1
            chosen.append((rank, start, hit, text))
            if len(chosen) >= BRIEFING_MAX_FACTS:
                break
        return [(hit, text.strip()) for _, _, hit, text in sorted(chosen, key=lambda c: (c[0], c[1]))]

    def open_questions(self, topic: str, hits: list[SearchHit]) -> list[str]:
        """Gaps of the framework statements these passages evidence, and claims on the topic nothing else backs."""
        passage_ids = {h.passage.id for h in hits}
        questions: list[str] = []
        for framework_id in self.bot.frameworks:
            rows = [r for r in self.bot.mapping.statement_rows(framework_id) if r["passage_id"] in passage_ids]
            statements = list(dict.fromkeys(r["statement"] for r in rows))
            if not statements:
                continue
            report = self.bot.gaps(framework_id)
            for gaps in (s for s in report.statements if s.id in statements[:2]):
                questions += [f"{gaps.name} ({report.name}): {note}. What evidence would close this?"
                              for note in gaps.gaps]
        for claim in self.bot.claims():
            if claim.passage_id in passage_ids and claim.status in ("unsupported", "differs") and claim.figures:
                verdict = "no other document confirms it" if claim.status == "unsupported" else \
                    "another document gives different figures"
                questions.append(f"The self-assessment says: “{claim.text}” — {verdict}. Can it be verified?")
        return list(dict.fromkeys(questions))[:BRIEFING_MAX_QUESTIONS]


def source_number(briefing: Briefing, hit: SearchHit) -> int:
    for source in briefing.sources:
        if source.passage_id == hit.passage.id:
            return source.n
    p, meta = hit.passage, hit.meta
    briefing.sources.append(Source(p.id, p.doc_id, meta.title or p.doc_id, meta.doc_type, meta.date, p.page,
                                   n=len(briefing.sources) + 1, section=p.section, url=meta.url))
    return briefing.sources[-1].n


def slug(text: str) -> str:
    """A file-name-safe form of a topic."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "topic"


def same(a: str, b: str) -> bool:
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(wa & wb) / max(1, min(len(wa), len(wb))) > 0.7


def as_markdown(briefing: Briefing) -> str:
    """Everything that came from documents or the request (facts, questions quoting claims, titles, the topic)
    is escaped: a document's HTML or Markdown must not become markup in the briefing."""
    lines = [f"# Briefing: {escaped(briefing.topic)}", "",
             f"{escaped(briefing.council)} · prepared {briefing.made_on} from the evidence held in evidence_bot. "
             "Every fact is quoted word for word from its source.", "", "## Key facts", ""]
    lines += ([f"- {escaped(fact.text)}[^{fact.source}]" for fact in briefing.facts]
              or ["- The evidence holds nothing on this topic."])
    lines += ["", "## Open questions the evidence raises", ""]
    lines += [f"- {escaped(q)}" for q in briefing.questions] or ["- None found by the gap rule or the claims check."]
    lines += [""] + [f"[^{s.n}]: {s.markdown_citation()}" for s in briefing.sources]
    return "\n".join(lines) + "\n"
