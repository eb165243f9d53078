"""The default answerer: sentences selected from the retrieved passages, each cited, or an abstention.

Every statement in an answer is text of the passage it cites. Candidate units
are sentences (and table rows under their header row); each is scored on its
meaning (cosine to the question), the question's rarer words it holds
(IDF-weighted), the rank of its passage, and whether it has the kind of fact
the question asks for (a number, a date, a name). The best score is the
confidence; below the calibrated threshold the answerer abstains. Word rarity
is counted over the passages the reader may read (access levels), so hidden
documents cannot move a reader's confidence."""

import math
from dataclasses import dataclass

import numpy as np

from evidence_bot.answer.constraints import Constraints
from evidence_bot.embedding import Embedder
from evidence_bot.lexical import content_words, expansions
from evidence_bot.models import Answer, Citation, SearchHit
from evidence_bot.speakers import document_source, sentence_source
from evidence_bot.units import passage_units, unit_id

ABSTENTION = "The evidence provided does not answer this."
PASSAGES_READ = 5

WEIGHTS = {"meaning": 0.5, "words": 0.35, "rank": 0.1, "kind": 0.08}
CONTEXT_WORD_SHARE = 0.5


@dataclass
class Unit:
    hit_index: int
    start: int  # offset in the passage text, for ordering
    text: str
    previous: "Unit | None" = None  # the sentence before, in the same passage
    score: float = 0.0  # ranks units
    support: float = 0.0  # how well the unit alone answers: meaning and words, no rank or kind bonus
    id: str = ""  # passage id and offset: the key of its stored vector
    surroundings: str = ""  # the sentence before and the document title and section: words said around it


class ExtractiveAnswerer:
    def __init__(self, embedder: Embedder, stored_vectors, document_frequency, total_passages, threshold: float,
                 max_sentences: int = 3):
        self.embedder = embedder
        self.stored_vectors = stored_vectors  # callable: unit ids -> {id: vector}, embedded at ingest
        self.document_frequency = document_frequency  # callable: (list[str], access) -> {term: passages holding it}
        self.total_passages = total_passages  # callable: (access) -> int; access: the levels read, None for all
        self.threshold = threshold
        self.max_sentences = max_sentences

    def answer(self, question: str, query: str, hits: list[SearchHit], access: list[str] | None = None) -> Answer:
        units = all_units = candidate_units(hits[:PASSAGES_READ])
        if not units:
            return Answer(ABSTENTION, True, [], 0.0, query)
        constraints = Constraints.of(question)
        units = [u for u in units if constraints.allows(u.text, u.previous.text if u.previous else "",
                                                        context_of(hits[u.hit_index]))]
        if not units:
            return Answer(ABSTENTION, True, [], 0.0, query)
        self.score(question, query, units, constraints, access)
        best = max(units, key=lambda u: u.score)
        confidence = max(u.support for u in units)
        if confidence < self.threshold:
            return Answer(ABSTENTION, True, [], confidence, query)
        chosen = with_missing_kind(select(units, best, self.max_sentences), best, constraints)
        return compose(with_list_items(chosen, all_units), hits, confidence, query)

    def score(self, question: str, query: str, units: list[Unit], constraints: Constraints,
              access: list[str] | None = None) -> None:
        vectors = self.unit_vectors(units)
        meaning = vectors @ self.embedder.embed_query(question)
        context = vectors @ self.embedder.embed_query(query) if query != question else meaning
        weights = self.term_weights(question, query, access)
        for unit, own, topic in zip(units, meaning, context):
            meaning_part = WEIGHTS["meaning"] * max(float(own), 0.5 * (float(own) + float(topic)))
            unit.support = meaning_part + WEIGHTS["words"] * word_coverage(unit.text, weights)
            # Which sentence answers may rest on words said just before it or in its heading ("The Appointee
            # Team ... Currently they support 132 people."); whether to answer at all (support) does not.
            unit.score = (meaning_part + WEIGHTS["words"] * word_coverage(unit.text, weights, unit.surroundings)
                          + WEIGHTS["rank"] / (1 + unit.hit_index)
                          + WEIGHTS["kind"] * kind_with_lead_in(unit, constraints))

    def unit_vectors(self, units: list[Unit]) -> np.ndarray:
        stored = self.stored_vectors([u.id for u in units])
        missing = [u for u in units if u.id not in stored]
        stored.update(zip([u.id for u in missing], self.embedder.embed([u.text for u in missing]) if missing else []))
        return np.asarray([stored[u.id] for u in units], dtype=np.float32)

    def term_weights(self, question: str, query: str, access: list[str] | None = None) -> dict[str, float]:
        """IDF of each content word of the question (and of the conversation, at half weight), over the passages
        of these access levels."""
        own = content_words(question)
        inherited = [w for w in content_words(query) if w not in own]
        frequency = self.document_frequency(own + inherited, access)
        total = max(self.total_passages(access), 1)
        weights = {}
        for word in own + inherited:
            idf = math.log(1 + total / (1 + frequency.get(word, 0)))
            weights[word] = idf if word in own else idf / 2
        return weights


