"""The answer log and the feedback on it, in feedback.sqlite beside the index.

Every answer the service gives is logged with its question, history and
citations, so that a thumbs-down can be reviewed against exactly what was
shown. Feedback refers to an answer by id; an unknown id is refused rather
than stored loose."""

import csv
import io
import json
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from evidence_bot.errors import EvidenceBotError, NotFoundError
from evidence_bot.governance import spreadsheet
from evidence_bot.models import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL REFERENCES answers(answer_id),
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT,
    created_at TEXT NOT NULL
);
"""

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.lock = threading.Lock()  # one connection shared by the server's worker threads
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def record_answer(self, conversation_id: str, question: str, history: list[str], answer: Answer) -> str:
        answer_id = new_id()
        with self.lock:
            self.db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                            (answer_id, conversation_id, now(), question, json.dumps(history),
                             json.dumps(answer.to_dict(), ensure_ascii=False)))
        return answer_id

    def add(self, answer_id: str, rating: str, comment: str | None = None) -> int:
        if rating not in RATINGS:
            raise EvidenceBotError(f"rating must be one of {', '.join(RATINGS)}, not '{rating}'")
        if comment and len(comment) > MAX_COMMENT_CHARS:
            raise EvidenceBotError(f"comment is longer than {MAX_COMMENT_CHARS} characters")
        with self.lock:
            if self.db.execute("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone() is None:
                raise NotFoundError(f"no answer '{answer_id}' has been given by this service")
            cursor = self.db.execute("INSERT INTO feedback (answer_id, rating, comment, created_at) "
                                     "VALUES (?, ?, ?, ?)",
                                     (answer_id, rating, (comment or "").strip() or None, now()))
        return cast(int, cursor.lastrowid)  # an INSERT just ran on this cursor: the new row's id, never None

    def export(self) -> list[dict[str, Any]]:
        """Every piece of feedback with the question and the answer it was about, oldest first."""
        with self.lock:
            rows = self.db.execute(
                "SELECT f.id, f.created_at, f.rating, f.comment, a.answer_id, a.conversation_id, a.question, "
                "a.history, a.answer, a.created_at AS answered_at FROM feedback f JOIN answers a USING (answer_id) "
                "ORDER BY f.id").fetchall()
        return [{**{k: row[k] for k in ("id", "created_at", "rating", "comment", "answer_id", "conversation_id",
                                         "question", "answered_at")},
                 "history": json.loads(row["history"]), "answer": json.loads(row["answer"])} for row in rows]

    def close(self) -> None:
        self.db.close()


def to_csv(records: list[dict[str, Any]]) -> str:
    """One row per piece of feedback; the answer as text and its sources as "[n] title, page" lines. For a
    spreadsheet: what readers typed cannot become a formula (spreadsheet.py)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "created_at", "rating", "comment", "question", "answer", "abstained", "sources", "answer_id",
                     "conversation_id"])
    for r in records:
        sources = "\n".join(f"[{c['n']}] {c['title']}" + (f", page {c['page']}" if c.get("page") else "")
                            for c in r["answer"].get("citations", []))
        writer.writerow(spreadsheet.row([r["id"], r["created_at"], r["rating"], r["comment"] or "", r["question"],
                                         r["answer"]["answer"], r["answer"]["abstained"], sources, r["answer_id"],
                                         r["conversation_id"]]))
    return out.getvalue()
