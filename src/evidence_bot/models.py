"""Plain data passed between the pipeline's stages."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from evidence_bot.text.control_chars import strip_controls

DOC_TYPES = ("self_assessment", "inspection_report", "minutes", "action_plan", "news", "other")
META_FIELDS = ("title", "doc_type", "date", "publisher", "service", "url", "access")


@dataclass
class DocumentMeta:
    title: str | None = None
    doc_type: str | None = None
    date: str | None = None  # YYYY-MM-DD or YYYY-MM: the date the document speaks as of
    publisher: str | None = None
    service: str | None = None
    url: str | None = None
    access: str | None = None

    def merged_over(self, base: "DocumentMeta") -> "DocumentMeta":
        """Fields set here win; unset ones come from base."""
        return DocumentMeta(**{k: getattr(self, k) or getattr(base, k) for k in META_FIELDS})

    def sanitised(self) -> "DocumentMeta":
        """Without control characters or terminal escapes (control_chars.py); a field left empty is unset."""
        return DocumentMeta(**{k: (strip_controls(v) or None) if isinstance(v, str) else v
                               for k, v in asdict(self).items()})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def heading(self, fallback: str) -> str:
        """What names the document in its passages' embedded context and lexical title: the title, and the
        publisher when the title does not name it. A CQC page never says "CQC" in its text; its publisher does,
        and a question naming CQC should find it."""
        title = self.title or fallback
        if self.publisher and self.publisher.lower() not in title.lower():
            return f"{title} ({self.publisher})"
        return title


BlockKind = Literal["heading", "paragraph", "list_item", "table"]
# The callables the answerers read the index through (a reader's access levels, None for all):
UnitVectors = Callable[[list[str]], dict[str, list[float]]]  # unit or passage ids -> their stored vectors
DocumentFrequency = Callable[[list[str], list[str] | None], dict[str, int]]  # words -> passages holding each
PassageCount = Callable[[list[str] | None], int]


@dataclass
class Block:
    """One structural unit of a loaded document, with offsets into its text."""

    kind: BlockKind
    text: str
    start: int
    end: int
    page: int | None = None
    level: int = 0  # heading depth, 1 = top
    header: str | None = None  # tables: the header row as it appears in text
    rows: list[str] = field(default_factory=list)  # tables: body rows as they appear in text


@dataclass
class PagesRead:
    """A PDF's pages by how their text was read."""

    text: int  # from the text layer
    ocr: int  # by OCR
    empty: int  # no text either way


@dataclass
class LoadedDocument:
    path: str
    text: str  # the cleaned full text that offsets point into
    blocks: list[Block]
    format: str
    page_count: int | None = None
    title: str | None = None  # a title the file itself declares (HTML <title>, document properties)
    ocr_pages: dict[int, float] = field(default_factory=dict)  # page -> OCR confidence (0-1), pages read by OCR
    pages_read: PagesRead | None = None  # PDFs


@dataclass
class PassageOrigin:
    """Where a quoted piece of evidence comes from: its passage and document as a reader cites them. Claims,
    findings, gap reports and briefing footnotes extend it (evidence/)."""
    passage_id: str
    doc_id: str
    title: str
    doc_type: str | None
    date: str | None
    page: int | None


@dataclass
class Passage:
    id: str
    doc_id: str
    seq: int
    text: str  # what is shown and cited
    embed_text: str  # what is embedded: context header + text
    section: str | None
    page: int | None
    page_end: int | None
    start: int
    end: int
    kind: str  # prose | table
    token_count: int
    ocr_confidence: float | None = None  # read by OCR: the lowest confidence of its pages; None from a text layer


@dataclass
class Filters:
    doc_type: list[str] = field(default_factory=list)
    service: list[str] = field(default_factory=list)
    publisher: list[str] = field(default_factory=list)
    document: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    access: list[str] | None = None  # the access values the viewer may read; None: no restriction (access.py)

    def is_empty(self) -> bool:
        return not any(asdict(self).values())


@dataclass
class SearchHit:
    passage: Passage
    meta: DocumentMeta
    score: float  # fused score, higher is better
    dense: float | None = None  # cosine similarity, when the dense ranker found it
    renditions: list[str] = field(default_factory=list)  # other doc ids holding the same text


@dataclass
class Citation:
    n: int
    document: str
    title: str
    doc_type: str | None
    date: str | None
    page: int | None
    section: str | None
    text: str
    score: float
    passage_id: str = ""
    url: str | None = None
    also_in: list[str] = field(default_factory=list)
    highlights: list[list[int]] = field(default_factory=list)  # [start, end) of each quoted sentence in text
    source: str = ""  # whose words the quoted text is: inspector, council, committee, press, other,
    # or framework: the standard assessed against, as an inspector's page sets it out (speakers.py)
    publisher: str | None = None  # the document's publisher (sources.yaml), named in the lead-in (attribution.py)
    ocr: bool = False  # the passage's text was read from a scan by OCR, and may hold its misreadings
    ocr_confidence: float | None = None  # the OCR engine's confidence (0-1) for the passage's pages


@dataclass
class Answer:
    answer: str
    abstained: bool
    citations: list[Citation]
    confidence: float = 0.0
    query: str = ""  # the retrieval query, after follow-up resolution
    mode: str = "extractive"  # or "llm": generated, every sentence verified (answer/generative.py)
    note: str | None = None  # e.g. why the extractive answer is shown although the llm mode is on
    # generated sentences removed: {"sentence", "reason"}
    removed: list[dict[str, str | None]] = field(default_factory=list)
    removed_citations: list[int] = field(default_factory=list)  # cited numbers that were never given
    partial: bool = False  # some of what was asked was found, not all (answer/composing.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "confidence": round(self.confidence, 4),
            "query": self.query,
            "mode": self.mode,
            "note": self.note,
            "removed": self.removed,
            "removed_citations": self.removed_citations,
            "partial": self.partial,
        }
