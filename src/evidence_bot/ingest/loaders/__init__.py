"""Loaders by file type. The content decides the type; an extension that lies is an error."""

from pathlib import Path

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.archive import MAIN_PARTS, office_kind
from evidence_bot.ingest.loaders.docx import load_docx
from evidence_bot.ingest.loaders.html import load_html
from evidence_bot.ingest.loaders.limits import MAX_FILE_BYTES, MAX_TEXT_CHARS
from evidence_bot.ingest.loaders.pdf import load_pdf
from evidence_bot.ingest.loaders.sheets import load_csv, load_xlsx
from evidence_bot.ingest.loaders.slides import load_pptx
from evidence_bot.ingest.loaders.text import load_text
from evidence_bot.models import LoadedDocument

LOADERS = {"pdf": load_pdf, "docx": load_docx, "html": load_html, "text": load_text, "xlsx": load_xlsx,
           "csv": load_csv, "pptx": load_pptx}
EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html",
              ".txt": "text", ".md": "text", ".markdown": "text", ".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv",
              ".pptx": "pptx"}
# The head of an Office file names its first parts; which kind it is shows in the names (office_kind reads the
# whole list of parts when the head does not tell).
_OFFICE_HEADS = {b"word/": "docx", b"xl/": "xlsx", b"ppt/": "pptx"}

__all__ = ["EXTENSIONS", "MAX_FILE_BYTES", "MAX_TEXT_CHARS", "load_document", "is_supported", "sniff"]


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS


def sniff(head: bytes) -> str:
    """What the first bytes say the file is."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return next((kind for mark, kind in _OFFICE_HEADS.items() if mark in head), "zip")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .doc / .xls
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in head:
        return "binary"
    return "text"


def load_document(path: Path, warnings: list[str], ocr: bool = True, pdf_tables: bool = False) -> LoadedDocument:
    """Load one file into blocks. Raises IngestError naming the file and the reason. ocr: PDF pages without a
    text layer are read by OCR; pdf_tables: tables in PDFs are found from columns of text."""
    path = Path(path)
    expected = EXTENSIONS.get(path.suffix.lower())
    if expected is None:
        raise IngestError(path, f"unsupported file type '{path.suffix or '(none)'}'; "
                                f"supported: {', '.join(sorted(EXTENSIONS))}")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(2048)
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not head.strip():
        raise IngestError(path, "empty file")
    if size > MAX_FILE_BYTES:
        raise IngestError(path, f"{size // 2**20} MB, over the {MAX_FILE_BYTES // 2**20} MB limit for one document; "
                                "split it")
    actual = sniff(head)
    if actual in (*MAIN_PARTS, "zip"):
        actual = office_kind(path)
    if actual == "ole" and expected in MAIN_PARTS:
        raise IngestError(path, "a password-protected (encrypted) or old-format Office file; remove the password, "
                                f"or save it as .{expected}, and ingest it again")
    if expected == "csv" and actual == "text":
        pass
    elif expected == "text" and actual == "html" and path.suffix.lower() != ".txt":
        pass  # Markdown may hold raw HTML
    elif actual != expected:
        raise IngestError(path, f"the extension says {expected} but the content is {actual}; "
                                "rename the file or export it again")
    document = (load_pdf(path, warnings, ocr, pdf_tables) if expected == "pdf"
                else LOADERS[expected](path, warnings))
    if not document.text.strip():
        raise IngestError(path, "no text found in the document")
    if len(document.text) > MAX_TEXT_CHARS:
        raise IngestError(path, f"{len(document.text):,} characters of text, over the {MAX_TEXT_CHARS:,} limit for "
                                "one document; split it")
    return document
