"""Who is speaking: the inspector, the council about itself, a committee, the press, or the framework.

A councillor who asks what CQC found must be answered from CQC's words, not from the council's account of
itself, so every quoted passage says whose words it holds. The rule, in order:

1. A sentence that reports an inspector's words or findings is the inspector's, in whatever document it sits
   ("inspectors found", "CQC said", "the assessment team noted", "according to Ofsted", "the report found"):
   an inspector quoted in the news or in minutes is still the inspector.
2. In the news or in minutes, a sentence that reports the council speaking ("the council said", "a council
   spokesperson", "Cllr Patel said", "the director of adult social care said") is the council's.
3. A sentence without a cue of its own continues the speaker before it when it sits inside that speaker's
   open quotation, opens the quotation they introduced ("Cllr Hinton, Executive Member for Adult Social Care,
   said:" then "“We welcome the findings…"), is an item of the list they introduced ("Other findings
   included:", "received the following scores:"), starts "It said…", "They found…", or names a person the
   passage introduced as an inspector ("Lead inspector Matt Reed said…", then "…, Mr Reed said."). A passage is
   read after the sentences of the document's passage before it, where such a quotation or list may begin
   (passage_sources, `before`).
4. In the news, in minutes and in a council's own story about an inspection, a sentence with a verdict (a
   score, a rating, a judgement, praise or concern) reports the inspector's, unless the council is speaking.
5. Otherwise the document's own source, from sources.yaml: a publisher naming CQC or Ofsted, or the type
   inspection_report, is the inspector; minutes, or a publisher naming a committee, cabinet, board or
   scrutiny, a committee; a self-assessment or action plan, or a publisher that is a council, the council;
   the news from anyone else, the press; anything else "other".

0. Before all of these: CQC's page for a quality statement sets out, under "What people expect" and "The
   local authority commitment", the framework's own wording for that statement ("I feel safe and am supported
   to understand and manage any risks.", "We work with people to understand what being safe means to
   them…"), the same on every council's page, and only then "Key findings for this quality statement". Those
   two headings and the first-person lines under them ("I…", "When I…", "We…" in the present tense) are the
   framework's: the standard CQC assesses against, not what it found. Anything else after them ends it: the
   findings heading, a cued sentence, CQC reporting ("We heard…", "We found…"), or a passage filed under
   another section (a page whose headings are markup). Only in the inspector's own documents: a council
   quoting the headings over its own claims is still the council.

The answer says it aloud: each document's first quoted statement is led by whose words follow and where
(answer/attribution.py).
"""

import re
from functools import lru_cache

from evidence_bot.text.units import passage_units

INSPECTOR, COUNCIL, COMMITTEE, PRESS, OTHER = "inspector", "council", "committee", "press", "other"
FRAMEWORK = "framework"  # rule 0: the standard assessed against, set out on the inspector's page
SOURCES = (INSPECTOR, COUNCIL, COMMITTEE, PRESS, OTHER, FRAMEWORK)

_BODY = r"(?:CQC|Care Quality Commission|Ofsted|inspectors?|the inspectorate|the regulator|the watchdog|" \
        r"the assessment team|assessors|the (?:inspection |assessment |CQC['’]s |Ofsted['’]s |CQC |Ofsted )?report)"
_REPORTS = r"(?:found|finds|said|says|noted|notes|observed|saw|highlighted|praised|commended|rated|judged|concluded|" \
           r"reported|described|identified|raised|criticised|commented|stated|told|heard|felt|gave|awarded|scored|" \
           r"made|issued|recommended|set out|states|cites|cited|recognised|recognized|acknowledged|attributed|" \
           r"concerned|warned|welcomed|flagged|finding|saying|noting|observing|highlighting|praising|judging|" \
           r"describing|identifying)"
INSPECTOR_CUES = re.compile(
    rf"\b{_BODY}(?:['’]s)?\s+(?:\w+\s+){{0,2}}{_REPORTS}\b|\baccording to (?:the )?{_BODY}|"
    rf"\b(?:judged|rated|graded|assessed|described|found|noted|recognised|identified|highlighted|raised)\b"
    rf"[^.]{{0,60}}\bby (?:the )?(?:CQC|Care Quality Commission|"
    rf"Ofsted|inspectors)\b|\b(?:told|found|judged|assessed) by "
    rf"(?:the )?{_BODY}|\b{_BODY}(?:'s)? (?:findings|verdict|"
    rf"judgement|rating|assessment) (?:was|were|is|said|found)\b|\brated (?:as )?['\"‘“]?(?:good|outstanding|"
    rf"inadequate|requires improvement)['\"’”]? by (?:CQC|Ofsted|the Care Quality Commission)|"
    rf"\b(?:chief|lead|deputy chief) inspector\b[^.]{{0,80}}\b(?:said|says|added)\b|"
    rf"\b(?:in|from) (?:the|its|their) (?:latest |final )?(?:CQC|Ofsted|inspection|inspectors?['’]s?)(?:['’]s)? "
    rf"report\b", re.I)
