"""Near-duplicate passages across documents: the same text held by several renditions (text, Word, PDF).

Two passages are copies when at least `threshold` of the smaller one's word
5-grams are in the other (containment). A passage that shares no 5-gram with
any kept passage (most of them) is kept after one set test; only the others
are compared with each kept passage, by set intersection."""

import re
from collections import Counter
from functools import lru_cache

_SHINGLE_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=8192)  # the same passages come back query after query
def shingles(text: str, size: int = 5) -> frozenset[int]:
    tokens = _SHINGLE_WORD.findall(text.lower())
    if len(tokens) < size:
        return frozenset({hash(" ".join(tokens))})
    return frozenset(hash(" ".join(tokens[i : i + size])) for i in range(len(tokens) - size + 1))


def first_copies(items: list[tuple[str, str]], threshold: float,
                 wanted: int | None = None) -> list[tuple[int, list[str]]]:
    """For (doc id, text) items in rank order: the positions of the first copy of each text, each with the
    other documents that hold a copy of it; only the first `wanted` of them when it is given. Once those are found
    nothing more is kept, so a later item is compared with them alone: it could only have matched a later first
    copy when none of them matches, and later first copies are not returned (the same result, fewer comparisons)."""
    kept: list[tuple[int, str, frozenset[int], list[str], str]] = []
    seen: set[int] = set()  # the compared passages' 5-grams: most passages share none, and are kept at once
    for position, (doc_id, text) in enumerate(items):
        full = wanted is not None and len(kept) >= wanted
        marks = shingles(text)
        twin = None
        if not marks.isdisjoint(seen):
            twin = next((k for k in kept if k[1] != doc_id and containment(text, k[4]) >= threshold), None)
        if twin is None and not full:
            seen |= marks
            kept.append((position, doc_id, marks, [], text))
        elif twin is not None and doc_id not in twin[3]:
            twin[3].append(doc_id)
    return [(position, others) for position, _, _, others, _ in kept]


@lru_cache(maxsize=65536)  # a question compares each passage with ~25 kept ones, the same pairs question after question
def containment(text: str, other: str) -> float:
    """The share of the smaller text's 5-grams that the other holds."""
    marks, others = shingles(text), shingles(other)
    return len(marks & others) / min(len(marks), len(others))


def rendition_groups(passages: list[tuple[str, str]], threshold: float, share: float = 0.5) -> dict[str, str]:
    """doc id -> the id of its group: documents most of whose passages copy another document's are one piece
    of evidence in several formats (the self-assessment as text, Word and PDF)."""
    copied: Counter[tuple[str, str]] = Counter()  # (doc, other doc) -> passages of doc that other doc also holds
    sizes = Counter(doc_id for doc_id, _ in passages)
    for position, others in first_copies(passages, threshold):
        for other in others:
            copied[(other, passages[position][0])] += 1
    parent = {doc_id: doc_id for doc_id in sizes}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    for (doc_id, other), count in copied.items():
        if count >= share * sizes[doc_id]:
            parent[root(doc_id)] = root(other)
    return {doc_id: root(doc_id) for doc_id in sizes}
