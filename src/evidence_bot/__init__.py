"""evidence_bot: cited answers over council inspection evidence."""

from evidence_bot.config import Settings
from evidence_bot.errors import EvidenceBotError, IngestError, SourcesError
from evidence_bot.models import Answer, Citation, DocumentMeta, Filters, Passage
from evidence_bot.service import EvidenceBot

__all__ = [
    "Answer",
    "Citation",
    "DocumentMeta",
    "EvidenceBot",
    "EvidenceBotError",
    "Filters",
    "IngestError",
    "Passage",
    "Settings",
    "SourcesError",
]
__version__ = "0.1.0"
