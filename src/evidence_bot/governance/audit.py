"""The audit log: who asked or looked at what, which passages they were shown, feedback, uploads and deletions.

Kept in audit.sqlite beside the index, apart from the answer log, so that it can have its own retention
(Settings.audit_retention_days; older events are deleted at start-up and then daily) and be exported for
an FOI or records request. A person is recorded by their token's name and id, never the token itself."""

import csv
import io
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from evidence_bot.governance import spreadsheet
from evidence_bot.governance.access import Viewer

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    token_id INTEGER,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    passages TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
"""
FIELDS = ("id", "at", "who", "token_id", "role", "action", "detail", "passages")
PURGE_EVERY_SECONDS = 24 * 3600


def utc_now() -> datetime:
    return datetime.now(UTC)


class AuditLog:
    def __init__(self, path: Path, retention_days: int, purge_on_open: bool = True):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.retention_days = retention_days
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self.purged_at = time.monotonic()
        if purge_on_open:
            self.purge()

    def record(self, viewer: Viewer, action: str, detail: str = "", passages: list[str] | None = None) -> None:
        if time.monotonic() - self.purged_at > PURGE_EVERY_SECONDS:
            self.purge()
        with self.lock:
            self.db.execute("INSERT INTO events (at, who, token_id, role, action, detail, passages) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (utc_now().isoformat(timespec="seconds"), viewer.name, viewer.token_id, viewer.role,
                             action, detail[:4000], json.dumps(passages or [])))

    def purge(self) -> int:
        """Delete events older than the retention period; returns how many went."""
        cutoff = (utc_now() - timedelta(days=self.retention_days)).isoformat(timespec="seconds")
        with self.lock:
            deleted = self.db.execute("DELETE FROM events WHERE at < ?", (cutoff,)).rowcount
        self.purged_at = time.monotonic()
        return deleted

    def events(self, since: str | None = None, who: str | None = None, limit: int = 10_000) -> list[dict[str, Any]]:
        clauses, params = ["1 = 1"], []
        if since:
            clauses.append("at >= ?")
            params.append(since)
        if who:
            clauses.append("who = ?")
            params.append(who)
        with self.lock:
            rows = self.db.execute(f"SELECT * FROM events WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT ?",
                                   (*params, limit)).fetchall()
        return [{**dict(r), "passages": json.loads(r["passages"])} for r in rows]

    def close(self) -> None:
        self.db.close()


def as_csv(events: list[dict[str, Any]]) -> str:
    """For a spreadsheet: what readers typed cannot become a formula (spreadsheet.py)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for e in events:
        writer.writerow(spreadsheet.row([e["id"], e["at"], e["who"], e["token_id"] or "", e["role"], e["action"],
                                         e["detail"], " ".join(e["passages"])]))
    return out.getvalue()
