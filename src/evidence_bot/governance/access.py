"""Who may read what: documents' access levels, the people asking (viewers), and their API tokens.

A document's access is "public", "internal" (the default when none is given),
"restricted", "group:NAME" or "admin". A reader sees public and internal documents,
restricted ones when one of their groups is "restricted", and group:NAME ones
when NAME is one of their groups; "admin" documents are read by admins only, whatever
a reader's groups (the level a document gets when its declared access cannot be
read: FALLBACK_ACCESS); an admin sees everything. Tokens are random,
shown once, and stored as SHA-256 hashes (they are 256-bit secrets, so a slow
password hash adds nothing); a revoked token stops working at once."""

import hashlib
import json
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from evidence_bot.errors import EvidenceBotError, NotFoundError

DEFAULT_ACCESS = "internal"
ADMIN_ONLY = "admin"  # only admins read it: never among a reader's levels, whatever their groups
FALLBACK_ACCESS = ADMIN_ONLY  # what a document gets when its declared access cannot be read: fail closed
ACCESS_LEVELS = ("public", "internal", "restricted", ADMIN_ONLY)
_GROUP = re.compile(r"^group:[a-z0-9][a-z0-9_.-]{0,63}$")
ROLES = ("reader", "admin")
TOKEN_PREFIX = "eb_"

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'admin')),
    groups TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


def check_access(value: str) -> str:
    """The access level, normalised; a ValueError naming the allowed forms if it is none of them."""
    level = value.strip().lower()
    if level in ACCESS_LEVELS or _GROUP.match(level):
        return level
    raise ValueError(f"access '{value}' is not one of {', '.join(ACCESS_LEVELS)} (only admins read it) or "
                     "group:NAME (NAME: lower-case letters, digits, '_', '.', '-')")


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str = "reader"
    groups: tuple[str, ...] = field(default_factory=tuple)
    token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def levels(self) -> list[str] | None:
        """The access values this viewer may read; None means all of them. A reader's never include ADMIN_ONLY:
        a group named "admin" reads group:admin, not admin-only documents."""
        if self.is_admin:
            return None
        levels = ["public", DEFAULT_ACCESS] + [f"group:{g}" for g in self.groups if g != "restricted"]
        levels = levels + ["restricted"] if "restricted" in self.groups else levels
        return [level for level in levels if level != ADMIN_ONLY]

    def can_read(self, access: str | None) -> bool:
        levels = self.levels()
        return levels is None or (access or DEFAULT_ACCESS) in levels


LOCAL = Viewer("local user (no authentication: loopback only)", "admin")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)

    def create(self, name: str, role: str, groups: list[str]) -> tuple[int, str]:
        """A new token: (its id, the token itself, which is not stored and cannot be shown again)."""
        if role not in ROLES:
            raise EvidenceBotError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
        if not name.strip():
            raise EvidenceBotError("a token needs a name (whose or what it is for)")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.lock:
            cursor = self.db.execute("INSERT INTO tokens (name, role, groups, hash, created_at) VALUES (?, ?, ?, ?, ?)",
                                     (name.strip(), role,
                                      json.dumps(sorted({g.strip().lower() for g in groups if g.strip()})),
                                      digest(token), now()))
        return cast(int, cursor.lastrowid), token  # an INSERT just ran on this cursor: its row's id, never None

    def revoke(self, token_id: int) -> None:
        with self.lock:
            cursor = self.db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                     (now(), token_id))
        if cursor.rowcount == 0:
            raise NotFoundError(f"no active token with id {token_id}")

    def list(self) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.db.execute("SELECT id, name, role, groups, created_at, revoked_at FROM tokens ORDER BY id")
            return [{**dict(r), "groups": json.loads(r["groups"])} for r in rows]

    def active(self) -> int:
        with self.lock:
            return int(self.db.execute("SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL").fetchone()[0])

    def ever_issued(self) -> bool:
        """Authentication, once turned on by the first token, stays on: revoking every token closes the service
        instead of opening it, in every process reading this file. Tokens are revoked, never deleted, so their
        table is the lasting record (moving access.sqlite aside is the one way back to no authentication)."""
        with self.lock:
            return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM tokens)").fetchone()[0] == 1)

    def viewer(self, token: str) -> Viewer | None:
        """The viewer a presented token stands for, or None (unknown or revoked)."""
        with self.lock:
            row = self.db.execute("SELECT id, name, role, groups FROM tokens WHERE hash = ? AND revoked_at IS NULL",
                                  (digest(token),)).fetchone()
        if row is None:
            return None
        return Viewer(row["name"], row["role"], tuple(json.loads(row["groups"])), row["id"])

    def close(self) -> None:
        self.db.close()
