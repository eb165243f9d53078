"""The catalog: documents, their content hashes and passages, in one SQLite file.

SQLite is the source of truth for what is indexed: a vector that the catalog
does not list is ignored, so a document is replaced atomically by one commit."""

import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from evidence_bot.models import DocumentMeta, Filters, Passage
from evidence_bot.store.filter_sql import as_path, filter_clause
from evidence_bot.store.schema import (
    ADDED_COLUMNS,
    BM25_COLUMN_WEIGHTS,
    META_COLUMNS,
    PASSAGE_COLUMNS,
    SCHEMA,
)


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        self.add_missing_columns()

    def add_missing_columns(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            for column, kind in columns.items():
                present = {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    try:
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                    except sqlite3.OperationalError as exc:  # another process added it first
                        if "duplicate column" not in str(exc):
                            raise

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- documents -------------------------------------------------------
    def document_by_path(self, path: str) -> sqlite3.Row | None:
        return cast(sqlite3.Row | None, self.db.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone())

    def document(self, doc_id: str) -> sqlite3.Row | None:
        return cast(sqlite3.Row | None,
                    self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone())

    def find_document(self, key: str, access: list[str] | None = None) -> sqlite3.Row | None:
        """By id, unique id prefix, or path, among the documents whose access level is one of `access` (None: all).
        A prefix is resolved among those documents only, so one a viewer may not read neither answers nor makes a
        prefix ambiguous (that would say it exists). Ids are hex: anything else is no prefix (no LIKE wildcards)."""
        row = self.document(key) or self.document_by_path(as_path(key))
        if row:
            return row if access is None or (row["access"] or "internal") in access else None
        if not key or key.strip("0123456789abcdef"):
            return None
        levels = "" if access is None else (
            f" AND COALESCE(access, 'internal') IN ({', '.join('?' * len(access)) or 'NULL'})")
        rows = self.db.execute(f"SELECT * FROM documents WHERE substr(doc_id, 1, ?) = ?{levels} LIMIT 2",
                               (len(key), key, *(access or []))).fetchall()
        return rows[0] if len(rows) == 1 else None

    def documents(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT d.*, (SELECT COUNT(*) FROM passages p WHERE p.doc_id = d.doc_id) AS passages "
            "FROM documents d ORDER BY d.path").fetchall()

    def count_documents(self, access: list[str] | None = None) -> int:
        """All documents, or those whose access level is one of these."""
        if access is None:
            return int(self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        return int(self.db.execute(f"SELECT COUNT(*) FROM documents WHERE COALESCE(access, 'internal') IN "
                                   f"({', '.join('?' * len(access)) or 'NULL'})", access).fetchone()[0])

    def replace_document(self, doc_id: str, path: str, content_hash: str, pipeline: str, fmt: str,
                         meta: DocumentMeta, page_count: int | None, text: str, passages: list[Passage]) -> None:
        """Swap a document's catalog entry and passages in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            self._delete_rows(db, doc_id)
            db.execute(
                f"INSERT INTO documents (doc_id, path, content_hash, pipeline, format, {', '.join(META_COLUMNS)}, "
                f"page_count, text, ingested_at) VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(META_COLUMNS))}, ?, ?, ?)",
                (doc_id, path, content_hash, pipeline, fmt, *[getattr(meta, c) for c in META_COLUMNS], page_count,
                 text, now))
            db.executemany(
                f"INSERT INTO passages ({', '.join(quote(c) for c in PASSAGE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(PASSAGE_COLUMNS))})",
                [tuple(getattr(p, c) for c in PASSAGE_COLUMNS) for p in passages])
            db.executemany("INSERT INTO passages_fts (passage_id, title, section, body) VALUES (?, ?, ?, ?)",
                           [(p.id, meta.heading(""), p.section or "", p.text) for p in passages])

    def update_meta(self, doc_id: str, meta: DocumentMeta) -> None:
        """Metadata changes touch only the catalog: filters are applied here, never in the vector store."""
        with self.transaction() as db:
            db.execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in META_COLUMNS)} WHERE doc_id = ?",
                       (*[getattr(meta, c) for c in META_COLUMNS], doc_id))
            db.execute("UPDATE passages_fts SET title = ? WHERE passage_id IN "
                       "(SELECT id FROM passages WHERE doc_id = ?)", (meta.heading(""), doc_id))

    def lexical_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT passage_id FROM passages_fts")]

    def documents_without_passages(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.doc_id = d.doc_id)")]

    # --- the vector-write journal (recovery.py) ----------------------------
    def begin_vector_write(self, doc_id: str) -> None:
        """Committed before a document's vectors change, so that a crash leaves a record of what to tidy."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO vector_writes VALUES (?, ?, ?, ?)",
                       (doc_id, socket.gethostname(), os.getpid(), datetime.now(UTC).isoformat()))

    def end_vector_write(self, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM vector_writes WHERE doc_id = ?", (doc_id,))

    def vector_writes(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM vector_writes").fetchall()

    def force_reprocess(self, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE documents SET pipeline = '' WHERE doc_id = ?", (doc_id,))

    def remove_document(self, doc_id: str) -> None:
        with self.transaction() as db:
            self._delete_rows(db, doc_id)

    @staticmethod
    def _delete_rows(db: sqlite3.Connection, doc_id: str) -> None:
        db.execute("DELETE FROM passages_fts WHERE passage_id IN (SELECT id FROM passages WHERE doc_id = ?)",
                   (doc_id,))
        db.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    # --- passages --------------------------------------------------------
    def passage_ids(self, doc_id: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))}

    def passages(self, ids: list[str]) -> dict[str, tuple[Passage, DocumentMeta]]:
        if not ids:
            return {}
        rows = self.db.execute(
            f"SELECT p.*, {', '.join('d.' + c for c in META_COLUMNS)} FROM passages p "
            f"JOIN documents d ON d.doc_id = p.doc_id WHERE p.id IN ({', '.join('?' * len(ids))})", ids).fetchall()
        return {row["id"]: (row_passage(row), row_meta(row)) for row in rows}

    def count_passages(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    def allowed_documents(self, filters: Filters) -> list[str] | None:
        """Document ids that pass the filters, or None when there are no filters."""
        if filters.is_empty():
            return None
        where, params = filter_clause(filters)
        return [r[0] for r in self.db.execute(f"SELECT doc_id FROM documents WHERE {where}", params)]

    def lexical_search(self, match: str, allowed: list[str] | None, limit: int) -> list[tuple[str, float]]:
        """BM25 over title, section and body (BM25_COLUMN_WEIGHTS); higher score is better."""
        weights = ", ".join(str(w) for w in BM25_COLUMN_WEIGHTS.values())
        sql = f"SELECT f.passage_id, -bm25(passages_fts, 0, {weights}) AS score FROM passages_fts f "
        params: list[str | int] = [match]
        if allowed is None:  # no join: at 100,000 passages it cost more than the search itself
            sql += "WHERE passages_fts MATCH ?"
        else:
            sql += (f"JOIN passages p ON p.id = f.passage_id WHERE passages_fts MATCH ? "
                    f"AND p.doc_id IN ({', '.join('?' * len(allowed))})")
            params.extend(allowed)
        sql += " ORDER BY score DESC LIMIT ?"
        params.append(limit)
        try:
            return [(r[0], r[1]) for r in self.db.execute(sql, params)]
        except sqlite3.OperationalError:
            return []

    def neighbours(self, passage: Passage, radius: int = 1) -> list[Passage]:
        rows = self.db.execute("SELECT * FROM passages WHERE doc_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                               (passage.doc_id, passage.seq - radius, passage.seq + radius)).fetchall()
        return [row_passage(r) for r in rows]

    def preceding_texts(self, ids: list[str]) -> dict[str, str]:
        """passage id -> the text of the passage before it in its document (none for a first passage)."""
        result: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            result.update(self.db.execute(
                f"SELECT cur.id, prev.text FROM passages cur JOIN passages prev ON prev.doc_id = cur.doc_id "
                f"AND prev.seq = cur.seq - 1 WHERE cur.id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        return result

    def all_passage_texts(self) -> list[tuple[str, str]]:
        """(doc id, text) of every passage, in document order."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT doc_id, text FROM passages ORDER BY doc_id, seq")]

    def all_passage_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM passages ORDER BY doc_id, seq")]

    def doc_passages(self, doc_id: str) -> list[Passage]:
        rows = self.db.execute("SELECT * FROM passages WHERE doc_id = ? ORDER BY seq", (doc_id,)).fetchall()
        return [row_passage(r) for r in rows]

    def table_passages(self, passage: Passage) -> list[Passage]:
        """The passages of the whole table a table passage is part of: a long table is stored in pieces, each under
        its header line, one after another in its document and its section. Reads only that section's table
        passages (the answerer asks this per question), not the whole document."""
        if passage.kind != "table":
            return [passage]
        rows = self.db.execute("SELECT * FROM passages WHERE doc_id = ? AND kind = 'table' AND section IS ? "
                               "ORDER BY seq", (passage.doc_id, passage.section)).fetchall()
        header = passage.text.split("\n")[0]
        pieces = [p for p in map(row_passage, rows) if p.text.split("\n")[0] == header]
        at = next((i for i, p in enumerate(pieces) if p.id == passage.id), None)
        if at is None:
            return [passage]
        start, end = at, at + 1  # a run of consecutive pieces: another table under the same header is another
        while start > 0 and pieces[start - 1].seq == pieces[start].seq - 1:
            start -= 1
        while end < len(pieces) and pieces[end].seq == pieces[end - 1].seq + 1:
            end += 1
        return pieces[start:end]

    # --- for statistics scoped to a reader (reader_statistics.py) ----------
    def change_marker(self) -> tuple[int, int]:
        """Differs after any commit to the file, by this connection (total_changes) or another (data_version)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0], self.db.total_changes

    def lexical_rows(self) -> list[tuple[int, str, str, str, bytes]]:
        """(FTS rowid, passage id, doc id, access level, FTS5 column sizes) of every indexed passage."""
        return [tuple(r) for r in self.db.execute(
            "SELECT f.rowid, p.id, p.doc_id, COALESCE(d.access, 'internal'), s.sz FROM passages_fts f "
            "JOIN passages p ON p.id = f.passage_id JOIN documents d ON d.doc_id = p.doc_id "
            "JOIN passages_fts_docsize s ON s.id = f.rowid ORDER BY f.rowid")]

    def token_instances(self, token: str) -> list[tuple[int, str, int]]:
        """(FTS rowid, column, offset) of every occurrence of an indexed (stemmed) token."""
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocab "
                        "USING fts5vocab(main, passages_fts, instance)")
        return [tuple(r) for r in self.db.execute(
            'SELECT doc, col, "offset" FROM temp.passages_vocab WHERE term = ?', (token,))]


def quote(column: str) -> str:
    return f'"{column}"'


def row_passage(row: sqlite3.Row) -> Passage:
    return Passage(**{c: row[c] for c in PASSAGE_COLUMNS})


def row_meta(row: sqlite3.Row) -> DocumentMeta:
    return DocumentMeta(**{c: row[c] for c in META_COLUMNS})

