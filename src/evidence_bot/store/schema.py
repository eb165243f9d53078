"""The catalog's SQLite schema: documents, passages, vector writes in progress and the full-text index, and
the columns read back."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    pipeline TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL,
    title TEXT, doc_type TEXT, date TEXT, publisher TEXT, service TEXT, url TEXT, access TEXT,
    page_count INTEGER,
    text TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    embed_text TEXT NOT NULL,
    section TEXT, page INTEGER, page_end INTEGER,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    kind TEXT NOT NULL, token_count INTEGER NOT NULL,
    ocr_confidence REAL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, seq);
CREATE TABLE IF NOT EXISTS vector_writes (
    doc_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, started_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    passage_id UNINDEXED, title, section, body, tokenize = 'porter unicode61'
);
"""
# passages_fts's tokenizer and BM25 column weights (a title word counts half), used by both lexical rankers:
# FTS5's bm25() here and the reader-scoped one (reader_statistics.py), which must give the same scores.
FTS_TOKENIZER = "porter unicode61"
BM25_COLUMN_WEIGHTS = {"title": 0.5, "section": 1.0, "body": 1.0}

META_COLUMNS = ("title", "doc_type", "date", "publisher", "service", "url", "access")
PASSAGE_COLUMNS = ("id", "doc_id", "seq", "text", "embed_text", "section", "page", "page_end",
                   "start", "end", "kind", "token_count", "ocr_confidence")
# Columns added since the first catalogs were written: added to an older catalog when it is opened.
ADDED_COLUMNS = {"passages": {"ocr_confidence": "REAL"}}
