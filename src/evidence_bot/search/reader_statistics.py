"""Corpus statistics as one reader sees the corpus: computed over the documents they may read only.

Term weights (IDF in the answerer, BM25 in the lexical ranker) and rendition groups are properties of a
whole collection, so counting them over documents a reader cannot read would let hidden documents change
the reader's confidence, rankings, claims and gaps. Here every count is taken per access level and summed
over the reader's levels: each passage has exactly one level, so the sums are exact.

FTS5's bm25() counts over its whole table and cannot be scoped, so a scoped lexical ranking is scored here
with FTS5's own formula and constants (fts5_aux.c), from the index's own data: row lengths from its docsize
table, term occurrences from an fts5vocab table, query words tokenized by the same tokenizer. On an index
a reader may read entirely it gives bm25()'s scores (tests/test_reader_scope.py checks it).

Everything is cached and dropped when the catalog changes (an ingest, upload, deletion or metadata change,
by this process or another): a request reads only the occurrences of its own words, once per word."""

import math
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar, cast

import numpy as np

from evidence_bot.store.catalog import Catalog
from evidence_bot.store.schema import BM25_COLUMN_WEIGHTS as COLUMN_WEIGHTS
from evidence_bot.store.schema import FTS_TOKENIZER as TOKENIZER

# FTS5's bm25() constants (fts5_aux.c); the column weights and tokenizer are passages_fts's own (store/schema.py).
K1, B = 1.2, 0.75
# Occurrence lists kept per catalog version (a word's list is its posting list): Thurrock's 121 evaluation
# questions use 376 distinct words, so this holds several days of questions; more would hold memory for words
# asked once.
CACHED_WORDS = 2048

T = TypeVar("T")


