"""Which framework statements a passage evidences, and which kind of evidence it is.

A statement's probability for a passage comes from the fitted mapping model
(mapping_model.py, `make fit-mapping`) over the features in FEATURES:
- meaning: cosine between the passage (and its best sentence) and the statement, both as
  described in the framework file and as learned from labelled passages, each also relative to the
  passage's best statement (a passage is filed under what it is most about);
- terms: the statement's terms used in the passage; the sentence nearest any of its terms;
- headings: the passage's title or section names the statement; its own heading is near the statement
  or its terms (self-assessments are organised by statement);
- service: a framework for adults is not applied to children's documents, and back.
Its category comes from who is speaking (source_category)."""

import re
from collections.abc import Callable, Set
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import numpy as np
from numpy.typing import ArrayLike

from evidence_bot.evidence.frameworks.framework import Framework
from evidence_bot.evidence.frameworks.mapping_model import MappingModel, MappingModelError
from evidence_bot.models import DocumentMeta, Passage
from evidence_bot.text.facts import STATISTIC
from evidence_bot.text.units import passage_units, unit_id

if TYPE_CHECKING:  # chromadb loads only when vectors are needed
    from evidence_bot.store.vectors import VectorStore

Embed = Callable[[list[str]], list[list[float]]]  # texts -> their vectors (Embedder.embed)

FEATURES = ("meaning", "meaning_gap", "learned", "learned_gap", "sentence_meaning", "sentence_meaning_gap",
            "sentence_learned", "sentence_learned_gap", "terms", "heading_names", "heading_meaning_gap",
            "sentence_term", "sentence_term_gap", "heading_term", "heading_term_gap", "heading_terms")
CATEGORY_WEIGHTS = {"meaning": 0.5, "terms": 0.5}  # a council's own categories: meaning and terms, equally

STANDARD_CATEGORIES = {"people", "staff", "partners", "processes", "outcomes"}
_PEOPLE_VOICE = re.compile(r"\b(?:people|carers?|residents|families|children|young people|care leavers|citizens)\b"
                           r"[^.]{0,40}\b(?:told us|said|spoke|reported|highlighted|felt)\b|\bcase study\b"
                           r"|\b(?:Mr|Mrs|Ms|Miss) [A-Z]\b|\bYP\b", re.IGNORECASE)
_PARTNER_VOICE = re.compile(r"\b(?:partners?|providers?|NHS|LGA|peer review|Healthwatch|commissioners?)\b"
                            r"[^.]{0,60}\b(?:told us|said|identified|found|audit|reported|summary)\b", re.IGNORECASE)
_STAFF_VOICE = re.compile(r"\b(?:staff|social workers|practitioners|managers|leaders)\b[^.]{0,30}"
                          r"\b(?:told us|said|survey|reported)\b", re.IGNORECASE)
_MEMBER_VOICE = re.compile(r"\b(?:Councillor|Cllr|Members?|Leader)\b[^.]{0,80}\b(?:asked|said|noted|thanked|"
                           r"highlighted|responded|commented|spoke|acknowledged|praised|summed up|introduced|"
                           r"explained|extended|added|"
                           r"stated|welcomed)\b", re.IGNORECASE)


@dataclass
class Assignment:
    passage_id: str
    framework: str
    statements: list[tuple[str, float]]  # (statement id, score), best first
    category: str
    category_score: float


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """Whole words; a short all-capitals acronym matches only in capitals ('OT', not 'ot')."""
    flags = 0 if term.isupper() and len(term) <= 4 else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", flags)


# The non-ASCII letters Python's case-insensitive matching equates with an ASCII one (İ ı ſ and the Kelvin sign).
_ASCII_FOLD = str.maketrans({"\u0130": "I", "\u0131": "i", "\u017f": "s", "\u212a": "K"})


