"""Who is speaking: the inspector, the council about itself, a committee, or the press.

A councillor who asks what CQC found must be answered from CQC's words, not from the council's account of
itself, so every quoted passage says whose words it holds. The rule, in order:

1. A sentence that reports an inspector's words or findings is the inspector's, in whatever document it sits
   ("inspectors found", "CQC said", "the assessment team noted", "according to Ofsted", "the report found"):
   an inspector quoted in the news or in minutes is still the inspector.
2. In the news or in minutes, a sentence that reports the council speaking ("the council said", "a council
   spokesperson", "Cllr Patel said", "the director of adult social care said") is the council's.
3. Otherwise the document's own source, from sources.yaml: a publisher naming CQC or Ofsted, or the type
   inspection_report, is the inspector; minutes, or a publisher naming a committee, cabinet, board or
   scrutiny, a committee; a self-assessment or action plan, or a publisher that is a council, the council;
   the news from anyone else, the press; anything else "other".

The answer says it aloud: each document's first quoted statement is led by whose words follow and where
(answer/attribution.py).
"""

import re

INSPECTOR, COUNCIL, COMMITTEE, PRESS, OTHER = "inspector", "council", "committee", "press", "other"
SOURCES = (INSPECTOR, COUNCIL, COMMITTEE, PRESS, OTHER)

_BODY = r"(?:CQC|Care Quality Commission|Ofsted|inspectors?|the inspectorate|the regulator|the watchdog|" \
        r"the assessment team|assessors|the (?:inspection |assessment |CQC['’]s |Ofsted['’]s |CQC |Ofsted )?report)"
_REPORTS = r"(?:found|finds|said|says|noted|notes|observed|saw|highlighted|praised|commended|rated|judged|concluded|" \
           r"reported|described|identified|raised|criticised|commented|stated|told|heard|felt|gave|awarded|scored|" \
           r"made|issued|recommended|set out|finding|saying|noting|observing|highlighting|praising|judging|describing|" \
           r"identifying)"
INSPECTOR_CUES = re.compile(
    rf"\b{_BODY}\s+(?:\w+\s+){{0,2}}{_REPORTS}\b|\baccording to (?:the )?{_BODY}|"
    rf"\b(?:judged|rated|graded|assessed|described|found)\b[^.]{{0,60}}\bby (?:the )?(?:CQC|Care Quality Commission|"
    rf"Ofsted|inspectors)\b|\b(?:told|found|judged|assessed) by "
    rf"(?:the )?{_BODY}|\b{_BODY}(?:'s)? (?:findings|verdict|"
    rf"judgement|rating|assessment) (?:was|were|is|said|found)\b|\brated (?:as )?['\"‘“]?(?:good|outstanding|"
    rf"inadequate|requires improvement)['\"’”]? by (?:CQC|Ofsted|the Care Quality Commission)", re.I)
COUNCIL_CUES = re.compile(
    r"\b(?:the|a) (?:council|local authority)(?:'s)? (?:said|says|spokesperson|spokesman|spokeswoman|statement)\b|"
    r"\b(?:Cllr|Councillor)\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?,?\s+(?:\w+\s+){0,6}?(?:said|says|added)\b|"
    r"\b(?:director|head|chief executive|leader|cabinet member)\b[^.]{0,80}\b(?:said|says|added)\b", re.I)
_INSPECTORATES = re.compile(r"\b(?:CQC|Care Quality Commission|Ofsted)\b", re.I)
_COMMITTEES = re.compile(r"\b(?:committee|cabinet|scrutiny|board|commission|panel|partnership)\b", re.I)
_COUNCILS = re.compile(r"\b(?:council|borough|county|city of|local authority)\b", re.I)


def document_source(doc_type: str | None, publisher: str | None) -> str:
    """Rule 3: whose words a document holds, from its type and publisher."""
    publisher = publisher or ""
    if _INSPECTORATES.search(publisher) or doc_type == "inspection_report":
        return INSPECTOR
    if doc_type == "minutes" or (_COMMITTEES.search(publisher) and _COUNCILS.search(publisher)):
        return COMMITTEE
    if doc_type in ("self_assessment", "action_plan") or _COUNCILS.search(publisher):
        return COUNCIL
    return PRESS if doc_type == "news" else OTHER


_INSPECTION_TITLE = re.compile(r"\b(?:CQC|Care Quality Commission|Ofsted|inspection|inspectors?|watchdog|"
                               r"local authority assessment)\b", re.I)


def is_about_inspection(title: str | None) -> bool:
    """A news story or minutes whose title names an inspectorate or an inspection reports its verdict."""
    return bool(_INSPECTION_TITLE.search(title or ""))


_VERDICT_WORDS = re.compile(r"\b(?:scored?|rated|rating|judge?ment|judged|graded?|outstanding|good|"
                            r"requires? improvement|inadequate|praised|commended)\b", re.I)


def sentence_source(sentence: str, document: str, about_inspection: bool = False) -> str:
    """Rules 1 and 2: whose words one sentence holds, given its document's source. In the news and in minutes,
    a sentence with a verdict (a score, a rating, a judgement) reports the inspector's when it names CQC or Ofsted
    or the document is about an inspection (about_inspection: its title names one, see is_about_inspection); in
    the council's own documents only an explicit report does ("CQC found"), since their tables quote CQC's
    ratings of providers as the council's own statistics."""
    if document == INSPECTOR or INSPECTOR_CUES.search(sentence):
        return INSPECTOR
    if document in (PRESS, COMMITTEE) and (about_inspection or _INSPECTORATES.search(sentence)) \
            and _VERDICT_WORDS.search(sentence) and not COUNCIL_CUES.search(sentence):
        return INSPECTOR
    if document in (PRESS, COMMITTEE) and COUNCIL_CUES.search(sentence):
        return COUNCIL
    return document

