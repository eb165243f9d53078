"""What readiness leads read, for one viewer: the gap view, the mapping, claims and briefings.

The base of Reader (reader.py), built on the viewer's Scope (scope.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from evidence_bot.errors import EvidenceBotError, NotFoundError
from evidence_bot.models import Filters
from evidence_bot.scope import Scope

if TYPE_CHECKING:
    from evidence_bot.evidence.briefing import Briefing
    from evidence_bot.evidence.claims import Claim
    from evidence_bot.evidence.frameworks.findings import Sentence
    from evidence_bot.evidence.frameworks.framework import Framework
    from evidence_bot.evidence.frameworks.gaps import GapReport
    from evidence_bot.evidence.frameworks.mapping import StatementVectors


class EvidenceViews(Scope):
    """Every view is limited to what the reader's viewer may see."""

    def rendition_groups(self) -> dict[str, str]:
        """doc id -> rendition group, found among the documents this viewer may read only: a hidden document
        quoting two others must not make them one piece of evidence (claims, gaps)."""
        from evidence_bot.search.duplicates import rendition_groups

        def compute() -> dict[str, str]:
            readable = self.catalog.allowed_documents(self.scoped(None))
            passages = self.catalog.all_passage_texts()
            if readable is not None:
                allowed = set(readable)
                passages = [(doc_id, text) for doc_id, text in passages if doc_id in allowed]
            return rendition_groups(passages, self.settings.duplicate_containment)

        return self.bot.statistics.per_scope("rendition groups", self.levels(), compute)

    def gaps(self, framework_id: str = "cqc-la", as_of: date | None = None) -> GapReport:
        """The gap view of one framework (frameworks/gaps.py), over the documents this viewer may read."""
        from evidence_bot.evidence.frameworks.findings import passage_sentences, statement_sentences
        from evidence_bot.evidence.frameworks.gaps import gap_report

        self.require_documents()
        framework = self.framework(framework_id)
        rows = [r for r in self.mapping.statement_rows(framework_id) if self.readable(r["access"])]
        vectors = self.statement_vectors(framework)
        position = {s.id: j for j, s in enumerate(framework.statements)}
        preceding = self.catalog.preceding_texts(sorted({r["passage_id"] for r in rows}))
        read = passage_sentences(rows, vectors.learned, self.unit_vectors, preceding)

        def sentences_of(statement_id: str, statement_rows: list[Any]) -> list[Sentence]:
            return statement_sentences(statement_rows, position[statement_id], read)

        return gap_report(framework, rows, self.rendition_groups(), as_of, sentences_of)

    def statement_vectors(self, framework: Framework) -> StatementVectors:
        """The framework's statements as the mapping model sees them (frameworks/mapping.py), kept per framework."""
        from evidence_bot.evidence.frameworks.mapping import statement_vectors

        model, cache = self.bot.mapping_model, self.bot.statement_vector_cache
        key = (framework.id, framework.fingerprint, model.version)
        if key not in cache:
            cache[key] = statement_vectors(framework, self.embedder.embed, model)
        return cache[key]

    def framework(self, framework_id: str) -> Framework:
        if framework_id not in self.frameworks:
            raise NotFoundError(f"no framework '{framework_id}'; known: {', '.join(sorted(self.frameworks))}")
        return self.frameworks[framework_id]

    def mapping_records(self, framework_id: str | None = None) -> list[dict[str, Any]]:
        """The mapping passage by passage (frameworks/export.py), over the documents this viewer may read."""
        from evidence_bot.evidence.frameworks.export import mapping_records

        self.require_documents()
        ids = [self.framework(framework_id).id] if framework_id else sorted(self.frameworks)
        rows = {f: [r for r in self.mapping.passage_rows(f) if self.readable(r["access"])] for f in ids}
        preceding = self.catalog.preceding_texts(sorted({r["passage_id"] for found in rows.values() for r in found}))
        return mapping_records(rows, {f: self.mapping.statements_of(f) for f in ids}, preceding)

    def claims(self) -> list[Claim]:
        """The self-assessments' checkable claims, each tested against the other documents (claims.py)."""
        from evidence_bot.evidence.claims import ClaimChecker

        self.require_documents()
        return ClaimChecker(self).check()

    def brief(self, topic: str, filters: Filters | None = None) -> Briefing:
        """A councillor's briefing on a topic (briefing.py)."""
        from evidence_bot.evidence.briefing import BriefingWriter

        if not (topic or "").strip():
            raise EvidenceBotError("the topic is empty")
        return BriefingWriter(self).brief(topic, filters)