def term_share(text: str, terms: tuple[str, ...], saturation: int = 3) -> float:
    """Share of the terms found as whole words. A term absent from the folded text cannot match, so its pattern is
    not run: the same count as running every pattern, a third of the mapping refresh's time saved."""
    folded = text.translate(_ASCII_FOLD).lower()
    hits = sum(1 for term in terms
               if (not term.isascii() or term.lower() in folded) and term_pattern(term).search(text))
    return min(1.0, hits / saturation)


def names(heading: str, name: str) -> bool:
    """The heading names it: its content words all appear ('Safeguarding', 'Assessing needs')."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 3 and w not in {"with", "within", "people"}]
    lowered = heading.lower()
    return bool(words) and all(w[:6] in lowered for w in words)


def normalised(matrix: ArrayLike) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return cast(np.ndarray, matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12))


def unit_matrix(stored: dict[str, list[float]], ids: list[str], width: int) -> np.ndarray:
    """The stored vectors of a passage's sentences, in order (none stored: an empty matrix)."""
    return np.asarray([stored[u] for u in ids if u in stored], dtype=np.float32).reshape(-1, width)


def leaf_heading(passage: Passage) -> str:
    """The passage's own heading: the last step of its section path."""
    return (passage.section or "").split(" > ")[-1].strip()


def gap(values: np.ndarray) -> np.ndarray:
    """How far each statement is behind the passage's best one (0 for the best)."""
    return cast(np.ndarray, values - values.max())


@dataclass
class StatementVectors:
    """A framework's statements as vectors: described (the framework file), learned (the model file, else the
    description) and their terms one by one (owner: which statement each term row belongs to)."""
    described: np.ndarray
    learned: np.ndarray
    terms: np.ndarray
    owner: np.ndarray

    def nearest_term(self, vectors: np.ndarray) -> np.ndarray:
        """Per statement: the highest cosine between any of the vectors and any of its terms."""
        best = (vectors @ self.terms.T).max(axis=0)
        result = np.full(len(self.described), -1.0, dtype=np.float32)
        np.maximum.at(result, self.owner, best)
        return result


def pair_features(statements: StatementVectors, framework: Framework, text: str, heading: str, leaf: str,
                  passage_vector: np.ndarray, unit_vectors: np.ndarray, leaf_vector: np.ndarray | None) -> np.ndarray:
    """FEATURES for the passage against every statement of the framework: one row per statement."""
    units = unit_vectors if len(unit_vectors) else passage_vector[None]
    meaning, learned = statements.described @ passage_vector, statements.learned @ passage_vector
    sentence_meaning = (units @ statements.described.T).max(axis=0)
    sentence_learned = (units @ statements.learned.T).max(axis=0)
    sentence_term = statements.nearest_term(units)
    zeros = np.zeros(len(framework.statements), dtype=np.float32)
    heading_meaning = statements.described @ leaf_vector if leaf_vector is not None else zeros
    heading_term = statements.nearest_term(leaf_vector[None]) if leaf_vector is not None else zeros
    columns = [meaning, gap(meaning), learned, gap(learned), sentence_meaning, gap(sentence_meaning),
               sentence_learned, gap(sentence_learned),
               np.array([term_share(text, s.terms) for s in framework.statements]),
               np.array([float(any(names(heading, n) for n in s.names())) for s in framework.statements]),
               gap(heading_meaning), sentence_term, gap(sentence_term), heading_term, gap(heading_term),
               np.array([term_share(leaf, s.terms, 1) for s in framework.statements])]
    return np.stack(columns, axis=1).astype(np.float32)


