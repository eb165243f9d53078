"""Control characters and terminal escapes never reach metadata, nor the terminal through `docs` (issue 15)."""

import json
import sqlite3

import pytest

from helpers.cli import run_cli

ESCAPES = ("\x1b", "\x9b", "\x07", "\x08", "\x9d")


def cli(index, *args):
    return run_cli(*args, env={"EVIDENCE_BOT_INDEX_DIR": str(index)})


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("escapes")
    (folder / "note.txt").write_text("\x1b]0;pwned\x07\x1b[2J\x1b[31mBudget\x9b31m report\x08\x08\n\n"
                                     "The council spent 4 million pounds on respite care.\n", encoding="utf-8")
    (folder / "plan.txt").write_text("Plan\n\nAction A1 is rated amber.\n", encoding="utf-8")
    (folder / "sources.yaml").write_text('documents:\n  - path: plan.txt\n    title: "Action \\e[5mplan\\e[0m"\n'
                                         '    publisher: "Council\\x9d0;x\\x07 cabinet"\n', encoding="utf-8")
    index = tmp_path_factory.mktemp("escapes-index")
    run = cli(index, "ingest", "--quiet", folder)
    assert run.returncode == 0, run.stderr
    return index


def test_escapes_are_stripped_from_inferred_and_declared_metadata(index):
    db = sqlite3.connect(index / "catalog.sqlite")
    rows = {path.rsplit("/", 1)[1]: (title, publisher) for path, title, publisher in
            db.execute("SELECT path, title, publisher FROM documents")}
    assert rows == {"note.txt": ("Budget report", None), "plan.txt": ("Action plan", "Council cabinet")}


def test_docs_list_and_show_never_print_escapes_even_from_an_older_index(index):
    db = sqlite3.connect(index / "catalog.sqlite")
    with db:  # as an index built before the fix holds them
        db.execute("UPDATE documents SET title = 'Old\x1b[2J title\x9b1m', service = 'adults\x07' "
                   "WHERE path LIKE '%note.txt'")
    listed, shown = cli(index, "docs", "list"), cli(index, "docs", "show", next(
        d["doc_id"] for d in json.loads(cli(index, "docs", "list", "--json").stdout) if d["path"].endswith("note.txt")))
    for output in (listed.stdout, shown.stdout):
        assert not any(c in output for c in ESCAPES), repr(output)
    assert "Old title" in listed.stdout and '"service": "adults"' in shown.stdout
