"""Checks a generated answer sentence by sentence against the passages it cites (issue 7's LLM mode).

A sentence is kept only when
  1. it cites at least one passage that was given to the model (citations to any other number are
     removed first, and said so);
  2. every checkable fact in it (figures, years and dates, ratings, names) appears in a passage it cites;
  3. its content is supported: a blend of the share of its content words found in the cited passages and
     the best embedding similarity to one of their sentences reaches the threshold, calibrated on labelled
     sentences (evals/verifier.jsonl).
The answerer then removes unsupported sentences, or falls back to the extractive answer when too little
is left (the rule is in `needs_fallback`)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from evidence_bot.text.facts import CAPITALISED_RUN, FIGURE, MONTH_NAME, NOT_NAMES, NUMBER_WORD, RATING
from evidence_bot.text.lexical import SUPPORT_STOP_WORDS, glossary
from evidence_bot.text.sentences import sentence_spans, split_sentences
from evidence_bot.tuning import LEXICAL_WEIGHT

CITATION = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
UNFINISHED_MARKER = re.compile(r"\s*\[[\d,\s]*$")
WORD = re.compile(r"[a-z][a-z'’-]+")
# Words whose opposite in the cited passage means the sentence says the reverse of the evidence; similarity
# measures cannot tell "fell" from "rose", so this is checked by word.
OPPOSITES = [("rose", "fell"), ("rise", "fall"), ("increased", "decreased"), ("increase", "decrease"),
             ("grew", "shrank"), ("up", "down"), ("more", "fewer"), ("higher", "lower"), ("above", "below"),
             ("praised", "criticised"), ("approved", "rejected"), ("accepted", "rejected"), ("accept", "appeal"),
             ("positive", "negative"), ("positively", "negatively"), ("well", "poorly"), ("timely", "late"),
             ("long", "quickly"), ("late", "early"), ("easy", "hard"), ("green", "red"), ("on track", "off track")]


@dataclass
class SentenceCheck:
    text: str  # without its citation markers
    cited: list[int]
    kept: bool
    reason: str | None = None
    score: float = 0.0
    support: list[tuple[int, int, int]] = field(default_factory=list)  # (passage n, start, end) to highlight


@dataclass
class Verification:
    sentences: list[SentenceCheck] = field(default_factory=list)
    removed_citations: list[int] = field(default_factory=list)  # numbers cited that were never given

    @property
    def kept(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.kept]

    def needs_fallback(self) -> bool:
        """Nothing left, or more than half of what the model said was unsupported: the extractive answer is the
        safer one to show."""
        return not self.kept or len(self.kept) * 2 < len(self.sentences)


def markers_before_stop(text: str) -> str:
    """'... fell. [2] Next' -> '... fell [2]. Next': a marker after the full stop belongs to the sentence before it."""
    return MARKERS_AFTER_STOP.sub(lambda m: m.group(2) + m.group(1), text)


def cited_sentence(sentence: str) -> tuple[str, list[int]]:
    """(the sentence without markers, its citation numbers in order)."""
    numbers = [int(n) for group in CITATION.findall(sentence) for n in re.split(r"\s*,\s*", group)]
    return CITATION.sub("", sentence).strip(), list(dict.fromkeys(numbers))


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, citation numbers) for each sentence of a generated answer."""
    pairs = [cited_sentence(s) for s in split_sentences(markers_before_stop(answer))]
    return [(text, numbers) for text, numbers in pairs if text]


def finished_sentences(streamed: str) -> list[str]:
    """The sentences of a part-streamed answer that can no longer change. The last one waits for the next to
    begin, as its marker may still be coming ("... fell. [2"); boundaries depend only on the text before them
    and one character after, so a finished sentence stays as it is while the stream goes on."""
    text = markers_before_stop(UNFINISHED_MARKER.sub("", streamed))
    return [text[a:b] for a, b in sentence_spans(text)[:-1]]


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(",", "").replace("’", "'")).lower()


def facts(sentence: str) -> list[str]:
    """The checkable facts: figures (commas dropped; number words as words), month names, ratings, and capitalised
    names that are not the sentence's first word (a rating inside a run of capitals is a rating, not a name)."""
    found = [f.replace(",", "").lstrip("£").rstrip("%") for f in FIGURE.findall(sentence)]
    found += [w.lower() for w in NUMBER_WORD.findall(sentence)]
    found += [m.lower() for m in MONTH_NAME.findall(sentence)] + [r.lower() for r in RATING.findall(sentence)]
    for match in CAPITALISED_RUN.finditer(RATING.sub(".", sentence)):
        words = match.group(0).split()
        if match.start() == 0 and words[0].lower() not in NOT_NAMES:
            words = words[1:]  # a sentence's first word is capitalised anyway
        while words and words[0].lower() in NOT_NAMES:  # "Councillor Smith" -> "Smith"
            words = words[1:]
        if words:
            found.append(" ".join(words).lower())
    return [f for f in dict.fromkeys(found) if f]