COUNCIL_CUES = re.compile(
    r"\b(?:the|a) (?:council|local authority)(?:'s)? (?:said|says|spokesperson|spokesman|spokeswoman|statement)\b|"
    # a councillor with a title of any length ("Cllr Lisa Hinton, Cumberland Council's Executive Member for Adult
    # Social Care, said:")
    r"\b(?:Cllr|Councillor)\.?\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?(?:,?\s+(?:\w+\s+){0,6}?|"
    r"(?:,[^.]{1,120}?,|\s*\([^)]{1,120}\))\s*(?:also\s+|today\s+)?)(?:said|says|added|stated|told|remarked)\b|"
    r"\b(?:director|head|chief executive|leader|cabinet member)\b[^.]{0,80}\b(?:said|says|added)\b|"
    # an office holder named by office alone, as the one speaking ("Ian Cuthbertson, City of York Council's
    # executive member for children, young people and education, said…"; "the Assistant City Mayor for Adult
    # Social Care said"), not one named in passing ("…shared with the portfolio holder last week, said…")
    r"\b(?:executive member|lead member|portfolio holder|mayor)(?:\s+(?:for|of)(?:\s+[\w'’&-]+){1,4})?"
    r"(?:,[^.]{0,80}?,)?\s+(?:also\s+)?(?:said|says|added)\b|"
    # minutes: a member or the Leader speaking in the meeting is not the inspector, whatever they praise
    r"^\W*(?:the )?(?:(?:Cllr|Councillor)\s+[A-Z][\w'-]+|Leader|Portfolio Holder)\s+(?:also\s+)?"
    r"(?:highlighted|asked|queried|explained|confirmed|thanked|commented|welcomed|summed up|introduced|agreed|"
    r"responded|questioned|expressed|advised|stated|said|noted|remarked|stressed)\b", re.I)
_INSPECTORATES = re.compile(r"\b(?:CQC|Care Quality Commission|Ofsted)\b", re.I)
_COMMITTEES = re.compile(r"\b(?:committee|cabinet|scrutiny|board|commission|panel|partnership)\b", re.I)
_COUNCILS = re.compile(r"\b(?:council|borough|county|city of|local authority)\b", re.I)
# The council's account of itself: never read as a story about an inspection (its tables quote CQC's ratings of
# providers as the council's own statistics).
CLAIM_TYPES = ("self_assessment", "action_plan")


def document_source(doc_type: str | None, publisher: str | None) -> str:
    """Rule 3: whose words a document holds, from its type and publisher."""
    publisher = publisher or ""
    if _INSPECTORATES.search(publisher) or doc_type == "inspection_report":
        return INSPECTOR
    if doc_type == "minutes" or (_COMMITTEES.search(publisher) and _COUNCILS.search(publisher)):
        return COMMITTEE
    if doc_type in CLAIM_TYPES or _COUNCILS.search(publisher):
        return COUNCIL
    return PRESS if doc_type == "news" else OTHER


_INSPECTION_TITLE = re.compile(r"\b(?:CQC|Care Quality Commission|Ofsted|inspection|inspectors?|watchdog|"
                               r"local authority assessment)\b", re.I)


def is_about_inspection(title: str | None) -> bool:
    """A news story or minutes whose title names an inspectorate or an inspection reports its verdict."""
    return bool(_INSPECTION_TITLE.search(title or ""))


_VERDICT_WORDS = re.compile(r"\b(?:scored?|scores|rated|rating|judge?ments?|judged|graded?|outstanding|good|"
                            r"requires? improvement|inadequate|praised|commended|findings|highlighted|recognised|"
                            r"concerns?|criticised)\b", re.I)
# Rule 3's continuations.
BULLET = re.compile(r"^\s*(?:[•▪●◦*·–-]|\(?\d{1,2}[.)])\s")  # bullets and numbered items ("7. ", "(3) ")
_PRONOUN_REPORTS = re.compile(rf"(?:^|[,;:]\s*)(?:but |and |however,? )?(?:it|they|he|she)\s+(?:also\s+)?"
                              rf"{_REPORTS}\b", re.I)
