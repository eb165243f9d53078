"""Which framework statements a passage evidences, and which kind of evidence it is.

A statement's score for a passage combines four signals (weights in WEIGHTS,
calibrated on evals/mapping.jsonl, docs/frameworks.md):
- meaning: cosine between the passage vector and the statement's description;
- terms: how many of the statement's terms the passage uses;
- headings: the passage's section path or title names the statement or its theme
  (self-assessments are organised by theme);
- service: a framework for adults is not applied to children's documents, and back.
A passage evidences every statement scoring at least THRESHOLD and within
RELATIVE of its best, at most MAX_STATEMENTS. Its category is the best-scoring
evidence category comes from who is speaking (source_category)."""

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from evidence_bot.frameworks.framework import Framework, Statement
from evidence_bot.models import DocumentMeta, Passage

WEIGHTS = {"meaning": 0.6, "terms": 0.3, "statement_heading": 0.25, "theme_heading": 0.1}
THRESHOLD = 0.42
RELATIVE = 0.85
MAX_STATEMENTS = 3
CATEGORY_WEIGHTS = {"meaning": 0.5, "terms": 0.5}
RULES = 3  # bump when the scoring code changes, so stored assignments are recomputed
VERSION = hashlib.sha256(repr((WEIGHTS, THRESHOLD, RELATIVE, MAX_STATEMENTS, CATEGORY_WEIGHTS, RULES)).encode()
                         ).hexdigest()[:8]

STANDARD_CATEGORIES = {"people", "staff", "partners", "processes", "outcomes"}
_FIGURE = re.compile(r"(?<![\w./-])(?!(?:19|20)\d\d\b)\d[\d,]*(?:\.\d+)?(?:\s*(?:%|per cent)|\b)(?![/-]\d)",
                     re.IGNORECASE)  # years and dates are not figures
_PEOPLE_VOICE = re.compile(r"\b(?:people|carers?|residents|families|children|young people|care leavers|citizens)\b"
                           r"[^.]{0,40}\b(?:told us|said|spoke|reported|highlighted|felt)\b|\bcase study\b"
                           r"|\b(?:Mr|Mrs|Ms|Miss) [A-Z]\b|\bYP\b", re.IGNORECASE)
_PARTNER_VOICE = re.compile(r"\b(?:partners?|providers?|NHS|LGA|peer review|Healthwatch|commissioners?)\b"
                            r"[^.]{0,60}\b(?:told us|said|identified|found|audit|reported|summary)\b", re.IGNORECASE)
_STAFF_VOICE = re.compile(r"\b(?:staff|social workers|practitioners|managers|leaders)\b[^.]{0,30}"
                          r"\b(?:told us|said|survey|reported)\b", re.IGNORECASE)
_MEMBER_VOICE = re.compile(r"\b(?:Councillor|Cllr|Members?|Leader)\b[^.]{0,80}\b(?:asked|said|noted|thanked|"
                           r"highlighted|responded|commented|spoke|acknowledged|praised|summed up|introduced|explained|extended|added|"
                           r"stated|welcomed)\b", re.IGNORECASE)


@dataclass
class Assignment:
    passage_id: str
    framework: str
    statements: list[tuple[str, float]]  # (statement id, score), best first
    category: str
    category_score: float


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern:
    """Whole words; a short all-capitals acronym matches only in capitals ('OT', not 'ot')."""
    flags = 0 if term.isupper() and len(term) <= 4 else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", flags)


def term_share(text: str, terms: tuple[str, ...], saturation: int = 3) -> float:
    hits = sum(1 for term in terms if term_pattern(term).search(text))
    return min(1.0, hits / saturation)


def names(heading: str, name: str) -> bool:
    """The heading names it: its content words all appear ('Safeguarding', 'Assessing needs')."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 3 and w not in {"with", "within", "people"}]
    lowered = heading.lower()
    return bool(words) and all(w[:6] in lowered for w in words)


class Mapper:
    def __init__(self, framework: Framework, embed, services: set[str] = frozenset()):
        self.framework = framework
        self.services = services  # the services some framework is for (adults, children)
        self.statement_vectors = np.asarray(embed([s.description() for s in framework.statements]), dtype=np.float32)
        self.category_vectors = np.asarray(embed([f"{c.name}. {c.description}" for c in framework.categories]),
                                           dtype=np.float32)

    def applies_to(self, meta: DocumentMeta) -> bool:
        """Not to a document of a service another framework is for: children's documents are not CQC evidence.
        Corporate or unlabelled documents are mapped to every framework."""
        own = self.framework.service
        return not (own and meta.service and meta.service != own and meta.service in self.services)

    def assign(self, passage: Passage, meta: DocumentMeta, vector) -> Assignment | None:
        if not self.applies_to(meta):
            return None
        vector = np.asarray(vector, dtype=np.float32)
        heading = " ".join(filter(None, [meta.title, passage.section]))
        scored = [(s.id, self.statement_score(s, passage.text, heading, float(sim)))
                  for s, sim in zip(self.framework.statements, self.statement_vectors @ vector)]
        scored.sort(key=lambda pair: pair[1], reverse=True)
        best = scored[0][1]
        chosen = [(sid, round(score, 4)) for sid, score in scored[:MAX_STATEMENTS]
                  if score >= THRESHOLD and score >= best * RELATIVE]
        category, category_score = self.category(passage, meta, self.category_vectors @ vector)
        return Assignment(passage.id, self.framework.id, chosen, category, round(category_score, 4))

    def statement_score(self, statement: Statement, text: str, heading: str, similarity: float) -> float:
        return (WEIGHTS["meaning"] * similarity + WEIGHTS["terms"] * term_share(text, statement.terms)
                + WEIGHTS["statement_heading"] * names(heading, statement.name)
                + WEIGHTS["theme_heading"] * names(heading, statement.theme))

    def category(self, passage: Passage, meta: DocumentMeta, similarities) -> tuple[str, float]:
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


def source_category(passage: Passage, meta: DocumentMeta) -> str:
    text = passage.text
    if _PEOPLE_VOICE.search(text):
        return "people"
    if _PARTNER_VOICE.search(text):
        return "partners"
    if _STAFF_VOICE.search(text) or (meta.doc_type == "minutes" and _MEMBER_VOICE.search(text)):
        return "staff"
    if len(_FIGURE.findall(text)) >= 2 or (passage.kind == "table" and re.search(r"\d", text)):
        return "outcomes"
    return "processes"
