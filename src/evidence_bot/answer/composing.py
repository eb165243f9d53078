"""An answer composed from the chosen sentences: companions, list items, the missing kind of fact, each statement
cited with whose words it is, and whether the answer is partial."""

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from evidence_bot.answer.attribution import lead_in, text_source, unit_sources
from evidence_bot.answer.constraints import mentions
from evidence_bot.answer.features import Candidate, context_of, names_share
from evidence_bot.answer.line_form import form_features
from evidence_bot.answer.question import QuestionProfile
from evidence_bot.models import Answer, Citation, SearchHit
from evidence_bot.text.facts import DATE, FIGURE, RATING
from evidence_bot.text.lexical import words
from evidence_bot.text.speakers import BULLET, document_source, is_list_item
from evidence_bot.text.units import passage_units, read_row


class Quoted(Protocol):
    """A sentence or row chosen to quote: a Candidate, or a hand-set Unit."""
    @property
    def hit_index(self) -> int: ...
    @property
    def text(self) -> str: ...


class InPassage(Quoted, Protocol):
    """A quoted unit with its place in the passage and its voice (list items follow their introduction)."""
    @property
    def start(self) -> int: ...
    @property
    def source(self) -> str: ...


Unit = TypeVar("Unit", bound=InPassage)


def select(items: list[Candidate], best: Candidate, limit: int, share: float,
           asked_codes: Sequence[str] = (), titles: Sequence[str] = ()) -> list[Candidate]:
    """The best candidate and the next ones nearly as probable, from the same source, without repeats, holding
    the reference codes the question names that the best holds ("Who owns action A2?" is not answered by A3's
    row too), then the sentence after the best one if there is room (an answer often runs on into it:
    docs/selection.md); never a heading, which names a section rather than saying anything (titles: each
    passage's document title, by hit index); in document order, the best one's passage first."""
    def heading(item: Candidate) -> bool:
        return is_heading(item, titles[item.hit_index] if titles else "")

    ranked = sorted(items, key=lambda c: c.probability, reverse=True)
    chosen = [best]
    held = [code for code in asked_codes if mentions(code, best.text.lower())]
    for item in ranked:
        if len(chosen) >= limit or item.probability < best.probability * share:
            break
        if item is not best and item.source == best.source and not any(overlaps(item.text, c.text) for c in chosen) \
                and all(mentions(code, item.text.lower()) for code in held) and not heading(item):
            chosen.append(item)
    following = best.following
    if len(chosen) < limit and following is not None and following not in chosen and following.source == best.source \
            and not heading(following):
        chosen.append(following)
    return sorted(chosen, key=lambda c: (c.hit_index != best.hit_index, c.hit_index, c.start))


def under_heading(best: Candidate, profile: QuestionProfile, title: str = "",
                  eligible: Sequence[Candidate] = ()) -> Candidate:
    """A heading chosen to lead ("Equity in experience and outcomes" for "What did Bristol get for equity in
    experience and outcomes?") names the section that answers: the answer is what it heads, the first line after
    it, in the same voice, that is not itself a heading and, when `eligible` is given, is among them. A heading
    holding the kind of fact asked for ("Chair: Councillor Smith" to "Who chaired…?") is kept."""
    if not is_heading(best, title) or profile.constraints.kind_share(best.text):
        return best
    body = best.following
    while body is not None and is_heading(body, title):
        body = body.following
    if body is None or body.source != best.source or (eligible and not any(body is c for c in eligible)):
        return best
    return body


def is_heading(item: Candidate, title: str = "") -> bool:
    """A section heading: a short line (ten words or fewer) without end punctuation that states nothing (no
    figure, date, rating, finite verb or past tense: "What people expect", not "Overall rating: 39%" nor "Carers
    assessments doubled"), and is mostly in capitals (line_form.form_features), or repeats words of the
    document's title only ("Equity in experience and outcomes" on CQC's page of that name), or heads a sentence
    (heads_prose); always alone on its line, and never a bulleted item or one of the list the line before it
    introduced, a cut-off sentence ("…") nor a table row."""
    text = item.text
    if "\n" in text or not item.whole_line or BULLET.match(text) or len(text.split()) > 10 \
            or text.rstrip().endswith((".", "!", "?", ":", ";", "…")):
        return False
    if FIGURE.search(text) or DATE.search(text) or RATING.search(text) or _FINITE_VERB.search(text):
        return False  # it states something ("Carers assessments doubled")
    shaped = form_features(text, False)["heading"] == 1.0 or repeats_title(text, title) or heads_prose(item)
    return shaped and not in_a_list(item)


def repeats_title(text: str, title: str) -> bool:
    own = set(words(text))
    return bool(own) and own <= set(words(title))


def heads_prose(item: Candidate) -> bool:
    """A line (stating nothing: is_heading) that the line after introduces as a sentence of some length (a
    heading in sentence case, as gov.uk pages write them), or, shaped like a title (seven words or fewer, no
    comma), that ends its passage: a passage cut between a heading and its section ("Key findings for this
    quality statement")."""
    text, after = item.text, item.following
    if after is None:
        return len(text.split()) <= 7 and "," not in text
    return after.text.rstrip().endswith((".", "!", "?")) and len(after.text.split()) >= 8


_FINITE_VERB = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|can|could|will|would|should|may|"
                          r"must|said|says|told|\w{3,}ed)\b", re.IGNORECASE)


def in_a_list(item: Candidate, reach: int = 20) -> bool:
    """Whether the short lines just before this one (up to `reach` of them) lead back to a line ending in a colon:
    "Strengths identified:", then "Strong leadership", "Effective co-production"."""
    previous = item.previous
    for _ in range(reach):
        if previous is None:
            return False
        if previous.text.rstrip().endswith(":"):
            return True
        if not is_list_item(previous.text):
            return False
        previous = previous.previous
    return False