@dataclass
class IndexedRows:
    """Every indexed passage, in FTS5 rowid order (the order FTS5 returns equal scores in)."""
    passage_ids: list[str]
    rowids: np.ndarray  # ascending
    documents: np.ndarray  # a code per row: its document's position in document_codes
    document_codes: dict[str, int]
    levels: np.ndarray  # a code per row: its access level's position in level_codes
    level_codes: dict[str, int]
    lengths: np.ndarray  # tokens in all columns, as FTS5 counts a row's length

    @classmethod
    def of(cls, rows: list[tuple[int, str, str, str, bytes]]) -> "IndexedRows":
        document_codes: dict[str, int] = {}
        level_codes: dict[str, int] = {}
        return cls([pid for _, pid, _, _, _ in rows], np.asarray([r[0] for r in rows], dtype=np.int64),
                   np.asarray([document_codes.setdefault(r[2], len(document_codes)) for r in rows], dtype=np.int32),
                   document_codes,
                   np.asarray([level_codes.setdefault(r[3], len(level_codes)) for r in rows], dtype=np.int32),
                   level_codes, np.asarray([sum(varints(r[4])) for r in rows], dtype=np.float64))

    def positions(self, counts: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, counts) of the rowids listed here, by position."""
        found = sorted((rowid, count) for rowid, count in counts.items())
        if not found or not len(self.rowids):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rowids = np.asarray([rowid for rowid, _ in found], dtype=np.int64)
        at = np.searchsorted(self.rowids, rowids)
        listed = (at < len(self.rowids)) & (self.rowids[np.minimum(at, len(self.rowids) - 1)] == rowids)
        return at[listed], np.asarray([count for _, count in found], dtype=np.float64)[listed]


@dataclass
class Scope:
    """The passages of a set of access levels, and what BM25 needs of them."""
    inside: np.ndarray  # per row: of these levels
    passages: int
    norms: np.ndarray  # per row: K1 * (1 - B + B * length / average length), BM25's length normalisation


class ReaderStatistics:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.lock = threading.RLock()
        self.marker: tuple[int, int] | None = None
        self.rows = IndexedRows.of([])
        self.occurrences: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # word -> (row positions, weighted counts)
        self.memo: dict[tuple[str, frozenset[str] | None], object] = {}

    # --- what the answerer needs --------------------------------------------
    def passage_count(self, access: list[str] | None = None) -> int:
        """Passages in documents of these access levels (None: all of them)."""
        if access is None:
            return self.catalog.count_passages()
        return self.scope(access).passages

    def document_frequency(self, terms: list[str], access: list[str] | None = None) -> dict[str, int]:
        """How many passages of these access levels (None: all) hold each term: the posting lists BM25 reads, kept
        per catalog version (the same counts as FTS5's MATCH on every question word of both development sets)."""
        with self.lock:  # the scope and occurrences read must come from one catalog version
            scope = self.scope(access)
            return {term: int(scope.inside[self.occurrences_of(term)[0]].sum()) for term in terms}

    # --- what the lexical ranker needs ---------------------------------------
    def bm25(self, words: list[str], allowed: list[str] | None, access: list[str] | None,
             limit: int) -> list[tuple[str, float]]:
        """The best passages of the allowed documents (None: all) for any of the words, by BM25 over the access
        levels' passages (None: every passage, as FTS5's bm25() counts them): [(passage id, score)], higher
        first; ties in index order, as FTS5 returns them (hidden rows take rowids of their own, so they cannot
        reorder the others)."""
        with self.lock:  # the scope and occurrences read must come from one catalog version
            scope = self.scope(access)
            if not scope.passages:
                return []
            found = []
            for word in words:
                at, counts = self.occurrences_of(word)
                inside = scope.inside[at]
                at, counts = at[inside], counts[inside]
                idf = math.log((scope.passages - len(at) + 0.5) / (len(at) + 0.5))
                idf = idf if idf > 0 else 1e-6  # FTS5's floor for a word in half the passages or more
                found.append((at, idf * counts * (K1 + 1) / (counts + scope.norms[at])))
            return self.best(found, allowed, limit)

    def best(self, found: list[tuple[np.ndarray, np.ndarray]], allowed: list[str] | None,
             limit: int) -> list[tuple[str, float]]:
        """Summed per row in the words' order (as FTS5 sums them), allowed documents only, best first."""
        candidates = np.unique(np.concatenate([at for at, _ in found] or [np.zeros(0, dtype=np.int64)]))
        scores = np.zeros(len(candidates))
        for at, part in found:
            scores[np.searchsorted(candidates, at)] += part
        if allowed is not None:
            codes = [self.rows.document_codes[d] for d in allowed if d in self.rows.document_codes]
            kept = np.isin(self.rows.documents[candidates], codes)
            candidates, scores = candidates[kept], scores[kept]
        order = np.lexsort((candidates, -scores))[:limit]  # by score, then index order
        return [(self.rows.passage_ids[candidates[i]], float(scores[i])) for i in order]

    # --- anything else computed over a reader's documents ---------------------
    def per_scope(self, name: str, access: list[str] | None, compute: Callable[[], T]) -> T:
        """compute(), kept until the catalog changes, per name and set of access levels."""
        self.refresh()
        key = (name, None if access is None else frozenset(access))
        with self.lock:
            if key not in self.memo:
                self.memo[key] = compute()
            return cast(T, self.memo[key])  # what compute() returned for this name

    def scope(self, access: list[str] | None) -> Scope:
        """The passages of these access levels (None: every passage)."""
        def compute() -> Scope:
            if access is None:
                inside = np.ones(len(self.rows.levels), dtype=bool)
            else:
                codes = [self.rows.level_codes[level] for level in access if level in self.rows.level_codes]
                inside = np.isin(self.rows.levels, codes)
            passages = int(inside.sum())
            average = float(self.rows.lengths[inside].sum()) / passages if passages else 1.0
            return Scope(inside, passages, K1 * (1 - B + B * self.rows.lengths / average))

        return self.per_scope("scope", access, compute)

    # --- the caches ------------------------------------------------------------
    def refresh(self) -> None:
        """Drops every cache when the catalog has changed since they were filled."""
        marker = self.catalog.change_marker()  # read first: a change while loading shows at the next call
        if marker == self.marker:
            return
        with self.lock:
            self.rows = IndexedRows.of(self.catalog.lexical_rows())
            self.occurrences, self.memo, self.marker = {}, {}, marker

    def occurrences_of(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, column-weighted counts) of the word (a phrase when it tokenizes to several tokens),
        as FTS5 counts a quoted phrase for bm25()."""
        with self.lock:
            if word not in self.occurrences:
                if len(self.occurrences) >= CACHED_WORDS:
                    self.occurrences.pop(next(iter(self.occurrences)))
                self.occurrences[word] = self.rows.positions(phrase_counts(tokens(word), self.catalog.token_instances))
            return self.occurrences[word]


def phrase_counts(phrase: tuple[str, ...], instances: Callable[[str], list[tuple[int, str, int]]]) -> dict[int, float]:
    """{rowid: sum over columns of the column's weight times the phrase's occurrences in it}."""
    if not phrase:
        return {}
    at: dict[str, set[tuple[int, str, int]]] = {token: set(instances(token)) for token in set(phrase)}
    counts: dict[int, float] = defaultdict(float)
    for rowid, column, offset in at[phrase[0]]:
        if all((rowid, column, offset + i) in at[token] for i, token in enumerate(phrase[1:], 1)):
            counts[rowid] += COLUMN_WEIGHTS.get(column, 0.0)
    return dict(counts)


_tokenizer_lock = threading.Lock()


@lru_cache(maxsize=16384)
def tokens(word: str) -> tuple[str, ...]:
    """The indexed tokens of a query word, cut by the index's own tokenizer (porter stems included)."""
    with _tokenizer_lock:
        db = tokenizer_db()
        db.execute("DELETE FROM words")
        db.execute("INSERT INTO words VALUES (?)", (word,))
        return tuple(r[0] for r in db.execute('SELECT term FROM words_vocab ORDER BY "offset"'))


@lru_cache(maxsize=1)
def tokenizer_db() -> sqlite3.Connection:
    """An in-memory FTS5 table, used only to tokenize: nothing touches the catalog's file."""
    db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    db.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{TOKENIZER}')")
    db.execute("CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, instance)")
    return db


def varints(blob: bytes) -> list[int]:
    """SQLite varints (FTS5's docsize record: one token count per column)."""
    values, value, used = [], 0, 0
    for byte in blob:
        used += 1
        if used == 9:  # the ninth byte holds 8 bits
            values.append((value << 8) | byte)
            value, used = 0, 0
        elif byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            values.append((value << 7) | byte)
            value, used = 0, 0
    return values
