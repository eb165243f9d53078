"""Hybrid retrieval: dense (Chroma) and lexical (FTS5 BM25) rankings fused, filtered, de-duplicated.

Dense search alone misses exact figures, names and acronyms; lexical search
alone misses paraphrases. Reciprocal rank fusion needs no score calibration
between the two. A reader's lexical scores count only the documents they may
read (reader_statistics.py), so hidden documents cannot reorder what they see.
The same passage held by several renditions of a document (text, Word, PDF) is
shown once, naming the others."""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from evidence_bot.models import Filters, SearchHit
from evidence_bot.search.duplicates import first_copies
from evidence_bot.search.reader_statistics import ReaderStatistics
from evidence_bot.stages import stage
from evidence_bot.store.catalog import Catalog
from evidence_bot.store.embedding import Embedder
from evidence_bot.store.vectors import VectorStore
from evidence_bot.text.lexical import expanded_query, match_terms
from evidence_bot.text.units import passage_of
from evidence_bot.tuning import UNITS_PER_PASSAGE


class Retriever:
    def __init__(self, catalog: Catalog, vectors: VectorStore, unit_vectors: VectorStore, embedder: Embedder,
                 candidates: int = 40, rrf_k: int = 60, duplicate_containment: float = 0.6,
                 statistics: ReaderStatistics | None = None):
        self.catalog, self.vectors, self.unit_vectors, self.embedder = catalog, vectors, unit_vectors, embedder
        self.statistics = statistics or ReaderStatistics(catalog)
        self.candidates, self.rrf_k, self.duplicate_containment = candidates, rrf_k, duplicate_containment

    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> list[SearchHit]:
        filters = filters or Filters()
        allowed = self.catalog.allowed_documents(filters)
        if allowed is not None and not allowed:
            return []
        # The keyword search needs no vector: it runs beside the question's embedding and the vector searches
        # (SQLite, onnxruntime and Chroma all release the interpreter), the largest stage at 100,000 passages.
        lexical_search = self.beside.submit(contextvars.copy_context().run, self.timed_lexical, query, filters,
                                            allowed)
        vector = self.embedder.embed_query(expanded_query(query))
        with stage("retrieve: dense passages"):
            dense = self.vectors.search(vector, self.candidates, allowed)
        with stage("retrieve: dense sentences"):
            by_sentence = best_passages(self.unit_vectors.search(vector, self.candidates * UNITS_PER_PASSAGE, allowed))
        with stage("retrieve: waiting for the lexical ranker"):
            lexical = lexical_search.result()
        with stage("retrieve: fusion and catalog"):
            fused = self.fuse([[pid for pid, _ in dense], by_sentence, [pid for pid, _ in lexical]])
            found = self.catalog.passages([pid for pid, _ in fused])  # vectors the catalog does not list drop out
            similarity = dict(dense)
            hits = [SearchHit(*found[pid], score=score, dense=similarity.get(pid))
                    for pid, score in fused if pid in found]
            return collapse_duplicates(hits, self.duplicate_containment, top_k)

    @cached_property
    def beside(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=2, thread_name_prefix="lexical")

    def timed_lexical(self, query: str, filters: Filters, allowed: list[str] | None) -> list[tuple[str, float]]:
        with stage("retrieve: lexical (beside the vector searches)"):
            return self.ranked_lexically(query, filters, allowed)

    def lexical(self, query: str, filters: Filters | None = None) -> list[tuple[str, float]]:
        """The lexical ranking alone: [(passage id, BM25 score)], best first."""
        filters = filters or Filters()
        return self.ranked_lexically(query, filters, self.catalog.allowed_documents(filters))

    def ranked_lexically(self, query: str, filters: Filters, allowed: list[str] | None) -> list[tuple[str, float]]:
        """BM25 counted over the documents of the viewer's access levels (all of them for a viewer who reads
        everything: then FTS5's own bm25() scores, tests/test_reader_scope.py). The words' posting lists are kept
        per catalog version, so a word asked before costs an array sum, where FTS5 scores every passage holding
        any of the words again (docs/performance.md)."""
        return self.statistics.bm25(match_terms(query), allowed, filters.access, self.candidates)

    def fuse(self, rankings: list[list[str]]) -> list[tuple[str, float]]:
        scores: dict[str, float] = {}
        for ranking in rankings:
            for rank, pid in enumerate(ranking):
                scores[pid] = scores.get(pid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def best_passages(units: list[tuple[str, float]]) -> list[str]:
    """Passages ranked by their best-matching sentence or table row."""
    return list(dict.fromkeys(passage_of(uid) for uid, _ in units))


def collapse_duplicates(hits: list[SearchHit], threshold: float, wanted: int | None = None) -> list[SearchHit]:
    """Keep the best-ranked copy of near-identical passages from different documents (the first `wanted` of them),
    naming the others."""
    kept = []
    for position, others in first_copies([(h.passage.doc_id, h.passage.text) for h in hits], threshold, wanted):
        hit = hits[position]
        hit.renditions.extend(d for d in others if d not in hit.renditions)
        kept.append(hit)
    return kept
