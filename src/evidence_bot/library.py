"""The write side of EvidenceBot: ingest, upload, remove, check the index, and keep the statement mapping up to
date."""

from __future__ import annotations

import getpass
import os
import shlex
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from evidence_bot.errors import EvidenceBotError, NotFoundError
from evidence_bot.governance.access import Viewer
from evidence_bot.governance.audit import AuditLog
from evidence_bot.ingest.chunking import ChunkLimits
from evidence_bot.ingest.files import document_id
from evidence_bot.ingest.ingestor import Ingestor
from evidence_bot.ingest.report import AccessChange, IngestReport
from evidence_bot.ingest.uploads import SavedUpload, UploadError
from evidence_bot.models import DocumentMeta
from evidence_bot.reader import Reader
from evidence_bot.store.embedding import TokenCounter
from evidence_bot.store.index_lock import IndexLock
from evidence_bot.store.locked import locked
from evidence_bot.store.recovery import IndexCheck, check_index, recover, settle_upload

if TYPE_CHECKING:
    from evidence_bot.evidence.frameworks.corrections import Correction
    from evidence_bot.evidence.frameworks.refresh import MappingRefresh
    from evidence_bot.service import EvidenceBot


def process_actor() -> Viewer:
    """Who changes the index from a command line (no token): the OS user and the command, for the audit log."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = f"uid {os.getuid()}"
    return Viewer(f"{user} (OS user): {shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])}"[:500], "admin")


class Library:
    """The write side, acting as one viewer (None: the OS user running a command); everything loaded comes from the
    one EvidenceBot it shares (service.py)."""

    def __init__(self, bot: EvidenceBot, viewer: Viewer | None = None):
        self.bot = bot
        self.viewer = viewer
        self.reader = Reader(bot, viewer)  # what this viewer may see: only that may be corrected or removed

    def refresh_mapping(self, lock: AbstractContextManager[Any] | None = None) -> MappingRefresh:
        """Maps passages to the frameworks' statements (new passages, or all when a framework file or the mapping
        model changed), then applies the corrections. With a lock, only the store reads and writes hold it, not
        embedding the statements (locked.py)."""
        from evidence_bot.evidence.frameworks.corrections import CorrectionError, read_corrections
        from evidence_bot.evidence.frameworks.refresh import refresh_mapping

        bot = self.bot
        catalog, mapping = locked(bot.catalog, lock), locked(bot.mapping, lock)
        vectors, unit_vectors = locked(bot.vectors, lock), locked(bot.unit_vectors, lock)
        try:
            corrections, problem = read_corrections(self.bot.settings.corrections_path), None
        except CorrectionError as exc:  # the model still maps new passages; stored corrections stay as they are
            corrections, problem = None, f"{exc}: no correction applied until it is fixed"
        result = refresh_mapping(catalog, mapping, vectors, unit_vectors, self.bot.embedder.embed, self.bot.frameworks,
                                 corrections, self.bot.mapping_model)
        result.unplaced += [problem] if problem else []
        return result

    def corrector_name(self) -> str:
        """Who files a correction when no name is given: the viewer, else the OS user."""
        return self.viewer.name if self.viewer else process_actor().name.split(" (OS user)")[0]

    def correct_mapping(self, passage_id: str, framework_id: str, statements: list[str], category: str | None = None,
                        by: str = "", note: str = "", lock: AbstractContextManager[Any] | None = None) -> Correction:
        """A readiness lead files a passage under these statements (none: it evidences none). Kept in the
        corrections file (frameworks/corrections.py), applied at once and after every later ingest or refit."""
        from datetime import datetime

        from evidence_bot.evidence.frameworks.corrections import (
            Correction,
            append_correction,
            locate,
            read_corrections,
            span_of,
        )

        framework = self.reader.framework(framework_id)
        statements = [s.removeprefix(f"{framework.id}/") for s in statements]  # as `map` prints them, or bare
        found = self.bot.catalog.passages([passage_id])
        if passage_id not in found or not self.reader.readable(found[passage_id][1].access):
            raise NotFoundError(f"no passage '{passage_id}'")
        passage, meta = found[passage_id]
        unknown = [s for s in statements if s not in {st.id for st in framework.statements}]
        if unknown:
            raise EvidenceBotError(f"statements: {', '.join(unknown)} not in {framework.id}")
        if category is not None and category not in {c.id for c in framework.categories}:
            raise EvidenceBotError(f"category: '{category}' not in {framework.id}")
        document = self.reader.document(passage.doc_id)["path"]
        correction = Correction(document, span_of(passage.text), framework.id, tuple(statements), category,
                                by or self.corrector_name(),
                                datetime.now(UTC).isoformat(timespec="seconds"), note)
        if locate(self.bot.catalog, correction) != passage_id:  # the opening words recur: name it by all its words
            correction = replace(correction, span=passage.text)
        if locate(self.bot.catalog, correction) != passage_id:
            raise EvidenceBotError(f"passage '{passage_id}': its document holds the same text more than once, so a "
                                   f"correction could not find it again; correct the document instead")
        with IndexLock(self.bot.settings.index_dir):
            read_corrections(self.bot.settings.corrections_path)  # a malformed file is refused before it grows
            append_correction(self.bot.settings.corrections_path, correction)
            self.refresh_mapping(lock)
        return correction

    def ingest(self, paths: list[Path], overrides: DocumentMeta | None = None, prune: bool = False,
               progress: bool = False, actor: Viewer | None = None,
               overrides_from: str = "--access on the command line", lock: AbstractContextManager[Any] | None = None,
               staged: dict[Path, Path] | None = None) -> IngestReport:
        """One ingest at a time per index: another one running raises IndexBusyError before anything is written.
        Each access change is audited under actor (default: the viewer this library acts as, else the OS user) as it
        is applied, not after the run: a crash or Ctrl-C later in the run cannot lose its event.
        lock: the server's reader lock, held only for each store read and write (see ingestor); staged: Ingestor."""
        _ = self.bot.mapping_model  # loaded now: a broken mapping model file is refused before anything is written
        with IndexLock(self.bot.settings.index_dir):
            auditor = self.access_auditor(actor or self.viewer or process_actor())
            report = self.ingestor(lock, staged, auditor).run(paths, overrides, prune, progress, overrides_from)
            report.warnings += self.refresh_mapping(lock).unplaced
        return report

    def ingestor(self, lock: AbstractContextManager[Any] | None = None, staged: dict[Path, Path] | None = None,
                 on_access_change: Callable[[AccessChange], None] | None = None) -> Ingestor:
        """With a lock, the ingest sees the catalog and vector stores through it (locked.py): readers wait only for
        its short reads and writes, never for loading, chunking or embedding."""
        bot, s = self.bot, self.bot.settings
        limits = ChunkLimits(s.max_tokens, s.max_context_tokens, s.target_tokens)
        return Ingestor(locked(bot.catalog, lock), locked(bot.vectors, lock), locked(bot.unit_vectors, lock),
                        bot.embedder, TokenCounter(s.model_path), limits, staged, on_access_change, ocr=s.ocr,
                        pdf_tables=s.pdf_tables)

    def access_auditor(self, actor: Viewer) -> Callable[[AccessChange], None]:
        """Writes one access change to the audit log (committed at once), before the ingest applies it."""
        def record(change: AccessChange) -> None:
            log = AuditLog(self.bot.settings.audit_path, self.bot.settings.audit_retention_days, purge_on_open=False)
            try:
                log.record(actor, "access", f"{change.path} ({change.doc_id}): {change.before} -> {change.after}, "
                                            f"declared in {change.declared_in}")
            finally:
                log.close()
        return record

    def upload(self, stream: BinaryIO, sent_name: str, meta: DocumentMeta, actor: Viewer | None = None,
               lock: AbstractContextManager[Any] | None = None) -> tuple[str, SavedUpload, IngestReport]:
        """Keep a sent file in the uploads folder and ingest it: (its doc_id, where it went, the ingest report).

        The bytes are staged beside their target and ingested under its name; they move into place only once the
        catalog holds them (recovery.settle_upload, also run when the index next opens after a crash), so the
        file always matches the catalog, and a refused upload changes nothing. lock: see ingest."""
        with lock or nullcontext():
            # a crashed upload's leftovers
            recover(self.bot.catalog, self.bot.vectors, self.bot.unit_vectors, self.bot.uploads)
        saved = self.bot.uploads.stage(stream, sent_name)
        try:
            report = self.ingest([saved.path], meta, actor=actor, overrides_from="the upload form", lock=lock,
                                 staged={saved.path: saved.staged})
        finally:
            with lock or nullcontext():
                settle_upload(self.bot.catalog, saved.staged, saved.path)
        report.warnings = [saved.for_sender(w) for w in report.warnings]  # no server paths in what is sent back
        if report.failed:
            raise UploadError("; ".join(saved.for_sender(f) for f in report.failed))
        return document_id(saved.path), saved, report

    def remove_document(self, key: str) -> str:
        """Take a document (id or path) out of the index: catalog, both vector stores, its mapping; an uploaded
        file goes too. A file in a council's own folder stays, so ingesting that folder again brings it back."""
        row = self.reader.document(key)
        with IndexLock(self.bot.settings.index_dir):  # a delete is a write: never interleaved with an ingest
            Ingestor.remove_from(self.bot.catalog, self.bot.vectors, self.bot.unit_vectors, row["doc_id"])
        path: str = row["path"]
        self.bot.uploads.discard(path)
        return path

    def check(self) -> tuple[list[str], IndexCheck]:
        """Open the index as a query would (recovering an interrupted ingest), then check that its stores agree."""
        recovered = recover(self.bot.catalog, self.bot.vectors, self.bot.unit_vectors, self.bot.uploads)
        return recovered, check_index(self.bot.catalog, self.bot.vectors, self.bot.unit_vectors, self.bot.uploads)
