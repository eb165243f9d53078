"""What the answer selector sees of each candidate: numbers describing how well a sentence (or table row) fits a
question, in degrees rather than gates.

The selector (selector.py) is a model fitted on labelled candidates; this module only measures. Every feature is
general English or a property of the document's metadata, never a word list from one council's evidence. Groups
(for the ablation in the fit report, evaluation/selector_fit.py):

- meaning: cosine of the candidate's stored vector to the question (and to the follow-up query, and to the question's
  topic words alone: question.topic_text), of its passage (whose vector holds the title and section), and how far
  it is from the best candidate's;
- words: the question's IDF-weighted words held by the candidate, by its surroundings (the sentence before, the
  title and section), by its whole passage and metadata, and the share of that weight on words no readable passage
  holds at all; and how much of a line's label the question asks for ("Date of assessment: ...", "... (Chair)");
- kind: the kind of fact asked for (a figure, a share, a date, a name, a rating) held by the candidate or the
  sentence before it;
- period: the year or financial year asked about, agreed or contradicted by the candidate, its passage, its
  document's date;
- names: the places, councils and programmes the question names, found in the candidate or in the passage and
  metadata (title, section, publisher) — a near miss by council names a neighbour;
- source: whose words the candidate is (speakers.py) against whether the question asks what an inspector found,
  and the inspectorate named (CQC, Ofsted) against the document's;
- statement: the framework statement or judgement the question names ("assessing needs", "impact of leaders",
  from the frameworks' names and aliases) against the one the document's title and section name — a CQC page for
  another quality statement is a near miss by statement — and the service asked about (children's or adults')
  against the document's `service`;
- form: a heading, a fragment without a verb, a table header alone, site furniture, its length;
- rules: whether the hand-set answerer's gates (constraints.allowed) would let it through, as one more feature.

Not a feature: the passage's place in retrieval and its fused score. Held out on four development sets, the
ranking without them was as good or better on every set (docs/selection.md, "Four development sets").
"""

import math
from collections.abc import Set
from dataclasses import dataclass, field

import numpy as np

from evidence_bot.answer.constraints import allowed, mentions
from evidence_bot.answer.line_form import form_features, label_asked
from evidence_bot.answer.question import (
    QuestionProfile,
    bodies_named,
    statements_named,
)
from evidence_bot.models import SearchHit
from evidence_bot.text.facts import periods, periods_agree
from evidence_bot.text.lexical import content_words, expansions, stem
from evidence_bot.text.speakers import COUNCIL, INSPECTOR

FEATURE_GROUPS: dict[str, list[str]] = {
    "meaning": ["meaning", "meaning_query", "meaning_passage", "meaning_gap", "meaning_topic"],
    "words": ["words", "words_around", "words_passage", "words_title", "words_gap", "novelty", "echo",
              "unknown_words", "words_topic", "label_asked"],
    "kind": ["asks_kind", "kind", "kind_before", "asks_kind_missing"],
    "period": ["asks_period", "period_sentence", "period_passage", "period_document"],
    "names": ["asks_names", "names_sentence", "names_title", "names_context", "names_missing"],
    "source": ["asks_inspector_inspector", "asks_inspector_council", "asks_inspector_other", "source_inspector",
               "source_council", "body_agrees", "body_differs"],
    "statement": ["asks_statement", "statement_agrees", "statement_differs", "service_differs"],
    "form": ["heading", "no_verb", "table_row", "header_only", "furniture", "length", "lowercase_start"],
    "rules": ["passes_rules"],
}
FEATURE_NAMES: list[str] = [name for group in FEATURE_GROUPS.values() for name in group]
_COLUMN = {name: i for i, name in enumerate(FEATURE_NAMES)}

# What the abstention model sees of an answer: its lead candidate against the rest, and whether what the question
# names (a council, a period, a kind of fact) is anywhere in what was retrieved. A near miss by council or year
# looks like a good answer sentence; these say the evidence is about someone, or some time, else.
ANSWER_FEATURE_NAMES: list[str] = [
    "lead_logit", "lead_margin", "lead_meaning", "lead_words", "lead_kind", "asks_kind",
    "asks_names", "lead_names_missing", "names_anywhere", "asks_period", "lead_period", "period_anywhere",
    "lead_body_differs", "lead_heading", "lead_passes_rules", "any_passes_rules", "asks_statement",
    "lead_scope_differs", "statement_anywhere", "unknown_words", "lead_topic", "topic_anywhere", "lead_kind_missing"]



@dataclass
class Candidate:
    """A sentence or table row of a retrieved passage."""
    hit_index: int
    start: int  # offset in the passage text, for ordering
    text: str
    id: str  # passage id and offset: the key of its stored vector
    previous: "Candidate | None" = None  # the sentence before, in the same passage (none for table rows)
    source: str = ""  # whose words (speakers.py)
    probability: float = 0.0  # the selector's: that it holds the answer
    rank: float = 0.0  # the selector's ranking score among this question's candidates
    # the sentence after, in the same passage; left out of comparisons, which would otherwise run in a circle
    following: "Candidate | None" = field(default=None, compare=False, repr=False)
    whole_line: bool = field(default=True, compare=False)  # alone on its line in the passage (a heading must be)


