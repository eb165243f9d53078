"""evals/assign_folds.py: the folds stored in the question files are the ones the script gives, and a document's
renditions share a fold."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "evals"))

from assign_folds import assign, document_groups, document_of  # noqa: E402


def stored(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "evals" / name).read_text(encoding="utf-8").splitlines() if line]


def test_stored_folds_are_the_scripts():
    wider, thurrock = stored("wider.jsonl"), stored("thurrock.jsonl")
    wider_folds, thurrock_folds = [q["fold"] for q in wider], [q["fold"] for q in thurrock]
    assign(wider, 5)
    assign(thurrock, 5, document_of(document_groups(thurrock)))
    assert [q["fold"] for q in wider] == wider_folds
    assert [q["fold"] for q in thurrock] == thurrock_folds


def test_renditions_listed_together_or_sharing_a_stem_share_a_fold():
    questions = [
        {"gold": [{"document": "pdf/report.pdf", "span": "a"}]},
        {"gold": [{"document": "docx/report.docx", "span": "a"}]},            # same stem as the PDF
        {"gold": [{"document": ["text/001_x.txt", "pdf/minutes.pdf"], "span": "a"}]},
        {"gold": [{"document": "html/minutes.html", "span": "a"}]},           # same stem as the listed PDF
        {"gold": [{"document": "text/001_x.txt", "span": "a"}]},
        {"neighbour": "pdf/minutes.pdf"},                                     # a near miss: its neighbour's fold
        {"gold": []},                                                         # no document: round-robin
    ]
    folds = assign(questions, 2, document_of(document_groups(questions)))
    assert folds == {"html/minutes.html": 1, "docx/report.docx": 2}  # 4 questions then 2, each to the emptiest
    assert [q["fold"] for q in questions] == [2, 2, 1, 1, 1, 1, 1]