_NAMED_INSPECTOR = re.compile(r"\binspectors?,?\s+(?:[A-Z][a-z'-]+\s+)?([A-Z][a-z'-]+)\b")
_LIST_ITEM_MAX_CHARS = 120  # a line this short without a full stop, after an introduction, is an item
# Rule 0: CQC's headings for a statement's standard wording, and the first-person lines of that wording.
_FRAMEWORK_HEADING = re.compile(r"^\W*(?:What people expect|The local authority commitment)\W*$", re.I)
_FRAMEWORK_LINE = re.compile(r"^\W*(?:I|When I|We)\b")
_REPORTING_WE = re.compile(r"^\W*We\s+(?:also\s+|only\s+)?(?:heard|found|saw|spoke|received|met|reviewed|observed|"
                           r"looked|asked|noted|identified|visited|had|were|was|\w+ed)\b", re.I)


def sentence_source(sentence: str, document: str, about_inspection: bool = False) -> str:
    """Rules 1, 2, 4 and 5 for one sentence on its own (passage_sources adds rule 3)."""
    return cued_source(sentence, document) or verdict_source(sentence, document, about_inspection) or document


def cued_source(sentence: str, document: str) -> str | None:
    """Rules 1 and 2: the speaker a sentence names ("inspectors found", "the council said"), if any."""
    if document == INSPECTOR or INSPECTOR_CUES.search(sentence):
        return INSPECTOR
    if document != COUNCIL and COUNCIL_CUES.search(sentence):
        return COUNCIL
    return None


def verdict_source(sentence: str, document: str, about_inspection: bool) -> str | None:
    """Rule 4. about_inspection: the document is a story or minutes about an inspection (is_about_inspection on
    its title; the caller leaves it False for a council's self-assessment or action plan, whose tables quote
    CQC's ratings of providers as the council's own statistics)."""
    if document == COUNCIL and not about_inspection:
        return None
    if (about_inspection or _INSPECTORATES.search(sentence)) and _VERDICT_WORDS.search(sentence) \
            and not COUNCIL_CUES.search(sentence):
        return INSPECTOR
    return None


def passage_sources(sentences: list[str], document: str, about_inspection: bool = False,
                    before: list[str] | None = None, same_line: list[bool] | None = None,
                    section: str | None = None) -> list[str]:
    """Whose words each of a passage's sentences (in order) holds: rules 1 to 5. before: the sentences of the
    document just before the passage, which may open the quotation, list or report it continues; same_line: per
    sentence of before + sentences, whether it sits on the line of the sentence before it (the rest of a
    numbered item: "1. Partnerships were strong. Collaboration was embedded.")."""
    before = before or []
    return speakers_in_order(before + sentences, document, about_inspection, same_line, len(before),
                             section)[len(before):]


def reports_an_inspection(doc_type: str | None, title: str | None) -> bool:
    """A council's self-assessment or action plan is never read as a story about an inspection: its tables
    quote CQC's ratings of providers as the council's own statistics."""
    return doc_type not in CLAIM_TYPES and is_about_inspection(title)


def unit_sources(text: str, kind: str, doc_type: str | None, publisher: str | None, title: str | None,
                 preceding: str = "", section: str | None = None) -> list[str]:
    """Whose words each unit of passage_units(text, kind) holds (a sentence, or a table row); preceding: the text
    of the document's passage before it, where a quotation or list a prose passage continues may begin; section:
    the passage's section path (rule 0: a page whose headings are markup files the framework's wording under one)."""
    return list(_unit_sources(text, kind, doc_type, publisher, title, preceding, section))


@lru_cache(maxsize=4096)  # a pure function of its arguments, asked again for the same top passages
def _unit_sources(text: str, kind: str, doc_type: str | None, publisher: str | None, title: str | None,
                  preceding: str, section: str | None = None) -> tuple[str, ...]:
    units = passage_units(text, kind)
    before = passage_units(preceding, "prose") if preceding and kind != "table" else []
    # a passage's first unit starts a line: a chunk boundary is never read as the rest of a numbered item
    same_line = line_continuations(preceding, before) + [False] + line_continuations(text, units)[1:]
    return tuple(passage_sources([t for _, t in units], document_source(doc_type, publisher),
                                 reports_an_inspection(doc_type, title), [t for _, t in before], same_line,
                                 section))


def line_continuations(text: str, units: list[tuple[int, str]]) -> list[bool]:
    """Per unit: whether it sits on the same line as the unit before it (no line break between them)."""
    flags, end = [], None
    for start, unit in units:
        flags.append(end is not None and "\n" not in text[end:start])
        end = start + len(unit)
    return flags


