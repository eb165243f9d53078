"""The default answerer: sentences selected from the retrieved passages, each cited, or an abstention.

Every statement in an answer is text of the passage it cites, led by the name of whose words they are and the
document (attribution.py). Candidates are the sentences and table rows of the passages read; features.py
measures each against the question, and a model fitted on labelled candidates (selector.py) gives each the
probability that it holds what was asked. The best candidate's calibrated probability is the confidence: below
the selector's threshold the answerer abstains. A question about what an inspector found is answered from the
inspector's words only; when none is good enough the answer abstains and may add, labelled, the council's own
claim. Word rarity is counted over the passages the reader may read (access levels), so hidden documents cannot
move a reader's confidence."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from evidence_bot.answer.composing import (
    compose,
    is_partial,
    select,
    under_heading,
    with_list_items,
    with_missing_kind,
)
from evidence_bot.answer.constraints import mentions
from evidence_bot.answer.features import (
    FEATURE_NAMES,
    Candidate,
    answer_features,
    coverage,
    feature_rows,
    metadata_text,
)
from evidence_bot.answer.line_form import is_furniture
from evidence_bot.answer.misfits import about_another_council, counts_another_period, names_nobody
from evidence_bot.answer.question import QuestionProfile, topic_text
from evidence_bot.answer.reading import candidate_units, reading_order, stored_unit_vectors
from evidence_bot.answer.row_filter import filtered_rows
from evidence_bot.answer.selector import Selector
from evidence_bot.models import Answer, DocumentFrequency, Passage, PassageCount, SearchHit, UnitVectors
from evidence_bot.stages import stage
from evidence_bot.store.embedding import Embedder
from evidence_bot.text.lexical import CUT_MARK, codes, content_words
from evidence_bot.text.speakers import FRAMEWORK
from evidence_bot.tuning import MIN_CUT_LEAD_WORDS

ABSTENTION = "The evidence provided does not answer this."
NO_INSPECTOR_WORDS = "The evidence holds no inspector's words that answer this."
COUNCIL_CLAIM = "What the council's own documents say, which is its claim, not the inspector's finding:"
ANSWER_SOURCES_FOR_INSPECTOR = ("inspector",)
MEANING, MEANING_QUERY = FEATURE_NAMES.index("meaning"), FEATURE_NAMES.index("meaning_query")


@dataclass
class Candidates:
    """A question's candidates and their feature rows: everything before the model."""
    question: str
    query: str
    profile: QuestionProfile
    items: list[Candidate]
    rows: np.ndarray
    hits: list[SearchHit] = field(default_factory=list)  # the passages read, in the order items index them


