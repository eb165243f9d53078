"""What a question asks for, read from its wording: the kinds of fact (a figure, a share, a date, a name, a rating,
a score, a phone number or email or web address, a date still to come), the period ("2019-20", "2024"), the named
places, bodies and programmes, and whether a text holds each.

These are measurements, not gates: features.py turns them into degrees (the candidate holds the asked kind, states
the asked period or another, names the asked council or not) and the fitted selector weighs them. Each reading is
general English; none is tuned to one document."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from evidence_bot.text.facts import (
    CAPITALISED_RUN,
    CONTACT,
    DATE,
    FREQUENCY,
    FUTURE,
    NOT_NAMES,
    RATING,
    SCORE,
    SHARE,
    TITLED,
    has_figure,
    periods,
    periods_agree,
)
from evidence_bot.text.lexical import expansions, words

# Nouns whose value is a figure: "What's Lincolnshire's population?", "What was the overspend?"
_FIGURE_NOUNS = (r"(?:score|rate|figure|total|percentage|population|budget|spend|spending|overspend|cost|caseloads?|"
                 r"amount)")
ASKS_NUMBER = re.compile(r"\b(?:how many|how much|what (?:percentage|proportion|number|share|fraction|figure)|"
                         rf"how long|what(?: was| is|['’]s) the (?:total|number|figure|rate|score|percentage)|"
                         rf"what(?: was| is|['’]s) (?:[\w'’]+ ){{1,4}}{_FIGURE_NOUNS}|"
                         r"what(?: was| is| are| were|['’]s) (?:the |its |their )?(?:average|mean|median))\b", re.I)
# "when" asks for a date as a question ("When did...?", "and when is it due?", "and when?"), not as a clause setting
# the scene ("When the inspectors looked, how many...?", "...when CQC assessed it?").
_ASKING_WHEN = (r"(?:when(?=\s+(?:is|was|are|were|do|does|did|will|would|should|shall|must|can|could|has|have|had|"
                r"may|might|and|or)\b|\s*[?)]|['’]s\b)|(?:know|say|tell|ask|asked|check|confirm) when)")
ASKS_DATE = re.compile(rf"\b(?:{_ASKING_WHEN}|what dates?|which dates?|which year|what year|which month|what month|"
                       r"since when|by when|how long ago)\b", re.I)
# "who" asks for a name where a question or clause starts with it ("Who chaired...?", "and who will lead it?",
# "what did Ofsted find about who attends...?"), not as a relative pronoun after a noun ("children who go
# missing", "a therapist who checks"), which is how most questions over this evidence use it.
_ASKING_WHO = (r"(?:^\W*|[,;:(]\s*|\b(?:and|or|but|so|then|about|of|on|to|for|with|by|from|ask|asked|know|say|said|"
               r"says|tell|told|me|shows?|find|found|decide|decided|is|was|are|were|check|confirm|see)\s+)(?:who|whom)\b")
ASKS_NAME = re.compile(rf"{_ASKING_WHO}|\b(?:which (?:\w+ )?(?:councillor|member|officer|organisation|charity|"
                       r"provider|company)s?|name of|named)\b", re.I)
ASKS_FREQUENCY = re.compile(r"\bhow (?:often|regularly|frequently)\b", re.I)
ASKS_SHARE = re.compile(r"\b(?:what|which) (?:percentage|proportion|share|fraction)\b", re.I)
ASKS_RATING = re.compile(r"\b(?:rating|rated|judged|graded|grade|judge?ments?)\b|"
                         r"\b(?:did|does|do) [^?]*\b(?:rate|judge)\b", re.I)
ASKS_SCORE = re.compile(r"\bscor(?:e|ed|es|ing)\b", re.I)
ASKS_FUTURE = re.compile(rf"\b(?:{_ASKING_WHEN}|what date|which year|what year|by when)\b[^?]*"
                         r"\b(?:next|will|due|upcoming|planned|expected|scheduled)\b|\bwhen will\b", re.I)
ASKS_CONTACT = re.compile(r"\b(?:(?:tele)?phone|contact|helpline) (?:number|details)|\bemail(?: address)?\b|"
                          r"\b(?:web ?site|web|postal) address\b", re.I)

ROLE_WORDS = {"council", "committee", "board", "cabinet", "director", "directors", "chair", "chairman", "lead",
              "leader", "member", "members", "officer", "officers", "executive", "chief", "independent", "deputy",
              "head", "manager", "team", "health", "wellbeing", "scrutiny", "overview", "services", "service",
              "social", "care", "adult", "adults", "children", "families", "partnership", "group", "panel",
              "forum", "department", "corporate", "strategic", "portfolio", "holder", "safeguarding", "local",
              "authority", "and", "of", "for", "the", "principal", "worker", "assessment"}
LEADING_WORDS = {"the", "a", "an", "this", "our", "we", "it", "in", "at", "on", "for", "and"}
# A question only a person answers: who holds an office, or who chaired, presented or introduced an item, moved or
# seconded a motion, signed or wrote something
# ("Who approved the plan?" may be answered by the Cabinet, "Who carries out assessments?" by a team).
ASKS_PERSON = re.compile(r"^\W*who\s+(?:(?:is|was|are|were)\b[^?]*\b(?:director|chair\w*|leader|chief executive|"
                         r"inspector|member|mayor|head|councillor|manager|officer|DASS|DCS|PSW)\b|(?:chaired|chairs|"
                         r"presented|presents|introduced|moved|seconded|signed|co-signed|verified|wrote|authored)\b)",
                         re.I)
# Words of an organisation's name, beyond ROLE_WORDS: "West London NHS Trust" is nobody.
ORGANISATION_WORDS = {"nhs", "trust", "commission", "quality", "county", "city", "borough", "public", "government",
                      "agency", "association", "network", "hub", "centre", "office", "unit", "foundation", "charity",
                      "school", "university", "college", "police", "fire", "integrated", "lifestyle", "community"}


def has_name(text: str, question_words: set[str]) -> bool:
    """A titled name ("Cllr Marsh") or a run of capitalised words, not all of them from the question, that is
    not only the words of a role or a body ("the Independent Chair", "Health and Overview Scrutiny Committee")."""
    if TITLED.search(text):
        return True
    for run in CAPITALISED_RUN.findall(text):
        parts = [w for w in words(run) if w not in LEADING_WORDS]
        if len(parts) >= 2 and any(w not in question_words for w in parts) and any(w not in ROLE_WORDS for w in parts):
            return True
    return False


def has_person_name(text: str, question_words: set[str]) -> bool:
    """A titled name ("Cllr Marsh") or a run of two to four capitalised words, not all from the question, none
    of them the word of a role, a body or an organisation, and not a rating ("Jon Wilson", not "West London NHS
    Trust" nor "Requires Improvement")."""
    if TITLED.search(text):
        return True
    for run in CAPITALISED_RUN.findall(text):
        parts = [w for w in words(run) if w not in LEADING_WORDS]
        if 2 <= len(parts) <= 4 and any(w not in question_words for w in parts) and not RATING.search(run) \
                and not any(w in ROLE_WORDS or w in ORGANISATION_WORDS for w in parts):
            return True
    return False


def named_terms(question: str) -> list[str]:
    """Capitalised words after the first (and the first when possessive: "Kent's score"): the places, bodies and
    programmes the question is about."""
    terms = []
    # "action W2.1" names W2.1, not W2 (a digit after the dot joins, as lexical.words reads it)
    for position, token in enumerate(re.findall(r"[A-Za-z][\w'’&-]*(?:\.\d\w*)*", question)):
        word = re.sub(r"['’]s$", "", token)
        if position == 0 and word == token:
            continue
        if word[0].isupper() and word.lower() not in NOT_NAMES and len(word) > 1:
            terms.append(word)
    return terms


@dataclass
class Constraints:
    kinds: set[str] = field(default_factory=set)
    asked_periods: frozenset[tuple[int, int]] = frozenset()
    names: list[str] = field(default_factory=list)
    question_words: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, question: str) -> "Constraints":
        kinds = {kind for kind, pattern in (("number", ASKS_NUMBER), ("share", ASKS_SHARE), ("date", ASKS_DATE),
                                            ("name", ASKS_NAME), ("rating", ASKS_RATING),
                                            ("score", ASKS_SCORE), ("contact", ASKS_CONTACT),
                                            ("future", ASKS_FUTURE), ("frequency", ASKS_FREQUENCY))
                 if pattern.search(question)}
        return cls(kinds, periods(question), named_terms(question), set(words(question)))

    def holds(self, kind: str, text: str) -> bool:
        if kind == "name":
            return has_name(text, self.question_words)
        return text_holds(kind, text)

    def kind_share(self, text: str) -> float:
        """The share of the asked-for kinds the text holds (0 when nothing particular is asked)."""
        return sum(self.holds(kind, text) for kind in self.kinds) / len(self.kinds) if self.kinds else 0.0


