"""Metadata read from a document itself when sources.yaml does not give it: title, date, document type and service."""

import re
from collections import Counter
from pathlib import Path

from evidence_bot.errors import SourcesError
from evidence_bot.ingest.sources import normalise_date
from evidence_bot.models import DocumentMeta, LoadedDocument

_MONTHS = ("january february march april may june july august september october november december").split()
_MONTH_ALT = "|".join(m[:3] + r"(?:" + m[3:] + r")?" for m in _MONTHS).replace("sep(?:tember)?", "sept?(?:ember)?")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_ALT})\.?,?\s+((?:19|20)\d{{2}})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_ALT})\.?\s+((?:19|20)\d{{2}})\b", re.I)
_ISO_IN_TEXT = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_UK_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b")  # dd/mm/yyyy, the British order

# (pattern, weight): strong cues name the genre outright, weak ones only lean towards it
_TYPE_CUES = {
    "minutes": [(r"\bRESOLVED\b", 3), (r"\bAgenda item\b", 3), (r"\bDecision Maker\b", 3), (r"\bMinutes\b", 2),
                (r"\bCouncillors? \w+ (?:asked|queried|queries|noted|spoke|introduced)", 1),
                (r"\b[Aa]pologies for absence\b", 3)],
    "self_assessment": [(r"self[- ]assessment", 3), (r"\bOur Strengths\b", 2), (r"\bKey Statistics\b", 3),
                        (r"\bAreas? for Improvement\b", 1)],
    "inspection_report": [(r"\binspection report\b", 2), (r"\b[Ii]nspectors? (?:found|noted|saw)\b", 2),
                          (r"\bWhat we found\b", 3), (r"\b[Jj]udgement\b", 1),
                          (r"\bOverall (?:rating|effectiveness)\b", 2)],
    "action_plan": [(r"\b[Aa]ction [Pp]lan\b", 2), (r"\bRAG\b", 3), (r"\b[Tt]arget date\b", 2), (r"\bOwner\b", 1)],
    "news": [(r"\bReporter\b", 3), (r"\bsaid:", 2), (r"\bpress release\b", 3)],
}
_SERVICE_CUES = {
    "adults": r"\badult social care\b|\bCare Act\b|\bolder people\b",
    "children": r"\bchildren'?s services\b|\bcare leavers\b|\bchildren looked after\b|\bOfsted\b",
    "corporate": r"\bcorporate plan\b|\bcommissioners?\b|\bbest value\b",
}


def infer_meta(loaded: LoadedDocument, path: Path) -> DocumentMeta:
    return DocumentMeta(title=infer_title(loaded, path), doc_type=infer_doc_type(loaded.text),
                        date=infer_date(loaded.text), service=infer_service(loaded.text))


def infer_title(loaded: LoadedDocument, path: Path) -> str:
    if loaded.title and loaded.title.strip(" %#*-_"):
        return loaded.title.strip(" %#*-_")
    for block in loaded.blocks[:8]:
        if block.kind == "heading" and len(block.text) > 3:
            return block.text[:200]
    first_line = loaded.text.strip().split("\n", 1)[0].strip()
    if 3 < len(first_line) <= 120:
        return first_line
    return path.stem.replace("_", " ").replace("-", " ")


def infer_date(text: str) -> str | None:
    """The first full date in the opening of the document, else its most mentioned month."""
    opening = text[:4000]
    found = []
    for match in _DAY_MONTH_YEAR.finditer(opening):
        found.append((match.start(), f"{match.group(3)}-{month_number(match.group(2)):02d}-{int(match.group(1)):02d}"))
    for match in _ISO_IN_TEXT.finditer(opening):
        found.append((match.start(), match.group(0)))
    for match in _UK_NUMERIC.finditer(opening):
        found.append((match.start(), f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"))
    for _position, candidate in sorted(found):
        try:
            return normalise_date(candidate, "text")
        except SourcesError:
            continue
    months = Counter(f"{m.group(2)}-{month_number(m.group(1)):02d}" for m in _MONTH_YEAR.finditer(text))
    return months.most_common(1)[0][0] if months else None


def month_number(name: str) -> int:
    return next(i for i, month in enumerate(_MONTHS, start=1) if name.lower().startswith(month[:3]))


def infer_doc_type(text: str) -> str:
    opening = text[:20000]
    scores = {kind: sum(weight * min(3, len(re.findall(cue, opening))) for cue, weight in cues)
              for kind, cues in _TYPE_CUES.items()}
    kind, score = max(scores.items(), key=lambda item: item[1])
    return kind if score >= 3 else "other"


def infer_service(text: str) -> str | None:
    scores = {service: len(re.findall(cue, text, re.I)) for service, cue in _SERVICE_CUES.items()}
    service, score = max(scores.items(), key=lambda item: item[1])
    return service if score >= 2 else None
