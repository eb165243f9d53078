"""Framework assignments, stored beside the passages in the catalog's SQLite file.

Rows cascade with their passage, so replacing or removing a document drops its
assignments in the same transaction. A framework's fingerprint is stored too:
when its file changes, every passage is mapped again."""

import sqlite3
from collections.abc import Iterator, Set
from contextlib import contextmanager

from evidence_bot.evidence.frameworks.mapping import Assignment

SCHEMA = """
CREATE TABLE IF NOT EXISTS passage_statements (
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    framework TEXT NOT NULL, statement TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (passage_id, framework, statement)
);
CREATE INDEX IF NOT EXISTS passage_statements_by_statement ON passage_statements(framework, statement);
CREATE TABLE IF NOT EXISTS passage_categories (
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    framework TEXT NOT NULL, category TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (passage_id, framework)
);
CREATE TABLE IF NOT EXISTS framework_versions (framework TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passage_corrections (
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    framework TEXT NOT NULL,
    PRIMARY KEY (passage_id, framework)
);
"""


class MappingStore:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.db.executescript(SCHEMA)

    def fingerprint(self, framework: str) -> str | None:
        row = self.db.execute("SELECT fingerprint FROM framework_versions WHERE framework = ?", (framework,)).fetchone()
        return row[0] if row else None

    def unmapped(self, framework: str, other_services: Set[str] = frozenset()) -> list[str]:
        """Passages not mapped to the framework yet, leaving out documents of services it is not for (they never
        are: a children's document is not CQC evidence)."""
        marks = ",".join("?" * len(other_services))
        return [r[0] for r in self.db.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.doc_id = p.doc_id WHERE p.id NOT IN "
            "(SELECT passage_id FROM passage_categories WHERE framework = ?) "
            f"AND (d.service IS NULL OR d.service NOT IN ({marks}))", (framework, *sorted(other_services)))]

    def replace(self, framework: str, fingerprint: str, assignments: list[Assignment], everything: bool) -> None:
        """Store assignments; with everything=True, the framework's old rows go first (its file changed)."""
        with self.transaction():
            if everything:
                self.db.execute("DELETE FROM passage_statements WHERE framework = ?", (framework,))
                self.db.execute("DELETE FROM passage_categories WHERE framework = ?", (framework,))
            self.write(framework, assignments)
            self.db.execute("INSERT OR REPLACE INTO framework_versions VALUES (?, ?)", (framework, fingerprint))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def write(self, framework: str, assignments: list[Assignment]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO passage_statements VALUES (?, ?, ?, ?)",
                            [(a.passage_id, framework, sid, score) for a in assignments for sid, score in a.statements])
        self.db.executemany("INSERT OR REPLACE INTO passage_categories VALUES (?, ?, ?, ?)",
                            [(a.passage_id, framework, a.category, a.category_score) for a in assignments])

    def corrected(self, framework: str) -> set[str]:
        """Passages whose assignment a person set (frameworks/corrections.py), not the model."""
        return {r[0] for r in self.db.execute("SELECT passage_id FROM passage_corrections WHERE framework = ?",
                                              (framework,))}

    def release(self, framework: str, ids: list[str]) -> None:
        """Forget these passages' assignments (a person's corrections withdrawn): the model maps them again."""
        pairs = [(pid, framework) for pid in ids]
        with self.transaction():
            for table in ("passage_statements", "passage_categories", "passage_corrections"):
                self.db.executemany(f"DELETE FROM {table} WHERE passage_id = ? AND framework = ?", pairs)

    def correct(self, framework: str, assignments: list[Assignment]) -> None:
        """Replace these passages' assignments with a person's, and remember that they are a person's: a
        correction taken out of the file lets the model map its passage again."""
        ids = [(a.passage_id, framework) for a in assignments]
        with self.transaction():
            self.db.execute("DELETE FROM passage_corrections WHERE framework = ?", (framework,))
            self.db.executemany("DELETE FROM passage_statements WHERE passage_id = ? AND framework = ?", ids)
            self.write(framework, [a for a in assignments if a.category])
            kept = [a for a in assignments if not a.category]  # no category given: the model's stays
            self.db.executemany("INSERT OR REPLACE INTO passage_statements VALUES (?, ?, ?, ?)",
                                [(a.passage_id, framework, sid, score) for a in kept for sid, score in a.statements])
            self.db.executemany("INSERT OR IGNORE INTO passage_categories VALUES (?, ?, '', 1.0)",
                                [(a.passage_id, framework) for a in kept])
            self.db.executemany("INSERT INTO passage_corrections VALUES (?, ?)", ids)

    def passage_rows(self, framework: str) -> list[sqlite3.Row]:
        """Every mapped passage with where it sits, in document order, for `evidence-bot map`."""
        return self.db.execute(
            "SELECT p.id AS passage_id, p.doc_id, p.seq, p.text, p.section, p.page, p.kind, d.path, d.title, "
            "d.doc_type, d.publisher, d.access, c.category, "
            "EXISTS (SELECT 1 FROM passage_corrections k WHERE k.passage_id = p.id AND k.framework = c.framework) "
            "AS corrected FROM passage_categories c JOIN passages p ON p.id = c.passage_id "
            "JOIN documents d ON d.doc_id = p.doc_id WHERE c.framework = ? ORDER BY d.path, p.seq",
            (framework,)).fetchall()

    def statements_of(self, framework: str) -> dict[str, list[tuple[str, float]]]:
        """passage id -> [(statement, probability)], best first."""
        result: dict[str, list[tuple[str, float]]] = {}
        for pid, statement, score in self.db.execute(
                "SELECT passage_id, statement, score FROM passage_statements WHERE framework = ? "
                "ORDER BY passage_id, score DESC", (framework,)):
            result.setdefault(pid, []).append((statement, score))
        return result

    def statement_rows(self, framework: str) -> list[sqlite3.Row]:
        """Every assignment with its passage and document metadata, for the gap view."""
        return self.db.execute(
            "SELECT s.statement, s.score, p.id AS passage_id, p.text, p.section, p.page, p.doc_id, p.kind, "
            "d.title, d.doc_type, d.date, d.publisher, d.service, d.url, d.access, c.category "
            "FROM passage_statements s JOIN passages p ON p.id = s.passage_id JOIN documents d ON d.doc_id = p.doc_id "
            "LEFT JOIN passage_categories c ON c.passage_id = s.passage_id AND c.framework = s.framework "
            "WHERE s.framework = ? ORDER BY s.statement, s.score DESC", (framework,)).fetchall()

    def assignments(self, framework: str) -> dict[str, tuple[list[str], str | None]]:
        """passage id -> (statement ids, category), for evaluation."""
        result: dict[str, tuple[list[str], str | None]] = {}
        for pid, category in self.db.execute(
                "SELECT passage_id, category FROM passage_categories WHERE framework = ?", (framework,)):
            result[pid] = ([], category)
        for pid, statement in self.db.execute(
                "SELECT passage_id, statement FROM passage_statements WHERE framework = ? ORDER BY score DESC",
                (framework,)):
            result.setdefault(pid, ([], None))[0].append(statement)
        return result