class ExtractiveAnswerer:
    def __init__(self, embedder: Embedder, stored_vectors: UnitVectors, passage_vectors: UnitVectors,
                 document_frequency: DocumentFrequency, total_passages: PassageCount,
                 selector: Selector | None = None, max_sentences: int = 3,
                 preceding: Callable[[Passage], str] | None = None,
                 table_of: Callable[[Passage], list[Passage]] | None = None):
        self.embedder = embedder
        self.stored_vectors = stored_vectors  # sentences' and rows' vectors, embedded at ingest
        self.passage_vectors = passage_vectors
        self.document_frequency = document_frequency
        self.total_passages = total_passages
        self._selector = selector
        self.max_sentences = max_sentences
        self.preceding = preceding or (lambda passage: "")  # the text of its document's passage before it
        self.table_of = table_of or (lambda passage: [passage])  # the passages of a table passage's whole table

    @property
    def selector(self) -> Selector:
        if self._selector is None:
            self._selector = Selector.load()
        return self._selector

    def answer(self, question: str, query: str, hits: list[SearchHit], access: list[str] | None = None) -> Answer:
        found = self.candidates(question, query, hits, access)
        return self.decide(found, found.hits)

    def candidates(self, question: str, query: str, hits: list[SearchHit],
                   access: list[str] | None = None) -> Candidates:
        """hits: up to READ_DEPTH passages in retrieval order; PASSAGES_READ of them are read (reading_order)."""
        profile = QuestionProfile.in_conversation(question, query)
        hits = reading_order(profile, hits)
        items = candidate_units(hits, self.preceding)
        if not items:
            return Candidates(question, query, profile, [], np.zeros((0, 0)), hits)
        with stage("answer: stored vectors"):
            vectors = self.unit_vectors(items)
            passages = self.passage_vectors([h.passage.id for h in hits])
        asked = self.embedder.embed_query(question)
        meaning = vectors @ asked
        meaning_query = vectors @ self.embedder.embed_query(query) if query != question else meaning
        meaning_passage = np.asarray([float(np.dot(passages[h.passage.id], asked)) if h.passage.id in passages
                                      else (h.dense or 0.0) for h in hits])
        frequency = self.document_frequency(content_words(question) + content_words(query), access)
        weights = idf_weights(question, query, frequency, self.total_passages(access))
        topic = topic_text(question)
        meaning_topic = vectors @ self.embedder.embed_query(topic) if topic else meaning
        rows = feature_rows(profile, items, hits, meaning, meaning_query, meaning_passage, weights,
                            unknown_share(weights, frequency), meaning_topic)
        return Candidates(question, query, profile, items, rows, hits)

    def decide(self, found: Candidates, hits: list[SearchHit], selector: Selector | None = None) -> Answer:
        """The answer from scored candidates; selector: another fitted model (held-out evaluation)."""
        selector = selector or self.selector
        if not found.items:
            return Answer(ABSTENTION, True, [], 0.0, found.query)
        for item, p, rank in zip(found.items, selector.probability(found.rows), selector.rank(found.rows)):
            item.probability, item.rank = float(p), float(rank)
        listed = filtered_rows(found.question, found.profile, hits, self.table_of,
                               lambda tables: candidate_units(tables, self.preceding))
        if listed.rows:  # an exact reading of a list question, gated by its own rules, not the model's (row_filter.py)
            answer = compose(listed.rows, listed.cited, list_confidence(found, listed.rows, selector), found.query)
            answer.partial = listed.cut
            return answer
        if is_off_topic(found, selector):
            return Answer(ABSTENTION, True, [], 0.0, found.query)
        eligible = eligible_candidates(found.profile, found.items)
        best = max(eligible, key=lambda c: c.rank, default=None)
        confidence = selector.confidence(lead_row(found, best, eligible)) if best else 0.0
        if best is None or confidence < selector.threshold or not shares_a_word(found.query, hits[best.hit_index]):
            return self.abstention(found, hits, selector, confidence)
        titles = [h.meta.title or "" for h in hits]
        best = under_heading(best, found.profile, titles[best.hit_index], eligible)
        chosen = with_missing_kind(select(eligible, best, self.max_sentences, selector.companion_share,
                                          codes(found.question), titles), best, found.profile)
        if (names_nobody(found.question, chosen) or counts_another_period(found.question, found.profile, chosen)
                or about_another_council(f"{found.question} {found.query}", hits, chosen, best)):
            return self.abstention(found, hits, selector, confidence)
        answer = compose(with_list_items(chosen, found.items), hits, confidence, found.query)
        answer.partial = is_partial(found.profile, chosen, hits)
        return answer

    def abstention(self, found: Candidates, hits: list[SearchHit], selector: Selector, confidence: float) -> Answer:
        """Plain abstention; for an inspector question, the council's own best claim may follow, labelled."""
        if not found.profile.asks_inspector:
            return Answer(ABSTENTION, True, [], confidence, found.query)
        claims = [c for c in found.items if c.source == "council"]
        claim = max(claims, key=lambda c: c.rank, default=None)
        if claim is None or selector.confidence(lead_row(found, claim, claims)) < selector.threshold:
            return Answer(NO_INSPECTOR_WORDS, True, [], confidence, found.query)
        quoted = compose([claim], hits, confidence, found.query)
        return replace(quoted, answer=f"{NO_INSPECTOR_WORDS} {COUNCIL_CLAIM} {quoted.answer}", abstained=True)

    def unit_vectors(self, items: list[Candidate]) -> np.ndarray:
        return stored_unit_vectors(items, self.stored_vectors, self.embedder)


