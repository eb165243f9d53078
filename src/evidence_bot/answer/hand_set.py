"""The hand-set answerer: sentences scored by fixed weights and rejected by fixed gates, or an abstention.

This was the answerer before issue 16 and stays the default (EVIDENCE_BOT_ANSWER_SELECTION=hand-set) until the
learned selector (extractive.py, selector.py) meets the Thurrock set's floors: held out, the learned one answers
more of the evidence nobody tuned for, but falls below those floors on Thurrock, the set these weights were
tuned on (docs/selection.md). Its answers are composed like the learned one's: whose words, named (attribution.py).

Each unit is scored on its meaning (cosine to the question), the question's rarer words it holds
(IDF-weighted), the rank of its passage, and whether it has the kind of fact the question asks for. The best
score is the confidence; below the threshold (0.34, chosen on the Thurrock set) the answerer abstains."""

from dataclasses import dataclass

import numpy as np

from evidence_bot.answer.composing import compose, is_partial, overlaps, with_list_items
from evidence_bot.answer.constraints import Constraints, allowed
from evidence_bot.answer.extractive import ABSTENTION, idf_weights
from evidence_bot.answer.features import context_of, coverage
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.answer.reading import stored_unit_vectors
from evidence_bot.models import Answer, DocumentFrequency, PassageCount, SearchHit, UnitVectors
from evidence_bot.store.embedding import Embedder
from evidence_bot.text.lexical import content_words
from evidence_bot.text.units import passage_units, unit_id
from evidence_bot.tuning import HAND_SET_PASSAGES_READ, HAND_SET_THRESHOLD

WEIGHTS = {"meaning": 0.5, "words": 0.35, "rank": 0.1, "kind": 0.08}


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
    # Whose words: the hand-set answerer does not tell speakers apart, so every unit is in one voice (a list after
    # its introduction is then every item that follows it; composing.list_after compares voices).
    source: str = ""


class HandSetAnswerer:
    def __init__(self, embedder: Embedder, stored_vectors: UnitVectors, document_frequency: DocumentFrequency,
                 total_passages: PassageCount, threshold: float = HAND_SET_THRESHOLD, max_sentences: int = 3):
        self.embedder = embedder
        self.stored_vectors = stored_vectors  # sentences' and rows' vectors, embedded at ingest
        self.document_frequency = document_frequency
        self.total_passages = total_passages
        self.threshold = threshold
        self.max_sentences = max_sentences

    def answer(self, question: str, query: str, hits: list[SearchHit], access: list[str] | None = None) -> Answer:
        units = all_units = candidate_units(hits[:HAND_SET_PASSAGES_READ])
        if not units:
            return Answer(ABSTENTION, True, [], 0.0, query)
        constraints = Constraints.of(question)
        units = [u for u in units if allowed(constraints, u.text, u.previous.text if u.previous else "",
                                             context_of(hits[u.hit_index]))]
        if not units:
            return Answer(ABSTENTION, True, [], 0.0, query)
        self.score(question, query, units, constraints, access)
        best = max(units, key=lambda u: u.score)
        confidence = max(u.support for u in units)
        if confidence < self.threshold:
            return Answer(ABSTENTION, True, [], confidence, query)
        chosen = with_missing_kind(select(units, best, self.max_sentences), best, constraints)
        answer = compose(with_list_items(chosen, all_units), hits, confidence, query)
        answer.partial = is_partial(QuestionProfile.of(question), chosen, hits)
        return answer

    def score(self, question: str, query: str, units: list[Unit], constraints: Constraints,
              access: list[str] | None = None) -> None:
        vectors = self.unit_vectors(units)
        meaning = vectors @ self.embedder.embed_query(question)
        context = vectors @ self.embedder.embed_query(query) if query != question else meaning
        weights = self.term_weights(question, query, access)
        for unit, own, topic in zip(units, meaning, context):
            meaning_part = WEIGHTS["meaning"] * max(float(own), 0.5 * (float(own) + float(topic)))
            unit.support = meaning_part + WEIGHTS["words"] * coverage(weights, unit.text)
            # Which sentence answers may rest on words said just before it or in its heading ("The Appointee
            # Team ... Currently they support 132 people."); whether to answer at all (support) does not.
            unit.score = (meaning_part + WEIGHTS["words"] * coverage(weights, unit.text, unit.surroundings)
                          + WEIGHTS["rank"] / (1 + unit.hit_index)
                          + WEIGHTS["kind"] * kind_with_lead_in(unit, constraints))

    def unit_vectors(self, units: list[Unit]) -> np.ndarray:
        return stored_unit_vectors(units, self.stored_vectors, self.embedder)

    def term_weights(self, question: str, query: str, access: list[str] | None = None) -> dict[str, float]:
        return idf_weights(question, query, self.document_frequency(content_words(question) + content_words(query),
                                                                    access), self.total_passages(access))


def candidate_units(hits: list[SearchHit]) -> list[Unit]:
    units: list[Unit] = []
    for index, hit in enumerate(hits):
        previous: Unit | None = None
        for start, text in passage_units(hit.passage.text, hit.passage.kind):
            before = previous if hit.passage.kind != "table" else None
            units.append(Unit(index, start, text, before, id=unit_id(hit.passage.id, start),
                              surroundings=f"{before.text if before else ''} {context_of(hit)}"))
            previous = units[-1]
    return units


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
