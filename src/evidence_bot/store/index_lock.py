"""The ingest lock: one ingest (CLI run or upload) writes to an index at a time.

Two writers interleaving Chroma and catalog writes end in a raw chromadb error at best, so the second one
stops before it writes anything. fcntl.flock is released by the kernel when its holder exits, however it
exits, so a killed ingest never leaves a stale lock; the holder's pid is written in the file for the message."""

import fcntl
import os
from pathlib import Path
from typing import TextIO, cast

from evidence_bot.errors import EvidenceBotError

LOCK_FILE = "ingest.lock"


class IndexBusyError(EvidenceBotError):
    """Another ingest holds the index; the message names the index and the holder's pid."""


class IndexLock:
    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self.handle: TextIO | None = None

    def __enter__(self) -> "IndexLock":
        self.index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.index_dir / LOCK_FILE, "a+", encoding="ascii")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.holder(handle)
            handle.close()
            raise IndexBusyError(f"another ingest (pid {holder}) is writing to the index {self.index_dir}; "
                                 "try again when it has finished") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        handle = cast(TextIO, self.handle)  # set by __enter__
        handle.seek(0)
        handle.truncate()  # the file stays (deleting it would race a waiting process); only the pid goes
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
        self.handle = None

    @staticmethod
    def holder(handle: TextIO) -> str:
        handle.seek(0)
        return handle.read(20).strip() or "unknown"