def list_confidence(found: Candidates, rows: list[Candidate], selector: Selector) -> float:
    """The selector's confidence in an answer led by the first listed row it scored (0 when the rows all come
    from parts of a table no search returned)."""
    listed = {row.id for row in rows}
    lead = next((c for c in found.items if c.id in listed), None)
    return selector.confidence(lead_row(found, lead, found.items)) if lead else 0.0


def eligible_candidates(profile: QuestionProfile, items: list[Candidate]) -> list[Candidate]:
    """The candidates an answer may be chosen from: the inspector's words for a question about what the inspector
    found; never the framework's own wording on an inspector's page (speakers.py, rule 0) unless the question asks
    what the framework expects; never a short cut-off sentence nor site furniture."""
    items = [c for c in items if not is_cut_short(c.text) and not is_furniture(c.text)]
    if profile.asks_inspector:
        return [c for c in items if c.source in ANSWER_SOURCES_FOR_INSPECTOR]
    return items if profile.asks_standard else [c for c in items if c.source != FRAMEWORK]


def is_cut_short(text: str) -> bool:
    """A sentence the page was cut off in (marked at ingest), too short to say anything: it may follow the lead,
    marked, but never be chosen (tuning.MIN_CUT_LEAD_WORDS)."""
    return text.rstrip().endswith(CUT_MARK) and len(text.split()) < MIN_CUT_LEAD_WORDS


def idf_weights(question: str, query: str, frequency: dict[str, int], total: int) -> dict[str, float]:
    """IDF of each content word of the question (and of the conversation, at half weight), over `total` passages
    of which `frequency[word]` hold it (counted over the reader's access levels)."""
    own = content_words(question)
    inherited = [w for w in content_words(query) if w not in own]
    total = max(total, 1)
    weights = {}
    for word in own + inherited:
        idf = math.log(1 + total / (1 + frequency.get(word, 0)))
        weights[word] = idf if word in own else idf / 2
    return weights


def unknown_share(weights: dict[str, float], frequency: dict[str, int]) -> float:
    """The share of the question's word weight (with the conversation's, at the weight idf_weights gives it) on
    words no passage the reader may read holds ("potholes" in a social care index). A feature of both models, not
    a rule: a small collection lacks many everyday words a paraphrase uses (docs/selection.md step 7)."""
    total = sum(weights.values())
    return sum(w for word, w in weights.items() if not frequency.get(word)) / total if total else 0.0


def is_off_topic(found: Candidates, selector: Selector) -> bool:
    """Nothing retrieved is about the question ("How many potholes were repaired in 2024?" over social care
    evidence): however well a figure and a year fit, no answer. A reference code the question names ("Who owns
    action W2.1?") held by a candidate makes it on topic, whatever the meaning: the embedding model reads "W2.1"
    as noise. The share of the question's words the evidence never uses is a feature, not a rule: how many
    words a collection lacks depends on its size (docs/selection.md step 7)."""
    return best_meaning(found) < selector.meaning_floor and not holds_asked_code(found)


def holds_asked_code(found: Candidates) -> bool:
    asked = codes(found.question)
    return bool(asked) and any(mentions(code, item.text.lower()) for item in found.items for code in asked)


def shares_a_word(query: str, hit: SearchHit) -> bool:
    """The answer's passage (with its title and section) holds a word of the question or conversation other than
    a number: a figure for the year asked about, in a passage about something else, is no answer. Every right
    held-out answer of the development sets passes (docs/selection.md)."""
    asked = {w: 1.0 for w in content_words(query) if not any(ch.isdigit() for ch in w)}
    return not asked or coverage(asked, f"{hit.passage.text} {metadata_text(hit)}") > 0


def best_meaning(found: Candidates) -> float:
    """The highest cosine of any candidate to the question or to the conversation's query."""
    return float(np.max(found.rows[:, [MEANING, MEANING_QUERY]])) if len(found.items) else 0.0


def lead_row(found: Candidates, lead: Candidate, others: list[Candidate]) -> np.ndarray:
    """The abstention model's features for an answer led by `lead` (features.answer_features)."""
    return answer_features(lead, others, found.rows, next(i for i, c in enumerate(found.items) if c is lead))
