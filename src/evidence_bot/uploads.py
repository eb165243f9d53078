"""Documents sent to the service (POST /api/documents): kept in the index's uploads folder under a safe name.

The type comes from the content (loaders.sniff), never from the name the sender gave; the name is reduced
to letters, digits, '-' and '_' so that nothing can climb out of the folder; a file that no loader can
read is refused before it replaces anything. Uploading a file of the same (safe) name again replaces
that document, as re-ingesting an edited file does."""

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from evidence_bot.errors import EvidenceBotError, IngestError
from evidence_bot.loaders import load_document, sniff

EXTENSION_FOR = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}
NAME_LIMIT = 80


class UploadError(EvidenceBotError):
    """An upload was refused; the message says why, naming the file as it was sent."""

    def __init__(self, message: str, status: int = 422):
        self.status = status
        super().__init__(message)


@dataclass
class SavedUpload:
    path: Path
    replaced: bool  # a document uploaded earlier under the same name
    warnings: list[str]


def safe_name(sent_name: str | None, kind: str) -> str:
    """'../../etc/Passwd Report (v2).PDF' -> 'Passwd-Report-v2.pdf': the last path part, ASCII, no dots."""
    last = re.split(r"[\\/]", sent_name or "")[-1]
    stem = last.rsplit(".", 1)[0] if "." in last.lstrip(".") else last
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:NAME_LIMIT].rstrip("-_")
    return (cleaned or "document") + EXTENSION_FOR[kind]


def kind_of(head: bytes, sent_name: str) -> str:
    kind = sniff(head)
    if kind not in EXTENSION_FOR:
        raise UploadError(f"{sent_name}: the content is {kind}, not PDF, Word (DOCX), HTML or text", 415)
    return kind


class UploadFolder:
    def __init__(self, folder: Path, max_bytes: int):
        self.folder, self.max_bytes = folder, max_bytes

    def holds(self, path: str | Path) -> bool:
        return Path(path).resolve().parent == self.folder.resolve()

    def save(self, stream: BinaryIO, sent_name: str) -> SavedUpload:
        """Copy the upload into a temporary file, check it, load it once, then move it into place."""
        self.folder.mkdir(parents=True, exist_ok=True)
        head = stream.read(2048)
        if not head.strip():
            raise UploadError(f"{sent_name}: the file is empty")
        kind = kind_of(head, sent_name)
        target = self.folder / safe_name(sent_name, kind)
        handle, temporary = tempfile.mkstemp(prefix=".upload-", suffix=target.suffix, dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(head)
                self.copy_limited(stream, out, len(head), sent_name)
            warnings: list[str] = []
            try:
                load_document(Path(temporary), warnings)  # refuse what no loader reads, before replacing anything
            except IngestError as exc:
                raise UploadError(f"{sent_name}: {exc.reason}") from exc
            except Exception as exc:  # a loader's unforeseen failure is still the file's fault, not a 500
                raise UploadError(f"{sent_name}: could not be read ({type(exc).__name__})") from exc
            replaced = target.exists()
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return SavedUpload(target, replaced, [w.replace(temporary, sent_name) for w in warnings])

    def copy_limited(self, stream: BinaryIO, out: BinaryIO, copied: int, sent_name: str) -> None:
        while block := stream.read(1 << 20):
            copied += len(block)
            if copied > self.max_bytes:
                raise UploadError(f"{sent_name}: larger than the upload limit of {self.max_bytes:,} bytes", 413)
            out.write(block)

    def discard(self, path: str | Path) -> None:
        """Delete an uploaded file; files ingested from a council's own folders are never touched."""
        if self.holds(path):
            Path(path).unlink(missing_ok=True)
