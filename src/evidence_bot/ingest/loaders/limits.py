"""Bounds on one document, so that one file cannot take the machine's memory or hours of embedding:
about 2,000 pages of text; a larger evidence file should be split. (A module of its own so that each loader
can check them while it reads, not only after.)"""

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
