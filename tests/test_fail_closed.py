"""A sources.yaml that cannot be read, or holds an entry that matches no file, fails closed: nothing it governs is
indexed in that run, and what was indexed before stays exactly as it was (issue 15).

Each case holds a restricted document with its own canary phrase; a reader must never find it."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import SAMPLE, THURROCK
from evidence_bot import EvidenceBot, Settings
from evidence_bot.access import Viewer
from evidence_bot.errors import EmptyIndexError
from evidence_bot.sources import read_sources

GOOD = """\
documents:
  - path: exempt-minutes.txt
    title: Exempt minutes (Part II)
    access: restricted
  - path: annex/hr-note.txt
    title: HR casework summary
    access: group:hr
  - path: public-report.txt
    access: public
"""
DOCUMENTS = ("exempt-minutes.txt", "annex/hr-note.txt", "public-report.txt")

# A YAML "billion laughs": 437 bytes whose title expands to gigabytes when the value is turned into text.
BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
        + "documents:\n  - path: exempt-minutes.txt\n    title: *i\n    publisher: *i\n    access: restricted\n")
ALIASES = GOOD + "shared: &shared [1]\nreused: [" + ", ".join(["*shared"] * 11) + "]\n"  # harmless, but over the bound

# (case, the sources.yaml, what the problem line says)
BROKEN = [
    ("syntax-error", GOOD.replace("title: HR casework summary", 'title: HR casework: "x" summary'),
     ["not valid YAML", "line 6"]),
    ("document-not-documents", GOOD.replace("documents:", "document:"), ["top-level 'documents:' list"]),
    ("paht-not-path", GOOD.replace("- path: exempt-minutes.txt", "- paht: exempt-minutes.txt"),
     ["entry 1", "needs a 'path'"]),
    ("path-in-another-case", GOOD.replace("- path: exempt-minutes.txt", "- path: Exempt-Minutes.txt"),
     ["entry 1", "'Exempt-Minutes.txt' names no file", "did you mean 'exempt-minutes.txt'"]),
    ("path-naming-no-file", GOOD.replace("- path: exempt-minutes.txt", "- path: exempt-minutes-v2.txt"),
     ["entry 1", "'exempt-minutes-v2.txt' names no file"]),
    ("same-path-twice", GOOD + "  - path: exempt-minutes.txt\n    access: internal\n",
     ["entry 4", "the same file as entry 1"]),
    ("not-utf-8", GOOD.replace("Part II", "Partie II, procès-verbal").encode("latin-1"), ["not UTF-8"]),
    ("not-a-mapping", "- path: exempt-minutes.txt\n  access: restricted\n", ["top-level 'documents:' list"]),
    ("too-many-aliases", ALIASES, ["aliases"]),
    ("over-the-size-bound", GOOD + "# padding\n" * 120_000, ["larger than"]),
]


def canary(case: str) -> str:
    return f"quokka ledger {sum(map(ord, case)) * 7}"


def make_folder(folder: Path, sources: str | bytes, case: str) -> Path:
    (folder / "annex").mkdir(parents=True)
    (folder / "exempt-minutes.txt").write_text(
        f"Exempt minutes\n\nThe board noted that the {canary(case)} records 48 safeguarding referrals about a named "
        "care home, which must not be disclosed.\n", encoding="utf-8")
    (folder / "annex" / "hr-note.txt").write_text(
        "Casework note\n\nThe wombat register lists 3 safeguarding allegations against staff.\n", encoding="utf-8")
    (folder / "public-report.txt").write_text(
        "Safeguarding report\n\nThe council completed 300 section 42 enquiries in 2024.\n", encoding="utf-8")
    target = folder / "sources.yaml"
    target.write_bytes(sources) if isinstance(sources, bytes) else target.write_text(sources, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bot(tmp_path_factory, embedder) -> EvidenceBot:
    return EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("fail-closed-index")), embedder=embedder)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fail-closed-corpora")


def rows_under(bot: EvidenceBot, folder: Path) -> dict:
    """What the catalog holds for the documents of a folder: everything but the time they were ingested."""
    return {row["path"]: {k: row[k] for k in row.keys() if k != "ingested_at"} | {
                "passages": [p.text for p in bot.catalog.doc_passages(row["doc_id"])]}
            for row in bot.catalog.documents() if Path(row["path"]).is_relative_to(folder.resolve())}


def reader_finds(bot: EvidenceBot, phrase: str) -> bool:
    reader = bot.for_viewer(Viewer("a reader"))
    try:
        return any(phrase in hit.passage.text for hit in reader.search(phrase, top_k=50))
    except EmptyIndexError:  # nothing the reader may read
        return False


@pytest.mark.parametrize("case, sources, says", BROKEN, ids=[c for c, _, _ in BROKEN])
def test_an_unreadable_sources_yaml_indexes_nothing_it_governs(bot, root, case, sources, says):
    folder = make_folder(root / case, sources, case)
    report = bot.ingest([folder])
    assert not report.ok
    assert rows_under(bot, folder) == {}
    assert not reader_finds(bot, canary(case))
    problems = [line for line in report.failed if line.startswith(str(folder / "sources.yaml"))]
    assert problems and all(part in " ".join(problems) for part in says), problems
    for name in DOCUMENTS:  # one line per skipped document, naming it and the sources.yaml that blocks it
        lines = [line for line in report.failed if line.startswith(str((folder / name).resolve()) + ":")]
        assert len(lines) == 1 and "not indexed" in lines[0] and str(folder / "sources.yaml") in lines[0], lines
    assert all("\n" not in line for line in report.failed)


def test_documents_already_indexed_stay_exactly_as_they_were_and_prune_keeps_them(bot, root):
    folder = make_folder(root / "indexed-before", GOOD, "indexed-before")
    assert bot.ingest([folder]).ok
    before = rows_under(bot, folder)
    assert {row["access"] for row in before.values()} == {"restricted", "group:hr", "public"}
    (folder / "sources.yaml").write_text(GOOD.replace("documents:", "document:"), encoding="utf-8")
    (folder / "exempt-minutes.txt").write_text("Exempt minutes\n\nAn edited version of the exempt minutes, with "
                                               f"the {canary('indexed-before')} still in it.\n", encoding="utf-8")
    (folder / "public-report.txt").unlink()
    report = bot.ingest([folder], prune=True)
    assert not report.ok and report.removed == []
    assert rows_under(bot, folder) == before
    assert not reader_finds(bot, canary("indexed-before"))


@pytest.mark.parametrize("field", ["acess", "access_level", "visibility"])
def test_entry_field_errors_still_ingest_their_document_restricted(bot, root, field):
    """A misspelt access key is an unknown field: whoever wrote it may have meant to limit the document."""
    case = f"misspelt-{field}"
    folder = make_folder(root / case, GOOD.replace("    access: restricted\n", f"    {field}: restricted\n"), case)
    report = bot.ingest([folder])
    assert any(f"entry 1 (exempt-minutes.txt): unknown field '{field}'" in line for line in report.failed)
    rows = rows_under(bot, folder)
    assert rows[str((folder / "exempt-minutes.txt").resolve())]["access"] == "restricted"
    assert not reader_finds(bot, canary(case))


def test_the_cli_exits_1_names_every_problem_and_indexes_the_other_folders(tmp_path):
    broken = make_folder(tmp_path / "hr", BROKEN[2][1], "cli")
    other = tmp_path / "published"
    other.mkdir()
    (other / "report.txt").write_text("Annual report\n\nThe council answered 98% of calls.\n", encoding="utf-8")
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(tmp_path / "index")}
    run = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "ingest", "--quiet", str(broken), str(other)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 1, run.stderr
    assert f"Failed: {broken / 'sources.yaml'}: entry 1: each entry needs a 'path'" in run.stderr
    for name in DOCUMENTS:
        assert f"Failed: {(broken / name).resolve()}: not indexed" in run.stderr
    assert "1 added" in run.stdout and "4 failed" in run.stdout  # the problem line and the three documents
    listed = subprocess.run([sys.executable, "-m", "evidence_bot.cli", "docs", "list", "--json"], capture_output=True,
                            text=True, env=env, timeout=600)
    assert [Path(d["path"]).name for d in json.loads(listed.stdout)] == ["report.txt"]


CAPPED_READ = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    cap = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from evidence_bot.sources import read_sources
    found = read_sources(Path(sys.argv[1]))
    print(json.dumps(found.errors + getattr(found, "blocking", [])))
""")


def test_a_yaml_bomb_gives_a_clear_error_under_a_memory_cap(tmp_path):
    (tmp_path / "sources.yaml").write_text(BOMB, encoding="utf-8")
    (tmp_path / "exempt-minutes.txt").write_text("Exempt\n\nText.\n", encoding="utf-8")
    assert len(BOMB.encode()) == 437
    cap = 1 << 30  # 1 GB: far above what reading a sources.yaml needs, far below what the bomb expands to
    run = subprocess.run([sys.executable, "-c", CAPPED_READ, str(tmp_path), str(cap)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    problems = json.loads(run.stdout)
    assert any("sources.yaml" in p and "aliases" in p for p in problems), problems


@pytest.mark.parametrize("folder", [SAMPLE, THURROCK, THURROCK.parent / "corpus-wider"], ids=["sample", "thurrock", "wider"])
def test_the_real_sources_files_are_readable_under_the_stricter_rules(folder):
    found = read_sources(folder)
    assert found.entries and not found.errors and not found.blocking
