"""Framework assignments, stored beside the passages in the catalog's SQLite file.

Rows cascade with their passage, so replacing or removing a document drops its
assignments in the same transaction. A framework's fingerprint is stored too:
when its file changes, every passage is mapped again."""

import sqlite3

from evidence_bot.frameworks.mapping import Assignment

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
"""


class MappingStore:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.db.executescript(SCHEMA)

    def fingerprint(self, framework: str) -> str | None:
        row = self.db.execute("SELECT fingerprint FROM framework_versions WHERE framework = ?", (framework,)).fetchone()
        return row[0] if row else None

    def unmapped(self, framework: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM passages WHERE id NOT IN (SELECT passage_id FROM passage_categories WHERE framework = ?)",
            (framework,))]

    def replace(self, framework: str, fingerprint: str, assignments: list[Assignment], everything: bool) -> None:
        """Store assignments; with everything=True, the framework's old rows go first (its file changed)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if everything:
                self.db.execute("DELETE FROM passage_statements WHERE framework = ?", (framework,))
                self.db.execute("DELETE FROM passage_categories WHERE framework = ?", (framework,))
            self.db.executemany("INSERT OR REPLACE INTO passage_statements VALUES (?, ?, ?, ?)",
                                [(a.passage_id, framework, sid, score) for a in assignments for sid, score in a.statements])
            self.db.executemany("INSERT OR REPLACE INTO passage_categories VALUES (?, ?, ?, ?)",
                                [(a.passage_id, framework, a.category, a.category_score) for a in assignments])
            self.db.execute("INSERT OR REPLACE INTO framework_versions VALUES (?, ?)", (framework, fingerprint))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def statement_rows(self, framework: str) -> list[sqlite3.Row]:
        """Every assignment with its passage and document metadata, for the gap view."""
        return self.db.execute(
            "SELECT s.statement, s.score, p.id AS passage_id, p.text, p.section, p.page, p.doc_id, "
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
