"""What a question asks for, read once per question: the constraints (kinds of fact, period, names), whether it
asks what the inspector found, the inspectorates, services and quality statements it names."""

import re
from collections.abc import Set
from dataclasses import dataclass, field
from functools import lru_cache

from evidence_bot.answer.constraints import Constraints
from evidence_bot.text.lexical import content_words

_INSPECTORS = r"(?:the )?(?:CQC|Care Quality Commission|Ofsted|inspectors?|inspectorate|regulator|watchdog|" \
              r"assessment team|assessors?)"
# A question about what the inspector found, said, rated or scored (not one that merely names an inspection:
# "What did the cabinet decide about the Ofsted action plan?" asks the cabinet; "When did Ofsted visit?" asks
# about the inspection, and the council's or the press's account of its dates answers it).
_VISIT = r"(?:spen[dt]|start\w*|beg[ia]n\w*|visit\w*|come|came|coming|go|going|gone|went|arriv\w*|inspect\w*|" \
         r"talk\w*|speak\w*|spoke|meet\w*|met|publish\w*|take|taking|took|carr\w*|return\w*|interview\w*|" \
         r"sampl\w*|check\w*|last|bring\w*|introduc\w*)"
# "What do the inspectors and the council each say…?" asks both: the council's words answer half of it.
_BOTH_SOURCES = re.compile(r"\b(?:CQC|Ofsted|inspectors?)(?:['’]s?)?(?:\s+\w+)?\s+and\s+(?:the |its |what the )?"
                           r"(?:council|self-assessment|local authority)|\b(?:council|self-assessment)(?:['’]s?)?"
                           r"(?:\s+\w+)?\s+and\s+(?:the |what )?(?:CQC|Ofsted|inspectors?)\b", re.IGNORECASE)
# "What share of care homes have a CQC rating of good?" asks the council's statistics about providers.
_PROVIDER_SHARE = re.compile(r"\b(?:percentage|proportion|share|number|how many)\b[^?]*\b(?:have|has|with|are|were)\b"
                             r"[^?]*\b(?:CQC|Ofsted) (?:rating|rated)|\b(?:percentage|proportion|share) of\b[^?]*"
                             r"\brated\b", re.IGNORECASE)
_INSPECTOR_QUESTION = re.compile(
    rf"\b(?:did|does|do|has|have|had|was|were|is|would)\s+{_INSPECTORS}\b(?!\s+(?:action|improvement)\s+plan)"
    rf"(?!(?:\s+team)?\s+{_VISIT}\b)|"
    rf"\b{_INSPECTORS}(?:['’]s?)?\s+(?:\w+\s+)?(?:rating|score|grade|judge?ment|verdict|findings?|worry|worries|"
    rf"concerns?|view|say|said|find|found|"
    rf"rate|rated|score|scored|judged?|describe|described|praised?|criticised|report (?:say|said|find|found))\b|"
    rf"\baccording to {_INSPECTORS}|\b(?:rated|scored|judged|graded|score|rating|grade|judge?ment)\b[^?]*"
    rf"\b(?:by|from|in (?:its|the|their))\s+(?:latest |last |previous |\d{{4}} )?{_INSPECTORS}", re.IGNORECASE)
# "What do people expect from…?", "What is the local authority commitment…?": the framework's own wording answers
# (speakers.py, rule 0); no other question is answered with it.
_ASKS_STANDARD = re.compile(r"\bpeople expect\b|\b(?:CQC|the framework|inspectors?) expects?\b|\bexpected of\b|"
                            r"\b(?:local authority|council['’]?s?) commitment\b|\b(?:I|we)[- ]statements?\b",
                            re.IGNORECASE)
# A question that asks something itself ("What did the Cabinet Member resolve about it?"), unlike "And for
# assessing needs?" or "What about Westminster?".
_OWN_ASK = re.compile(r"\b(?:what|who|whom|whose|how|when|which|why|where)\b(?!\s+about\b)|"
                      r"^\W*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would)\b", re.IGNORECASE)
_BODIES = {"cqc": re.compile(r"\b(?:CQC|Care Quality Commission)\b", re.IGNORECASE),
           "ofsted": re.compile(r"\bOfsted\b", re.IGNORECASE)}
_SERVICES = {"children": re.compile(r"\bchild(?:ren)?(?:['’]s?)?\b|\bcare leavers?\b|\bfoster", re.IGNORECASE),
             "adults": re.compile(r"\badults?\b|\bolder people\b", re.IGNORECASE)}