def candidate_units(hits: list[SearchHit]) -> list[Unit]:
    units = []
    for index, hit in enumerate(hits):
        previous = None
        for start, text in passage_units(hit.passage.text, hit.passage.kind):
            before = previous if hit.passage.kind != "table" else None
            units.append(Unit(index, start, text, before, id=unit_id(hit.passage.id, start),
                              surroundings=f"{before.text if before else ''} {context_of(hit)}"))
            previous = units[-1]
    return units


def stem(word: str) -> str:
    """A light suffix strip, enough to match 'waiting' with 'awaiting', 'homes' with 'home'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def word_coverage(text: str, weights: dict[str, float], surroundings: str = "") -> float:
    """Share of the question's IDF weight whose words appear in the text (stems, inside words too); a word
    found only in the sentence's surroundings (the sentence before, the section heading) counts half.

    An acronym counts as present when its long form is (DoLS / Deprivation of Liberty Safeguards)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    lowered, around = text.lower(), surroundings.lower()
    spelled = {w.lower() for w in expansions(text)}

    def share(term: str) -> float:
        if stem(term) in lowered or term in spelled:
            return 1.0
        return CONTEXT_WORD_SHARE if stem(term) in around else 0.0

    return sum(w * share(term) for term, w in weights.items()) / total


def kind_with_lead_in(unit: Unit, constraints: Constraints) -> float:
    """The fact asked for may sit in the sentence before ('Cllr X asked her question. The ...')."""
    own = constraints.kind_share(unit.text)
    if own or unit.previous is None:
        return own
    return 0.9 * constraints.kind_share(unit.previous.text)


def select(units: list[Unit], best: Unit, limit: int) -> list[Unit]:
    """The best unit and the next ones close to it, without repeats."""
    ranked = sorted(units, key=lambda u: u.score, reverse=True)
    chosen = [best]
    for unit in ranked[1:]:
        if len(chosen) >= limit or unit.score < best.score * 0.85:
            break
        if not any(overlaps(unit.text, c.text) for c in chosen):
            chosen.append(unit)
    return sorted(chosen, key=lambda u: (u.hit_index != best.hit_index, u.hit_index, u.start))


def with_missing_kind(chosen: list[Unit], best: Unit, constraints: Constraints) -> list[Unit]:
    """'Who asked...?' answered by a sentence without a name: add the sentence before it that has one."""
    lead_in = best.previous
    if not constraints.kinds or constraints.kind_share(best.text) or lead_in is None or lead_in in chosen:
        return chosen
    if constraints.kind_share(lead_in.text):
        return sorted([lead_in, *chosen], key=lambda u: (u.hit_index != best.hit_index, u.hit_index, u.start))
    return chosen


def context_of(hit: SearchHit) -> str:
    return " ".join(filter(None, [hit.meta.title, hit.passage.section]))


def with_list_items(chosen: list[Unit], units: list[Unit], limit: int = 8) -> list[Unit]:
    """A sentence that introduces a list ('...the following:') is no answer without the list after it."""
    result = []
    for unit in chosen:
        result.append(unit)
        if unit.text.rstrip().endswith(":"):
            following = [u for u in units if u.hit_index == unit.hit_index and u.start > unit.start]
            result += [u for u in following[:limit] if u not in chosen and u not in result]
    return result


def overlaps(a: str, b: str) -> bool:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(1, min(len(wa), len(wb))) > 0.7


def compose(chosen: list[Unit], hits: list[SearchHit], confidence: float, query: str) -> Answer:
    numbers: dict[int, int] = {}
    spans: dict[int, list[list[int]]] = {}
    parts = []
    for unit in chosen:
        n = numbers.setdefault(unit.hit_index, len(numbers) + 1)
        parts.append(f"{unit.text} [{n}]")
        spans.setdefault(unit.hit_index, []).append(quoted_span(unit, hits[unit.hit_index]))
    citations = [citation(n, hits[index], sorted(spans[index])) for index, n in numbers.items()]
    return Answer(" ".join(parts), False, citations, confidence, query)


def quoted_span(unit: Unit, hit: SearchHit) -> list[int]:
    """Where the quoted text sits in the passage; for a table row, the row itself (its header is line one)."""
    quoted = unit.text.split("\n")[-1] if hit.passage.kind == "table" else unit.text
    return [unit.start, unit.start + len(quoted)]


def citation(n: int, hit: SearchHit, highlights: list[list[int]]) -> Citation:
    p = hit.passage
    quoted = " ".join(p.text[start:end] for start, end in highlights) or p.text
    source = sentence_source(quoted, document_source(hit.meta.doc_type, hit.meta.publisher))
    return Citation(n=n, document=p.doc_id, title=hit.meta.title or p.doc_id, doc_type=hit.meta.doc_type,
                    date=hit.meta.date, page=p.page, section=p.section, text=p.text, score=round(hit.score, 5),
                    passage_id=p.id, url=hit.meta.url, also_in=list(hit.renditions), highlights=highlights,
                    source=source)