def period_agreement(asked: Set[tuple[int, int]], text: str) -> float:
    """+1 the text states the period asked about, -1 it states only other periods, 0 it states none."""
    stated = periods(text)
    if not asked or not stated:
        return 0.0
    return 1.0 if periods_agree(asked, stated) else -1.0


def document_year_agreement(asked: Set[tuple[int, int]], date: str | None) -> float:
    """The document's date against the period asked about: a report of May 2024 speaks of 2023-24 and 2024."""
    if not asked or not date or not date[:4].isdigit():
        return 0.0
    year = int(date[:4])
    return 1.0 if any(start - 1 <= year <= end + 1 for start, end in asked) else -1.0


def names_share(names: list[str], text: str) -> float:
    if not names:
        return 0.0
    lowered = text.lower()
    spelled = " ".join(expansions(text)).lower()
    return sum(mentions(n, lowered, spelled) for n in names) / len(names)


def coverage(weights: dict[str, float], text: str, around: str = "", around_share: float = 0.5) -> float:
    """Share of the question's IDF weight whose words (light stems) the text holds; a word only in the
    surroundings counts around_share."""
    total = sum(weights.values())
    if not total:
        return 0.0
    lowered, nearby = text.lower(), around.lower()
    spelled = {w.lower() for w in expansions(text)}
    found = 0.0
    for term, weight in weights.items():
        if stem(term) in lowered or term in spelled:
            found += weight
        elif around and stem(term) in nearby:
            found += around_share * weight
    return found / total


def topic_weights(weights: dict[str, float], names: list[str]) -> dict[str, float]:
    """The question's words less the council or place it names and its numbers (years): what it asks about.
    "What is Kent's council tax increase for 2025/26?" is about council tax, wherever Kent and 2025 appear."""
    named = {w for name in names for w in content_words(name)}
    return {w: v for w, v in weights.items() if w not in named and not any(ch.isdigit() for ch in w)}


def novelty_features(text: str, asked: set[str], cover: float) -> dict[str, float]:
    """An answer adds to the question: the share of the candidate's content words the question does not hold,
    and whether it only echoes the question (most of its words asked, little else: a heading, an agenda item)."""
    own = {stem(w) for w in content_words(text)}
    novelty = len(own - asked) / len(own) if own else 0.0
    return {"novelty": novelty, "echo": float(cover >= 0.5 and novelty < 0.5)}


def context_of(hit: SearchHit) -> str:
    """The document title and section: where the hand-set rules look for the names a question gives."""
    return " ".join(filter(None, [hit.meta.title, hit.passage.section]))


def metadata_text(hit: SearchHit) -> str:
    meta = hit.meta
    return " ".join(filter(None, [meta.title, hit.passage.section, meta.publisher]))


def body_of(hit: SearchHit, text: str = "") -> set[str]:
    """The inspectorates the document's publisher and title, and the candidate's own text, name."""
    return set(bodies_named(" ".join(filter(None, [hit.meta.publisher, hit.meta.title, text]))))