class Mapper:
    def __init__(self, framework: Framework, embed: Embed, model: MappingModel, services: Set[str] = frozenset()):
        if tuple(model.features) != FEATURES:
            raise MappingModelError(f"the mapping model was fitted on other features ({', '.join(model.features)}); "
                                    f"refit it with `make fit-mapping`")
        self.framework, self.embed, self.model = framework, embed, model
        self.services = services  # the services some framework is for (adults, children)
        self.ids = [s.id for s in framework.statements]
        self.vectors = statement_vectors(framework, embed, model)
        self.category_vectors = normalised(embed([f"{c.name}. {c.description}" for c in framework.categories]))
        self.headings: dict[str, np.ndarray] = {}

    def applies_to(self, meta: DocumentMeta) -> bool:
        """Not to a document of a service another framework is for: children's documents are not CQC evidence.
        Corporate or unlabelled documents are mapped to every framework."""
        own = self.framework.service
        return not (own and meta.service and meta.service != own and meta.service in self.services)

    def assign_all(self, items: list[tuple[Passage, DocumentMeta, list[float]]],
                   unit_store: "VectorStore") -> list[Assignment]:
        """Assignments of the passages this framework applies to; unit_store holds their sentences' vectors."""
        items = [item for item in items if self.applies_to(item[1])]
        units = {p.id: [unit_id(p.id, start) for start, _ in passage_units(p.text, p.kind)] for p, _, _ in items}
        stored = unit_store.vectors([u for ids in units.values() for u in ids]) if units else {}
        self.embed_headings({leaf_heading(p) for p, _, _ in items})
        return [self.assign(p, meta, np.asarray(vector, dtype=np.float32),
                            unit_matrix(stored, units[p.id], len(vector))) for p, meta, vector in items]

    def embed_headings(self, leaves: set[str]) -> None:
        missing = sorted(leaf for leaf in leaves if leaf and leaf not in self.headings)
        if missing:
            self.headings.update(zip(missing, normalised(self.embed(missing))))

    def assign(self, passage: Passage, meta: DocumentMeta, vector: np.ndarray, unit_vectors: np.ndarray) -> Assignment:
        leaf = leaf_heading(passage)
        heading = " ".join(filter(None, [meta.title, passage.section]))
        rows = pair_features(self.vectors, self.framework, passage.text, heading, leaf, vector, unit_vectors,
                             self.headings.get(leaf))
        chosen = self.model.choose(self.ids, self.model.probabilities(rows))
        category, category_score = self.category(passage, meta, self.category_vectors @ vector)
        return Assignment(passage.id, self.framework.id, chosen, category, round(category_score, 4))

    def category(self, passage: Passage, meta: DocumentMeta, similarities: np.ndarray) -> tuple[str, float]:
        """Who is speaking decides the category (CQC's categories are sources of evidence): people, partners,
        leaders and staff when they are reported speaking; figures make outcomes; anything else the council
        describes doing is a process. A framework with other categories is scored on meaning and terms."""
        ids = {c.id for c in self.framework.categories}
        if STANDARD_CATEGORIES <= ids:
            return source_category(passage, meta), 1.0
        best: tuple[str, float] = ("", -1.0)
        for category, similarity in zip(self.framework.categories, similarities):
            score = (CATEGORY_WEIGHTS["meaning"] * float(similarity)
                     + CATEGORY_WEIGHTS["terms"] * term_share(passage.text, category.terms))
            if score > best[1]:
                best = (category.id, score)
        return best


def statement_vectors(framework: Framework, embed: Embed, model: MappingModel | None) -> StatementVectors:
    described = normalised(embed([s.description() for s in framework.statements]))
    learned = np.stack([model.statement_vectors.get(f"{framework.id}/{s.id}", described[j]) if model else described[j]
                        for j, s in enumerate(framework.statements)])
    phrases = [(j, phrase) for j, s in enumerate(framework.statements) for phrase in (s.name, *s.aliases, *s.terms)]
    terms = normalised(embed([phrase for _, phrase in phrases]))
    return StatementVectors(described, normalised(learned), terms, np.array([j for j, _ in phrases]))


def source_category(passage: Passage, meta: DocumentMeta) -> str:
    text = passage.text
    if _PEOPLE_VOICE.search(text):
        return "people"
    if _PARTNER_VOICE.search(text):
        return "partners"
    if _STAFF_VOICE.search(text) or (meta.doc_type == "minutes" and _MEMBER_VOICE.search(text)):
        return "staff"
    if len(STATISTIC.findall(text)) >= 2 or (passage.kind == "table" and re.search(r"\d", text)):
        return "outcomes"
    return "processes"