def with_missing_kind(chosen: list[Candidate], best: Candidate, profile: QuestionProfile) -> list[Candidate]:
    """'Who asked...?' answered by a sentence without a name: add the sentence before it that has one."""
    constraints, lead = profile.constraints, best.previous
    if not constraints.kinds or constraints.kind_share(best.text) or lead is None or lead in chosen:
        return chosen
    if constraints.kind_share(lead.text):
        return sorted([lead, *chosen], key=lambda c: (c.hit_index != best.hit_index, c.hit_index, c.start))
    return chosen


def is_partial(profile: QuestionProfile, chosen: Sequence[Quoted], hits: list[SearchHit]) -> bool:
    """Some of what was asked is missing: a kind of fact asked for, or a named place or programme that neither
    the quoted sentences nor their documents' titles and sections hold."""
    text = " ".join(c.text for c in chosen)
    context = " ".join(context_of(hits[c.hit_index]) for c in chosen)
    kinds = profile.constraints.kinds
    missing_kind = any(not profile.constraints.holds(kind, text) for kind in kinds)
    return missing_kind or (bool(profile.names) and names_share(profile.names, f"{text} {context}") < 1)


def with_list_items(chosen: Sequence[Unit], items: Sequence[Unit], limit: int = 8) -> list[Unit]:
    """A sentence that introduces a list ('...the following:') is no answer without the list after it: the
    items in the same voice that follow it, up to the first sentence in that voice that is not an item. Lines
    in another voice (a photo caption in a news page) are passed over: they are not the list."""
    result = []
    for item in chosen:
        result.append(item)
        if item.text.rstrip().endswith(":"):
            result += [c for c in list_after(item, items)[:limit] if c not in chosen and c not in result]
    return result


def list_after(intro: Unit, items: Sequence[Unit]) -> list[Unit]:
    listed = []
    for unit in (c for c in items if c.hit_index == intro.hit_index and c.start > intro.start):
        if unit.source != intro.source:
            continue
        if not is_list_item(unit.text):
            break
        listed.append(unit)
    return listed


def overlaps(a: str, b: str) -> bool:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(1, min(len(wa), len(wb))) > 0.7


def compose(chosen: Sequence[InPassage], hits: list[SearchHit], confidence: float, query: str) -> Answer:
    """Statements in order, each ending in its citation marker; a document's first statement is led by whose
    words they are and where (attribution.py), so an answer read aloud names its source (once per document and
    speaker: a second passage of it is known by its citation number)."""
    numbers: dict[int, int] = {}
    spans: dict[int, list[list[int]]] = {}
    for item in chosen:
        numbers.setdefault(item.hit_index, len(numbers) + 1)
        spans.setdefault(item.hit_index, []).append(quoted_span(item, hits[item.hit_index]))
    citations = {index: citation(n, hits[index], sorted(spans[index]), quoted_source(chosen, index, hits[index]))
                 for index, n in numbers.items()}
    parts, led = [], set()
    for item in chosen:
        cited = citations[item.hit_index]
        lead = "" if (cited.document, cited.source) in led else f"{lead_in(cited)} "
        led.add((cited.document, cited.source))
        parts.append(f"{lead}{spoken(item, hits[item.hit_index])} [{cited.n}]")
    return Answer(" ".join(parts), False, list(citations.values()), confidence, query)


def spoken(item: InPassage, hit: SearchHit) -> str:
    """The unit as the answer says it: a table row as its labels with their values, a sentence as it is."""
    return read_row(item.text) if hit.passage.kind == "table" else item.text


def quoted_span(item: InPassage, hit: SearchHit) -> list[int]:
    """Where the quoted text sits in the passage; for a table row, the row itself (its header is line one)."""
    quoted = item.text.split("\n")[-1] if hit.passage.kind == "table" else item.text
    return [item.start, item.start + len(quoted)]


def quoted_source(chosen: Sequence[InPassage], hit_index: int, hit: SearchHit) -> str:
    """Whose words the answer quotes from one passage: its units' speaker when they share one, else the
    document's own. A candidate knows its speaker already (read with the passage before it); a hand-set unit's is
    "" and is read with its own passage only."""
    quoted = [item for item in chosen if item.hit_index == hit_index]
    speakers: set[str | None] = {item.source for item in quoted}
    if "" in speakers:  # only then read the passage's speakers again
        units = passage_units(hit.passage.text, hit.passage.kind)
        by_start = dict(zip((start for start, _ in units), unit_sources(hit, units)))
        speakers = {item.source or by_start.get(item.start) for item in quoted}
    only = next(iter(speakers)) if len(speakers) == 1 else None
    if only is not None:
        return only
    return document_source(hit.meta.doc_type, hit.meta.publisher)


def citation(n: int, hit: SearchHit, highlights: list[list[int]], source: str | None = None) -> Citation:
    """source: whose words are quoted; by default read from the quoted text itself."""
    p = hit.passage
    quoted = " ".join(p.text[start:end] for start, end in highlights) or p.text
    return Citation(n=n, document=p.doc_id, title=hit.meta.title or p.doc_id, doc_type=hit.meta.doc_type,
                    date=hit.meta.date, page=p.page, section=p.section, text=p.text, score=round(hit.score, 5),
                    passage_id=p.id, url=hit.meta.url, also_in=list(hit.renditions), highlights=highlights,
                    source=source or text_source(quoted, hit), publisher=hit.meta.publisher,
                    ocr=p.ocr_confidence is not None, ocr_confidence=p.ocr_confidence)