# The kinds of fact a text holds by a pattern alone ("number" needs has_figure, "name" the question's words).
PERCENTAGE = re.compile(r"\d\s*%|\d\s*per ?cent\b", re.I)  # a share in figures, not "a third" nor "in 12"
FACT_PATTERNS = {"share": SHARE, "date": DATE, "score": SCORE, "contact": CONTACT, "future": FUTURE,
                 "frequency": FREQUENCY, "rating": RATING}


@lru_cache(maxsize=32768)  # the same sentences come back question after question
def text_holds(kind: str, text: str) -> bool:
    """Whether the text holds a fact of this kind (every kind but "name", which depends on the question)."""
    if kind == "number":
        return has_figure(text)
    if kind == "frequency":  # "How often are people placed out of area?" is answered by a percentage as often
        return bool(FREQUENCY.search(text) or PERCENTAGE.search(text))
    return bool(FACT_PATTERNS[kind].search(text))


def name_forms(name: str) -> list[str]:
    lowered = name.lower()
    return [lowered, lowered[:-1]] if lowered.endswith("s") and len(lowered) > 4 else [lowered]


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str]:
    forms = "|".join(re.escape(form) for form in name_forms(name))
    return re.compile(rf"(?<![a-z0-9])(?:{forms})(?:['’]s)?(?![a-z0-9])")