_BODY_WORDS = {"cqc", "care", "quality", "commission", "ofsted", "inspector", "inspectors", "council", "councils",
               "local", "authority", "borough", "city", "county", "district", "assessment", "report", "minutes"}

@dataclass
class QuestionProfile:
    """What a question asks for, read once per question."""
    constraints: Constraints
    names: list[str]  # named things other than the inspectorates: places, councils, programmes
    asks_inspector: bool
    bodies: set[str] = field(default_factory=set)  # inspectorates named: cqc, ofsted
    statements: Set[tuple[str, str]] = field(default_factory=set)  # (framework, statement) named
    services: set[str] = field(default_factory=set)  # children, adults: the service asked about
    asks_standard: bool = False  # asks what the framework expects (its "I" and "We" statements)

    @classmethod
    def of(cls, question: str) -> "QuestionProfile":
        constraints = Constraints.of(question)
        names = [n for n in constraints.names if n.lower() not in _BODY_WORDS]
        bodies = {body for body, pattern in _BODIES.items() if pattern.search(question)}
        asks_inspector = bool(_INSPECTOR_QUESTION.search(question)) and not _BOTH_SOURCES.search(question) \
            and not _PROVIDER_SHARE.search(question)
        services = services_named(question)
        return cls(constraints, names, asks_inspector, bodies, statements_named(question), services,
                   bool(_ASKS_STANDARD.search(question)))

    @classmethod
    def in_conversation(cls, question: str, query: str) -> "QuestionProfile":
        """A follow-up's profile ("And for assessing needs?" after "What did CQC score Bristol for safeguarding?"):
        what the question itself says, and, where it says nothing, what the conversation it leans on says: the
        council, the period, the inspectorate, the service and the statement asked about, and, for a question with
        no ask of its own ("What about Westminster?"), the kind of fact. Not whether the inspector's words were
        asked for: "What did the Cabinet Member resolve about it?" after "What grade did the CQC give…?" asks the
        Cabinet Member. The retrieval query is the question after the earlier ones (followup.resolve_followup)."""
        own = cls.of(question)
        if query == question:
            return own
        earlier = cls.of(query)
        # only a question with no ask of its own ("And for assessing needs?") asks for the earlier kind of fact
        elliptical = not _OWN_ASK.search(question)
        constraints = Constraints(own.constraints.kinds or (earlier.constraints.kinds if elliptical else set()),
                                  own.constraints.asked_periods or earlier.constraints.asked_periods,
                                  own.constraints.names or earlier.constraints.names,
                                  own.constraints.question_words | earlier.constraints.question_words)
        return cls(constraints, own.names or earlier.names, own.asks_inspector,
                   own.bodies or earlier.bodies, own.statements or earlier.statements,
                   own.services or earlier.services, own.asks_standard)


def topic_text(question: str) -> str:
    """The question's content words, less the inspectorate it names: what an answer should be about, with the
    question's scaffolding ("What did CQC say about...") gone. Its vector meets a finding worded unlike the question
    better than the question's own does (held out, docs/selection.md: "meaning of the topic")."""
    for pattern in _BODIES.values():
        question = pattern.sub(" ", question)
    return " ".join(content_words(question))


@lru_cache(maxsize=16384)  # the same sentences come back question after question
def bodies_named(text: str) -> frozenset[str]:
    return frozenset(body for body, pattern in _BODIES.items() if pattern.search(text))


@lru_cache(maxsize=1)
def statement_patterns() -> tuple[tuple[tuple[str, str], re.Pattern[str]], ...]:
    """The built-in frameworks' statements, each with a pattern for its name and aliases."""
    from evidence_bot.evidence.frameworks.framework import load_frameworks

    patterns = []
    for framework in load_frameworks().values():
        for statement in framework.statements:
            names = "|".join(re.escape(n).replace("'", "['’]") for n in statement.names())
            patterns.append(((framework.id, statement.id), re.compile(rf"\b(?:{names})\b", re.IGNORECASE)))
    return tuple(patterns)


@lru_cache(maxsize=8192)  # a passage's title and section are read for each of its sentences
def statements_named(text: str) -> frozenset[tuple[str, str]]:
    return frozenset(key for key, pattern in statement_patterns() if pattern.search(text))


def services_named(text: str) -> set[str]:
    """The services the text names: children (children's, care leavers, fostering), adults (adults, older people)."""
    return {service for service, pattern in _SERVICES.items() if pattern.search(text)}