def contradiction(sentence: str, evidence: str) -> str | None:
    """'says "fell" where the passage says "rose"', when the sentence uses one of a pair and the passage only
    the other."""
    said, source = f" {normalised(sentence)} ", f" {normalised(evidence)} "
    for a, b in OPPOSITES:
        for word, opposite in ((a, b), (b, a)):
            if re.search(rf"\b{word}\b", said) and not re.search(rf"\b{word}\b", source) \
                    and re.search(rf"\b{opposite}\b", source):
                return f"says '{word}' where the cited passage says '{opposite}'"
    return None


def present(fact: str, evidence: str) -> bool:
    """In the evidence as written, or, for an acronym, its long form from the glossary (and the other way)."""
    if re.search(rf"(?<![\w]){re.escape(fact)}(?![\w])", evidence):
        return True
    forms = glossary_forms()
    return fact in forms and forms[fact] in evidence


@lru_cache(maxsize=1)
def glossary_forms() -> dict[str, str]:
    """Acronym -> long form and long form -> acronym, lower case."""
    forms = {k.lower(): v.lower() for k, v in glossary().items()}
    return forms | {v: k for k, v in forms.items()}


def content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in WORD.findall(text.lower()) if w not in SUPPORT_STOP_WORDS and len(w) > 2}


def lexical_support(sentence: str, evidence: str) -> float:
    words = content_words(sentence)
    return len(words & content_words(evidence)) / len(words) if words else 1.0


def covering(text: str, spans: list[tuple[int, int, int]], sentences: list[str],
             similarity: list[float]) -> list[tuple[int, int, int]]:
    """The cited sentences that hold the sentence's figures and names between them (greedily, most first, ties
    to the closest in words and meaning), or the single closest when it has none: what to highlight."""
    closeness = [LEXICAL_WEIGHT * lexical_support(text, s) + (1 - LEXICAL_WEIGHT) * sim
                 for s, sim in zip(sentences, similarity)]
    holds = [{f for f in facts(text) if present(f, normalised(s))} for s in sentences]
    chosen, uncovered = [], set().union(*holds)
    while uncovered:
        best = max(range(len(spans)), key=lambda i: (len(holds[i] & uncovered), closeness[i]))
        chosen.append(spans[best])
        uncovered -= holds[best]
    return chosen or [spans[max(range(len(spans)), key=closeness.__getitem__)]]


class Verifier:
    def __init__(self, embed: Callable[[list[str]], list[list[float]]], threshold: float) -> None:
        self.embed, self.threshold = embed, threshold

    def verify(self, answer: str, passages: dict[int, str]) -> Verification:
        result, vectors = Verification(), dict[str, np.ndarray]()
        for sentence in split_sentences(markers_before_stop(answer)):
            self.add(result, sentence, passages, vectors)
        return result

    def add(self, result: Verification, sentence: str, passages: dict[int, str], vectors: dict[str, np.ndarray]
            ) -> SentenceCheck | None:
        """Checks one sentence (markers included) into `result`; `vectors` caches embeddings across one answer,
        so each cited passage's sentences are embedded once."""
        text, numbers = cited_sentence(sentence)
        if not text:
            return None
        given = [n for n in numbers if n in passages]
        result.removed_citations = sorted(set(result.removed_citations) | {n for n in numbers if n not in passages})
        result.sentences.append(self.check(text, given, passages, vectors))
        return result.sentences[-1]

    def check(self, text: str, cited: list[int], passages: dict[int, str],
              vectors: dict[str, np.ndarray]) -> SentenceCheck:
        if not cited:
            return SentenceCheck(text, cited, False, "cites no passage that was given")
        evidence = " ".join(passages[n] for n in cited)
        missing = [f for f in facts(text) if not present(f, normalised(evidence))]
        if missing:
            return SentenceCheck(text, cited, False, f"'{missing[0]}' is not in the cited passages")
        reversed_word = contradiction(text, evidence)
        if reversed_word:
            return SentenceCheck(text, cited, False, reversed_word)
        score, support = self.score(text, cited, passages, vectors)
        if score < self.threshold:
            return SentenceCheck(text, cited, False, f"not supported by the cited passages (score {score:.2f})", score)
        return SentenceCheck(text, cited, True, None, score, support)

    def score(self, text: str, cited: list[int], passages: dict[int, str],
              vectors: dict[str, np.ndarray]) -> tuple[float, list[tuple[int, int, int]]]:
        """The support score, and the cited sentences to highlight as its support (see covering)."""
        spans = [(n, a, b) for n in cited for a, b in sentence_spans(passages[n]) or [(0, len(passages[n]))]]
        sentences = [passages[n][a:b] for n, a, b in spans]
        new = [t for t in dict.fromkeys([text] + sentences) if t not in vectors]
        if new:
            vectors.update(zip(new, np.asarray(self.embed(new), dtype=np.float32)))
        similarity = [float(vectors[sentence] @ vectors[text]) for sentence in sentences]
        evidence = " ".join(passages[n] for n in cited)
        score = LEXICAL_WEIGHT * lexical_support(text, evidence) + (1 - LEXICAL_WEIGHT) * max(similarity)
        return score, covering(text, spans, sentences, similarity)