def feature_rows(profile: QuestionProfile, candidates: list[Candidate], hits: list[SearchHit],
                 meaning: np.ndarray, meaning_query: np.ndarray, meaning_passage: np.ndarray,
                 weights: dict[str, float], unknown: float = 0.0,
                 meaning_topic: np.ndarray | None = None) -> np.ndarray:
    """One row of FEATURE_NAMES per candidate. meaning*: cosines per candidate (the passage's per hit; the topic's:
    question.topic_text); unknown: the share of the question's word weight on words the index never holds (the same
    for every candidate)."""
    c = profile.constraints
    best_meaning = float(meaning.max()) if len(meaning) else 0.0
    passage_cover = [coverage(weights, f"{h.passage.text} {metadata_text(h)}") for h in hits]
    title_cover = [coverage(weights, metadata_text(h)) for h in hits]
    # What is the same for every candidate of a passage, measured once per passage.
    period_passage = [period_agreement(c.asked_periods, f"{h.passage.text} {metadata_text(h)}") for h in hits]
    names_title = [names_share(profile.names, metadata_text(h)) for h in hits]
    names_context = [names_share(profile.names, f"{h.passage.text} {metadata_text(h)}") for h in hits]
    coverage_of = [coverage(weights, cand.text) for cand in candidates]
    best_cover = max(coverage_of, default=0.0)
    asked_words = {stem(w) for w in weights}
    topic = topic_weights(weights, profile.names)
    kinds = {cand.text: c.kind_share(cand.text) for cand in candidates}  # a sentence is also the next one's before
    rows = []
    meaning_topic = meaning if meaning_topic is None else meaning_topic
    for cand, own, query_meaning, topic_meaning, cover in zip(candidates, meaning, meaning_query, meaning_topic,
                                                              coverage_of):
        hit = hits[cand.hit_index]
        context = metadata_text(hit)
        before = cand.previous.text if cand.previous else ""
        values = {
            "meaning": float(own), "meaning_topic": float(topic_meaning), "meaning_query": float(query_meaning),
            "meaning_passage": float(meaning_passage[cand.hit_index]), "meaning_gap": best_meaning - float(own),
            "words": cover, "words_around": coverage(weights, cand.text, f"{before} {context}"),
            "words_passage": passage_cover[cand.hit_index], "words_title": title_cover[cand.hit_index],
            "words_gap": best_cover - cover, **novelty_features(cand.text, asked_words, cover),
            "unknown_words": unknown, "words_topic": coverage(topic, f"{before} {cand.text}"),
            "label_asked": 0.0 if hit.passage.kind == "table" else label_asked(cand.text, weights.keys()),
            "asks_kind": float(bool(c.kinds)), "kind": kinds[cand.text],
            "kind_before": kinds.get(before, 0.0) if before else 0.0,
            "asks_kind_missing": float(bool(c.kinds) and not kinds[cand.text]),
            "asks_period": float(bool(c.asked_periods)),
            "period_sentence": period_agreement(c.asked_periods, f"{before} {cand.text}"),
            "period_passage": period_passage[cand.hit_index],
            "period_document": document_year_agreement(c.asked_periods, hit.meta.date),
            "asks_names": float(bool(profile.names)),
            "names_sentence": names_share(profile.names, cand.text),
            "names_title": names_title[cand.hit_index],
            "names_context": names_context[cand.hit_index],
            "names_missing": float(bool(profile.names) and names_context[cand.hit_index] < 1),
            **source_features(profile, cand.source, body_of(hit, cand.text)),
            **statement_features(profile.statements, cand.text, context),
            "service_differs": float(len(profile.services) == 1 and hit.meta.service in ("children", "adults")
                                     and hit.meta.service not in profile.services),
            **form_features(cand.text, hit.passage.kind == "table"),
            "passes_rules": float(allowed(c, cand.text, before, context_of(hit))),
        }
        rows.append([values[name] for name in FEATURE_NAMES])
    return np.asarray(rows, dtype=np.float64).reshape(len(candidates), len(FEATURE_NAMES))


def statement_features(asked: Set[tuple[str, str]], text: str, context: str) -> dict[str, float]:
    """Whether the candidate's document (title, section) or the candidate itself names the statement asked about,
    or its document names another statement of the same framework and not the asked one."""
    if not asked:
        return {"asks_statement": 0.0, "statement_agrees": 0.0, "statement_differs": 0.0}
    in_context = statements_named(context)
    agrees = bool(asked & (in_context | statements_named(text)))
    frameworks = {framework for framework, _ in asked}
    differs = not agrees and any(framework in frameworks for framework, _ in in_context)
    return {"asks_statement": 1.0, "statement_agrees": float(agrees), "statement_differs": float(differs)}


def source_features(profile: QuestionProfile, source: str, bodies: set[str]) -> dict[str, float]:
    asks = profile.asks_inspector
    return {
        "asks_inspector_inspector": float(asks and source == INSPECTOR),
        "asks_inspector_council": float(asks and source == COUNCIL),
        "asks_inspector_other": float(asks and source not in (INSPECTOR, COUNCIL)),
        "source_inspector": float(source == INSPECTOR),
        "source_council": float(source == COUNCIL),
        "body_agrees": float(bool(profile.bodies & bodies)),
        "body_differs": float(bool(profile.bodies) and bool(bodies) and not profile.bodies & bodies),
    }


def answer_features(lead: Candidate, others: list[Candidate], rows: np.ndarray, index: int) -> np.ndarray:
    """ANSWER_FEATURE_NAMES for an answer led by `lead` (row `index` of rows), among the question's others."""
    row = rows[index]
    runner_up = max((c.rank for c in others if c is not lead), default=lead.rank - 5.0)
    p = min(max(lead.probability, 1e-6), 1 - 1e-6)
    values = [math.log(p / (1 - p)), lead.rank - runner_up, row[_COLUMN["meaning"]], row[_COLUMN["words"]],
              max(row[_COLUMN["kind"]], row[_COLUMN["kind_before"]]), row[_COLUMN["asks_kind"]],
              row[_COLUMN["asks_names"]], row[_COLUMN["names_missing"]], rows[:, _COLUMN["names_context"]].max(),
              row[_COLUMN["asks_period"]], row[_COLUMN["period_sentence"]], rows[:, _COLUMN["period_passage"]].max(),
              row[_COLUMN["body_differs"]], row[_COLUMN["heading"]], row[_COLUMN["passes_rules"]],
              rows[:, _COLUMN["passes_rules"]].max(), row[_COLUMN["asks_statement"]],
              max(row[_COLUMN["statement_differs"]], row[_COLUMN["service_differs"]]),
              rows[:, _COLUMN["statement_agrees"]].max(), row[_COLUMN["unknown_words"]],
              row[_COLUMN["words_topic"]], rows[:, _COLUMN["words_topic"]].max(),
              float(bool(row[_COLUMN["asks_kind"]]) and not max(row[_COLUMN["kind"]], row[_COLUMN["kind_before"]]))]
    return np.asarray(values, dtype=np.float64)
