"""Documents sent to the service (POST /api/documents): kept in the index's uploads folder under a safe name.

The type comes from the content (loaders.sniff), never from the name the sender gave; the name is reduced
to letters, digits, '-' and '_' so that nothing can climb out of the folder; a file that no loader can
read is refused before it replaces anything. Uploading a file of the same (safe) name again replaces
that document, as re-ingesting an edited file does.

The sent bytes are staged beside their target ('.replace-<pid>-<process token>-<name>'), ingested under the
target's name, and moved into place only after the catalog holds them, so the file on disk matches the catalog's
content_hash; a staged file left by a process that died is settled when the index next opens (recovery.py)."""

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from evidence_bot.errors import EvidenceBotError
from evidence_bot.ingest.loaders import sniff

EXTENSION_FOR = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt", "xlsx": ".xlsx", "pptx": ".pptx",
                 "csv": ".csv"}
# Read to tell the type: an Office file's first parts (which name word/, xl/ or ppt/) come within the first few KB.
HEAD_BYTES = 65536
NAME_LIMIT = 80
STAGED = ".replace-"
# Tells this process's staged files from those of an earlier process that had the same pid (a restarted container).
PROCESS_TOKEN = secrets.token_hex(4)


class UploadError(EvidenceBotError):
    """An upload was refused; the message says why, naming the file as it was sent."""

    def __init__(self, message: str, status: int = 422):
        self.status = status
        super().__init__(message)


@dataclass
class SavedUpload:
    path: Path  # where the document lives once ingested
    replaced: bool  # a document uploaded earlier under the same name
    warnings: list[str]
    staged: Path  # the sent bytes until they move to path
    sent_name: str

    def for_sender(self, text: str) -> str:
        """A message about the file with the server's paths replaced by the name it was sent under."""
        return text.replace(str(self.staged), self.sent_name).replace(str(self.path), self.sent_name)


@dataclass
class StagedFile:
    staged: Path
    target: Path
    pid: int
    mine: bool  # staged by this process (an upload that may be in progress)


def safe_name(sent_name: str | None, kind: str) -> str:
    """'../../etc/Passwd Report (v2).PDF' -> 'Passwd-Report-v2.pdf': the last path part, ASCII, no dots.

    Accents are dropped ('Résumé' -> 'Resume'). A name that loses letters or digits on the way (other scripts,
    'ß', or nothing left: '..', '.') gets the first 8 hex digits of the SHA-256 of the sent name, so that
    different names never become one document and replace each other: 'Отчёт.txt' -> 'document-1f0c…'."""
    last = re.split(r"[\\/]", sent_name or "")[-1]
    stem = last.rsplit(".", 1)[0] if "." in last.lstrip(".") else last
    unaccented = "".join(c for c in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(c))
    ascii_stem = unaccented.encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:NAME_LIMIT].rstrip("-_")
    lost = any(c.isalnum() and not c.isascii() for c in unaccented)
    if cleaned and not lost:
        return cleaned + EXTENSION_FOR[kind]
    fingerprint = hashlib.sha256((sent_name or "").encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned or 'document'}-{fingerprint}{EXTENSION_FOR[kind]}"


def kind_of(head: bytes, sent_name: str) -> str:
    kind = sniff(head)
    if kind not in EXTENSION_FOR:
        raise UploadError(f"{sent_name}: the content is {kind}, not PDF, Word (DOCX), Excel (XLSX), PowerPoint "
                          "(PPTX), CSV, HTML or text", 415)
    if kind == "text" and sent_name.lower().endswith(".csv"):  # a CSV file is text; its name says it is a table
        return "csv"
    return kind


class UploadFolder:
    def __init__(self, folder: Path, max_bytes: int):
        self.folder, self.max_bytes = folder, max_bytes

    def holds(self, path: str | Path) -> bool:
        return Path(path).resolve().parent == self.folder.resolve()

    def stage(self, stream: BinaryIO, sent_name: str) -> SavedUpload:
        """Copy the upload beside its target, checking its type and size; the target is not touched (it is moved into
        place only once the catalog holds it: recovery.settle_upload)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        head = stream.read(HEAD_BYTES)
        if not head.strip():
            raise UploadError(f"{sent_name}: the file is empty")
        kind = kind_of(head, sent_name)
        target = self.folder / safe_name(sent_name, kind)
        staged = self.folder / f"{STAGED}{os.getpid()}-{PROCESS_TOKEN}-{target.name}"
        try:
            with staged.open("wb") as out:
                out.write(head)
                self.copy_limited(stream, out, len(head), sent_name)
                out.flush()
                os.fsync(out.fileno())  # the bytes are on disk before the catalog can name them
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return SavedUpload(target.resolve(), target.exists(), [], staged.resolve(), sent_name)

    def staged_files(self) -> list[StagedFile]:
        """Every staged upload in the folder, with the process that staged it."""
        found = []
        for staged in self.folder.glob(f"{STAGED}*") if self.folder.is_dir() else []:
            pid, token, name = (staged.name[len(STAGED):].split("-", 2) + ["", ""])[:3]
            if pid.isdigit() and name:
                mine = int(pid) == os.getpid() and token == PROCESS_TOKEN
                found.append(StagedFile(staged, self.folder / name, int(pid), mine))
        return found

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
