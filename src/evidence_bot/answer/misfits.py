"""Answers that do not fit their question, whatever the selector's confidence: a question only a person answers
answered by no name, a figure asked for one period answered with another's, a council asked about answered with
another council's words (docs/selection.md, step 7). Each is a near miss the features cannot always see; the
answerer abstains on it."""

import re

from evidence_bot.answer.constraints import ASKS_PERSON, has_person_name, mentions
from evidence_bot.answer.features import Candidate, period_agreement
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.models import SearchHit
from evidence_bot.text.facts import COUNCIL_NAME
from evidence_bot.text.lexical import content_words


def names_nobody(question: str, chosen: list[Candidate]) -> bool:
    """A question only a person answers (constraints.ASKS_PERSON: "Who chaired…?", "Who is the director…?")
    answered by sentences naming no person is not answered: the sentence about the meeting or the office is no
    answer to who. A question a role or a body may answer ("Who approved…?") is left to the model."""
    if not ASKS_PERSON.search(question):
        return False
    asked = set(content_words(question))
    return not any(has_person_name(c.text, asked) for c in chosen)


def counts_another_period(question: str, profile: QuestionProfile, chosen: list[Candidate]) -> bool:
    """A figure asked for a period ("How many … in March 2024?") answered by sentences that state only other
    periods ("In March 2023, 291 people had waited…") is a neighbour's figure, not the one asked for. Left to the
    model: a sentence stating no period ("Ofsted made 16 recommendations" answers a question naming 2016 when its
    report is of 2016) or one relative to another ("812 last year, up from 700 in 2022"). A span of years asked
    ("the Carers Strategy 2022-2027") agrees with any year in it (facts.periods)."""
    constraints = profile.constraints
    if not constraints.asked_periods or not constraints.kinds & {"number", "share"}:
        return False
    if any(_RELATIVE_PERIOD.search(c.text) for c in chosen):
        return False
    return all(period_agreement(constraints.asked_periods, c.text) < 0 for c in chosen)


def about_another_council(asked_text: str, hits: list[SearchHit], chosen: list[Candidate], lead: Candidate) -> bool:
    """A question about a council, led by a sentence that names another council by its full name and not it, with
    no sentence of the answer naming it: "What grade did Ofsted give Brackenmoor?" led by "Saltney
    Borough Council's children's services were judged 'requires improvement'", from a story about both councils
    (its title names both, so the features read the sentence as on the council asked about). A question names a
    council by its full name or by the place of a council the passages read name in full ("Brackenmoor", when a
    title says "Brackenmoor County Council"). Left alone: a question naming no council, a lead that also speaks
    of "the council" or "the authority", or comparing ("Like Saltney Borough Council, the county council…",
    "shorter than Saltney Borough Council's average"). A lead naming no council speaks for the council its
    document's title names in full: "638 people were waiting for a Care Act assessment" in Brackenmoor County
    Council's assessment does not answer "How many people were waiting … in Saltney?", unless the title or the
    lead's passage names the place asked about at all (a title naming one council and its neighbour, or another
    form of the name: "Southend-on-Sea City Council" for "Southend")."""
    others = council_places(lead.text)
    if others and _COUNCIL_REFERENCE.search(lead.text):
        return False
    hit = hits[lead.hit_index]
    spoken = [c.text.lower().replace("-", " ") for c in chosen]
    if not others:  # the lead names no council: its document's title may
        others = council_places(hit.meta.title or "")
        spoken += [f"{hit.meta.title or ''} {hit.passage.text}".lower().replace("-", " ")]
    if not others:  # most leads and titles name no council in full: nothing more to read
        return False
    known = set().union(*(council_places(f"{h.meta.publisher or ''} {h.meta.title or ''} {h.passage.text}")
                          for h in hits))
    question = asked_text.lower().replace("-", " ")
    asked = council_places(asked_text) | {place for place in known if mentions(place, question)}
    named = any(mentions(place, text) for place in asked for text in spoken)
    return bool(asked) and not others & asked and not named


def council_places(text: str) -> set[str]:
    """The places of the councils a text names in full, lower-cased, hyphens as spaces ("stoke on trent")."""
    places = {" ".join(content_words(m.group(1) or m.group(2))).replace("-", " ")
              for m in COUNCIL_NAME.finditer(text)}
    return places - {""}  # "The County Council" names no place


# A lead speaking of "the council" as well, or comparing ("shorter than Saltney Borough Council's average").
_COUNCIL_REFERENCE = re.compile(r"\bthe (?:(?:county|city|borough|district|local) )?(?:council|authority)\b|"
                                r"\b(?:than|like|unlike|compared (?:with|to)|similar to)\b", re.I)


_RELATIVE_PERIOD = re.compile(r"\b(?:last|previous|this|next|past|current) (?:year|month|quarter)\b|"
                              r"\bthe (?:year|month|quarter) (?:before|ending|to)\b|\byear on year\b", re.I)