def mentions(name: str, *lowered_texts: str) -> bool:
    """Whether any of the (lower-cased) texts names `name` as a whole word: "York" is not in "North Yorkshire",
    nor "Hull" in "Hullbridge"; a possessive ending is allowed."""
    pattern = _name_pattern(name)
    return any(pattern.search(text) for text in lowered_texts)


def allowed(constraints: Constraints, text: str, lead_in: str, context: str) -> bool:
    """The hand-set gates (hand_set.py; a feature of the learned selector): text, the candidate; lead_in, the
    sentence before it; context, its section and document title.
    It must hold the kind of fact asked for; a period it states must agree with the one asked about; for a
    figure, the period asked about must be stated; the names the question gives must be in it or its context."""
    near = f"{lead_in} {text}"

    def holds(t: str) -> bool:
        return all(constraints.holds(kind, t) for kind in constraints.kinds)

    if not (holds(text) or (lead_in and holds(near))):
        return False
    if not periods_agree(constraints.asked_periods, periods(text)):
        return False
    if constraints.asked_periods and constraints.kinds & {"number", "share"} and not any(
            periods_agree(constraints.asked_periods, {p}) for p in periods(near)):
        return False  # a figure belongs to a period: the one asked about must be stated
    lowered = f"{near} {context}".lower()
    spelled = " ".join(expansions(f"{near} {context}")).lower()
    return all(mentions(name, lowered, spelled) for name in constraints.names)