def speakers_in_order(sentences: list[str], document: str, about_inspection: bool,
                      same_line: list[bool] | None = None, start: int = 0, section: str | None = None) -> list[str]:
    """Rules 0 to 5 over a document's sentences in order; the passage's own begin at `start`, filed under
    `section` (its path: the last heading decides whether they start inside the framework's wording)."""
    sources: list[str] = []
    inspectors: set[str] = set()
    last_cued, quote_open, introduction, in_item, speech = None, False, None, False, None
    framework = False
    heading = section.split(" > ")[-1] if section else None
    for i, sentence in enumerate(sentences):
        if i == start and heading is not None:
            framework = bool(_FRAMEWORK_HEADING.match(heading))
        framework = document == INSPECTOR and (bool(_FRAMEWORK_HEADING.match(sentence))
                                               or (framework and is_framework_wording(sentence)))
        if framework:  # no quotation, list or speech runs through or out of the framework's wording
            sources.append(FRAMEWORK)
            quote_open, introduction, in_item, speech = False, None, False, None
            continue
        rest_of_item = in_item and bool(same_line and same_line[i])  # "1. Found this. And this." on one line
        cued = cued_source(sentence, document)
        source = cued or named_inspector(sentence, inspectors)
        if source is None and sources:
            source = sources[-1] if rest_of_item else continued(sentence, sources[-1], last_cued, quote_open,
                                                                 introduction, speech)
        source = source or verdict_source(sentence, document, about_inspection) or document
        if source == INSPECTOR:
            inspectors |= set(_NAMED_INSPECTOR.findall(sentence))
        if source != document or cued:
            last_cued = source
        quote_open = still_quoting(sentence, quote_open)
        speech = source if cued and _SAYS_COLON.search(sentence) else None  # "…, said:" opens a quotation next
        if sentence.rstrip().endswith(":"):
            introduction, in_item = source, False
        elif is_list_item(sentence):
            in_item = introduction is not None
        elif not rest_of_item:
            introduction, in_item = None, False
        sources.append(source)
    return sources


def is_framework_wording(sentence: str) -> bool:
    """Rule 0: a first-person line of the standard ("I feel safe…", "We work with people…"), not CQC reporting
    ("We heard…") nor a cued sentence."""
    return bool(_FRAMEWORK_LINE.match(sentence)) and not _REPORTING_WE.match(sentence) \
        and not cued_source(sentence, OTHER)


def continued(sentence: str, previous_source: str, last_cued: str | None, quote_open: bool,
              introduction: str | None, speech: str | None = None) -> str | None:
    """Rule 3: the speaker this uncued sentence continues, if any. introduction: the source of the sentence
    ending in a colon that the list items since then follow; speech: the speaker the sentence before names as
    saying what follows ("Cllr Hinton, …, said:"), whose quotation this one may open."""
    if quote_open:
        return previous_source
    if introduction and is_list_item(sentence):
        return introduction
    if speech and _OPENS_QUOTE.match(sentence):  # 'Cllr Hinton said:' then “We…”
        return speech
    if last_cued and _PRONOUN_REPORTS.search(sentence):
        return last_cued
    return None


def named_inspector(sentence: str, surnames: set[str]) -> str | None:
    """'…, Mr Reed said.' after 'Lead inspector Matt Reed said…'."""
    for surname in surnames:
        if re.search(rf"\b{re.escape(surname)}\s+(?:said|says|added|told)\b|\bsaid\s+(?:\w+\s+)?{re.escape(surname)}\b",
                     sentence):
            return INSPECTOR
    return None


def is_list_item(sentence: str) -> bool:
    """A bulleted line, or a line too short to be a sentence and without a full stop."""
    text = sentence.strip()
    return bool(BULLET.match(text)) or (len(text) <= _LIST_ITEM_MAX_CHARS and not text.endswith((".", "?", "!", ":")))


_PARAGRAPH_QUOTE = re.compile(r'\s*"(?=\w)')
_OPENS_QUOTE = re.compile(r'\s*[“"‘](?=\w)')
_SAYS_COLON = re.compile(r"\b(?:said|says|added|stated|commented)\s*:\s*$", re.IGNORECASE)
_INTRODUCED_QUOTE = re.compile(r'[:,]\s+"(?=\w)')


def still_quoting(sentence: str, quote_open: bool) -> bool:
    """Whether a double quotation is open after this sentence (single quotes are apostrophes too often)."""
    opened = sentence.count("“") - sentence.count("”")
    if opened:
        return opened > 0
    if _PARAGRAPH_QUOTE.match(sentence):  # a paragraph opening a quotation: whatever came before has ended
        return sentence.count('"') % 2 == 1
    introduced = _INTRODUCED_QUOTE.search(sentence)  # 'said: "We ...' opens one, unless it closes again
    if introduced and sentence[introduced.start():].count('"') % 2 == 1:
        return True
    return quote_open != (sentence.count('"') % 2 == 1)

