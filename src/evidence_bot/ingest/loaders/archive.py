"""Office Open XML files (Word, Excel, PowerPoint) are zip archives of XML parts: checked before a library
inflates them, so that a zip bomb or a flood of markup is refused with a clear error and memory stays bounded.

zipfile stops at the sizes the archive declares, so the declared sizes bound what inflating can cost; the XML is
then streamed (nothing kept) and counted, because python-docx, openpyxl and python-pptx build a whole tree of
every part first (about 2.5 s and 20 MB of memory per MB of XML)."""

import zipfile
import zlib
from pathlib import Path

from lxml import etree

from evidence_bot.errors import IngestError
from evidence_bot.ingest.loaders.limits import MAX_TEXT_CHARS

MAX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # office XML compresses about 5-20 times; a part past this and 10 MB is a bomb
# The corpus's Word files have 0.04-0.13 elements per character of text; a 5,000,000-character document three
# times as dense as the densest still fits. A spreadsheet cell is about three elements (c, v, and its shared
# string), so this also bounds a workbook to about 600,000 filled cells.
MAX_XML_ELEMENTS = 2_000_000
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError, NotImplementedError,
              RecursionError, etree.XMLSyntaxError)  # what fuzzing the Word loader found
# The part that makes an archive each kind of document.
MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
KIND_NAMES = {"docx": "Word document", "xlsx": "Excel workbook", "pptx": "PowerPoint deck"}


def office_kind(path: Path) -> str:
    """docx, xlsx or pptx by the parts the archive holds; "zip" for any other archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except ZIP_DAMAGE:
        return "zip"
    return next((kind for kind, part in MAIN_PARTS.items() if part in names), "zip")


def check_archive(path: Path, kind: str, text_tags: frozenset[str]) -> None:
    """Refuse a bomb or a markup flood before any library opens the file; text_tags are the elements whose
    text is the document's text (counted against MAX_TEXT_CHARS)."""
    what = KIND_NAMES[kind]
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except ZIP_DAMAGE as exc:
        raise IngestError(path, f"not a readable {what} ({type(exc).__name__}: {exc})") from exc
    expanded = sum(part.file_size for part in parts)
    if expanded > MAX_EXPANDED_BYTES:
        raise IngestError(path, f"would expand to {expanded // 2**20} MB, over the {MAX_EXPANDED_BYTES // 2**20} MB "
                                "limit (a damaged file or a zip bomb); not opened")
    for part in parts:
        if part.file_size > 10 * 2**20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise IngestError(path, f"part {part.filename} expands {part.file_size // max(part.compress_size, 1)} "
                                    "times (a zip bomb); not opened")
    try:
        with zipfile.ZipFile(path) as archive:
            check_xml(path, archive, what, text_tags)
    except ZIP_DAMAGE as exc:
        raise IngestError(path, f"not a readable {what} ({type(exc).__name__}: {exc})") from exc


def check_xml(path: Path, archive: zipfile.ZipFile, what: str, text_tags: frozenset[str]) -> None:
    """Stream every part that parses as XML (any part may be declared a header, a sheet or a slide), stopping
    with an error as soon as the text or the elements read pass their bound. Nothing is kept: each element
    is cleared once read. A part that is not XML, or stops being well-formed, ends its own check; the library
    reports it if it reads that part."""
    elements = characters = 0
    for part in archive.infolist():
        with archive.open(part) as stream:
            try:
                for _, element in etree.iterparse(stream, events=("end",), resolve_entities=False, no_network=True):
                    elements += 1
                    if element.tag in text_tags:
                        characters += len(element.text or "")
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:  # the cleared siblings too: memory stays flat
                        del element.getparent()[0]
                    if characters > MAX_TEXT_CHARS:
                        raise IngestError(path, f"more than {MAX_TEXT_CHARS:,} characters of text, over the "
                                                f"{MAX_TEXT_CHARS:,} limit for one document; split it")
                    if elements > MAX_XML_ELEMENTS:
                        raise IngestError(path, f"more than {MAX_XML_ELEMENTS:,} XML elements, over the limit for "
                                                f"one {what} (far more markup than text, or a damaged file); "
                                                "not opened")
            except etree.XMLSyntaxError:
                continue
