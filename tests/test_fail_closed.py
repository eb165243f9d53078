"""A sources.yaml that cannot be read, or holds an entry that matches no file, fails closed: nothing it governs is
indexed in that run, and what was indexed before stays exactly as it was (issue 15).

Each case holds a restricted document with its own canary phrase; a reader must never find it."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import SAMPLE, THURROCK

from evidence_bot import EvidenceBot, Settings
from evidence_bot.errors import EmptyIndexError
from evidence_bot.governance.access import FALLBACK_ACCESS, Viewer, check_access
from evidence_bot.ingest.sources import read_sources

from helpers.cli import run_cli

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
    ("path-outside-the-folder", GOOD.replace("- path: exempt-minutes.txt", "- path: ../exempt-minutes.txt"),
     ["entry 1", "'../exempt-minutes.txt' is outside the folder"]),
    ("same-path-twice", GOOD + "  - path: exempt-minutes.txt\n    access: internal\n",
     ["entry 4", "the same file as entry 1"]),
    ("not-utf-8", GOOD.replace("Part II", "Partie II, procès-verbal").encode("latin-1"), ["not UTF-8"]),
    ("not-a-mapping", "- path: exempt-minutes.txt\n  access: restricted\n", ["top-level 'documents:' list"]),
    ("too-many-aliases", ALIASES, ["aliases"]),
    ("over-the-size-bound", GOOD + "# padding\n" * 120_000, ["larger than"]),
    ("same-key-twice", GOOD.replace("    access: restricted\n", "    access: restricted\n    access: public\n"),
     ["duplicate key 'access'", "line 5", "first at line 4"]),
    ("documents-twice", GOOD + "documents:\n  - path: public-report.txt\n    access: public\n",
     ["duplicate key 'documents'", "line 10", "first at line 1"]),
    ("same-key-twice-in-a-flow-mapping",
     GOOD.replace("  - path: exempt-minutes.txt\n    title: Exempt minutes (Part II)\n    access: restricted\n",
                  "  - {path: exempt-minutes.txt, access: restricted, access: internal}\n"),
     ["duplicate key 'access'", "line 2"]),
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
def bot(tmp_path_factory, fake_embedder) -> EvidenceBot:
    return EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("fail-closed-index")), embedder=fake_embedder)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fail-closed-corpora")


def rows_under(bot: EvidenceBot, folder: Path) -> dict:
    """What the catalog holds for the documents of a folder: everything but the time they were ingested."""
    return {row["path"]: {k: row[k] for k in row.keys() if k != "ingested_at"} | {
                "passages": [p.text for p in bot.catalog.doc_passages(row["doc_id"])]}
            for row in bot.catalog.documents() if Path(row["path"]).is_relative_to(folder.resolve())}


def reader_finds(bot: EvidenceBot, phrase: str, groups: tuple[str, ...] = ()) -> bool:
    reader = bot.reader(Viewer("a reader", groups=groups))
    try:
        return any(phrase in hit.passage.text for hit in reader.search(phrase, top_k=50))
    except EmptyIndexError:  # nothing the reader may read
        return False


@pytest.mark.parametrize("case, sources, says", BROKEN, ids=[c for c, _, _ in BROKEN])
def test_an_unreadable_sources_yaml_indexes_nothing_it_governs(bot, root, case, sources, says):
    folder = make_folder(root / case, sources, case)
    report = bot.library().ingest([folder])
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
    assert bot.library().ingest([folder]).ok
    before = rows_under(bot, folder)
    assert {row["access"] for row in before.values()} == {"restricted", "group:hr", "public"}
    (folder / "sources.yaml").write_text(GOOD.replace("documents:", "document:"), encoding="utf-8")
    (folder / "exempt-minutes.txt").write_text("Exempt minutes\n\nAn edited version of the exempt minutes, with "
                                               f"the {canary('indexed-before')} still in it.\n", encoding="utf-8")
    (folder / "public-report.txt").unlink()
    report = bot.library().ingest([folder], prune=True)
    assert not report.ok and report.removed == []
    assert rows_under(bot, folder) == before
    assert not reader_finds(bot, canary("indexed-before"))


# (in place of entry 1's "access: restricted", what the problem line says)
UNCLEAN = [("acess: restricted", "unknown field 'acess'"), ("access_level: restricted", "unknown field 'access_level'"),
           ("visibility: restricted", "unknown field 'visibility'"), ("restricted: true", "unknown field 'restricted'"),
           ("private: true", "unknown field 'private'"), ("confidential: yes", "unknown field 'confidential'"),
           ("visibility: private", "unknown field 'visibility'"), ("Restricted: true", "unknown field 'Restricted'"),
           ("classification: OFFICIAL-SENSITIVE", "unknown field 'classification'"),
           ("group: hr", "unknown field 'group'"),
           ("access: public\n    private: true", "unknown field 'private'"),  # an unknown field beside a level
           ("access: restriced", "access 'restriced' is not one of"), ("access:", "access is empty"),
           ("access: ~", "access is empty"), ("access: ''", "access is empty"),
           ("access: [restricted]", "field 'access' must be text"), ("date: 2025-13-01", "not a real date")]


@pytest.mark.parametrize("field, says", UNCLEAN, ids=[f for f, _ in UNCLEAN])
def test_an_entry_with_an_error_and_no_clean_level_is_ingested_for_admins_only(bot, root, field, says):
    """Any unknown field may have been meant to limit the document, and an empty or wrong level declares nothing:
    the document falls back to the level only admins read, not to one some readers' groups hold."""
    case = f"unclean-{UNCLEAN.index((field, says))}"
    folder = make_folder(root / case, GOOD.replace("    access: restricted\n", f"    {field}\n"), case)
    report = bot.library().ingest([folder])
    line = next(line for line in report.failed if "entry 1 (exempt-minutes.txt)" in line)
    assert says in line and f"access '{FALLBACK_ACCESS}' (only admins read it)" in line, line
    assert "until an access level is declared" in line, line
    rows = rows_under(bot, folder)
    assert rows[str((folder / "exempt-minutes.txt").resolve())]["access"] == FALLBACK_ACCESS == "admin"
    assert not reader_finds(bot, canary(case))
    assert not reader_finds(bot, canary(case), groups=("restricted", "hr", "admin"))


def test_a_field_error_beside_a_clean_level_keeps_that_level(bot, root):
    """The level itself is clean, so the fallback (which could widen group:hr to every restricted reader before)
    is not needed: the document keeps group:hr and its other fields are inferred."""
    case = "group-with-a-bad-date"
    sources = GOOD.replace("    access: restricted\n", "    access: group:hr\n    date: 2025-13-01\n")
    folder = make_folder(root / case, sources, case)
    report = bot.library().ingest([folder])
    assert any("entry 1 (exempt-minutes.txt): date '2025-13-01' is not a real date" in line
               and "its declared access 'group:hr'" in line for line in report.failed), report.failed
    assert rows_under(bot, folder)[str((folder / "exempt-minutes.txt").resolve())]["access"] == "group:hr"
    assert not reader_finds(bot, canary(case), groups=("restricted",))
    assert reader_finds(bot, canary(case), groups=("hr",))


def test_admin_is_a_level_only_admins_read(bot, root):
    case = "declared-admin"
    folder = make_folder(root / case, GOOD.replace("    access: restricted\n", "    access: Admin\n"), case)
    assert bot.library().ingest([folder]).ok
    assert rows_under(bot, folder)[str((folder / "exempt-minutes.txt").resolve())]["access"] == "admin"
    assert check_access(" ADMIN ") == "admin"
    assert not reader_finds(bot, canary(case), groups=("restricted", "admin", "hr"))
    assert "admin" not in Viewer("a reader", groups=("admin", "restricted")).levels()
    admin = bot.reader(Viewer("an admin", "admin"))
    assert any(canary(case) in hit.passage.text for hit in admin.search(canary(case), top_k=50))


def test_a_nested_sources_yaml_adds_to_its_parents_entry_and_a_conflicting_level_is_not_indexed(bot, root):
    folder = root / "nested"
    (folder / "hr").mkdir(parents=True)
    note = folder / "hr" / "grievance.txt"
    note.write_text(f"Grievance log\n\nThe {canary('nested')} lists 2 grievances against a manager.\n",
                    encoding="utf-8")
    (folder / "sources.yaml").write_text("documents:\n  - path: hr/grievance.txt\n    access: restricted\n",
                                         encoding="utf-8")
    nested = folder / "hr" / "sources.yaml"
    nested.write_text("documents:\n  - path: grievance.txt\n    title: Grievances 2025\n", encoding="utf-8")
    report = bot.library().ingest([folder])
    assert report.ok, report.failed
    before = rows_under(bot, folder)
    row = before[str(note.resolve())]
    assert (row["access"], row["title"]) == ("restricted", "Grievances 2025")
    assert not reader_finds(bot, canary("nested"))

    nested.write_text("documents:\n  - path: grievance.txt\n    access: public\n", encoding="utf-8")
    for target in (folder, folder / "hr", note):
        report = bot.library().ingest([target])
        lines = [line for line in report.failed if line.startswith(str(note.resolve()) + ":")]
        assert len(lines) == 1 and "\n" not in lines[0], report.failed
        assert "not indexed" in lines[0] and f"{nested} declares access 'public'" in lines[0], lines[0]
        assert f"{folder / 'sources.yaml'} declares 'restricted'" in lines[0], lines[0]
        assert rows_under(bot, folder) == before
    assert not reader_finds(bot, canary("nested"))


@pytest.mark.parametrize("name", ["sources.yml", "Sources.yaml", "source.yaml"])
def test_a_sources_file_with_a_near_miss_name_blocks_its_folder(bot, root, name):
    case = f"near-miss-{name}"
    folder = make_folder(root / case, GOOD, case)
    (folder / "sources.yaml").rename(folder / name)
    report = bot.library().ingest([folder])
    assert not report.ok and rows_under(bot, folder) == {}
    assert not reader_finds(bot, canary(case))
    problem = [line for line in report.failed if line.startswith(f"{folder / name}:")]
    assert problem and "rename it to sources.yaml" in problem[0], report.failed
    for document in DOCUMENTS:
        assert any(line.startswith(str((folder / document).resolve()) + ": not indexed") for line in report.failed)


def test_a_folder_reached_through_a_link_keeps_the_declarations_above_the_link(bot, root):
    """council/hr links to a folder elsewhere; council/sources.yaml restricts the files in it."""
    store = root.resolve() / "linked" / "store" / "hr"
    store.mkdir(parents=True)
    for name in ("grievance.txt", "appeal.txt"):
        (store / name).write_text(f"HR case\n\nThe {canary('linked-' + name)} records a disciplinary appeal.\n",
                                  encoding="utf-8")
    council = root / "linked" / "council"
    council.mkdir()
    (council / "report.txt").write_text("Annual report\n\nThe council answered 97% of calls.\n", encoding="utf-8")
    (council / "sources.yaml").write_text("documents:\n  - path: hr/grievance.txt\n    access: restricted\n"
                                          "  - path: hr/appeal.txt\n    access: group:hr\n", encoding="utf-8")
    (council / "hr").symlink_to(store, target_is_directory=True)

    report = bot.library().ingest([council])  # the link is not followed; the entries naming files through it are fine
    assert report.ok, report.failed
    assert list(rows_under(bot, root / "linked")) == [str((council / "report.txt").resolve())]
    assert any(f"{council / 'hr'}: a link to a folder outside {council}; skipped" in w for w in report.warnings)

    assert bot.library().ingest([council / "hr" / "appeal.txt"]).ok
    assert bot.library().ingest([council / "hr"]).ok
    rows = rows_under(bot, root / "linked")
    assert rows[str(store / "appeal.txt")]["access"] == "group:hr"
    assert rows[str(store / "grievance.txt")]["access"] == "restricted"
    assert not any(reader_finds(bot, canary("linked-" + name)) for name in ("grievance.txt", "appeal.txt"))


def test_the_cli_exits_1_names_every_problem_and_indexes_the_other_folders(tmp_path):
    broken = make_folder(tmp_path / "hr", BROKEN[2][1], "cli")
    other = tmp_path / "published"
    other.mkdir()
    (other / "report.txt").write_text("Annual report\n\nThe council answered 98% of calls.\n", encoding="utf-8")
    env = {"EVIDENCE_BOT_INDEX_DIR": str(tmp_path / "index")}
    run = run_cli("ingest", "--quiet", broken, other, env=env)
    assert run.returncode == 1, run.stderr
    assert f"Failed: {broken / 'sources.yaml'}: entry 1: each entry needs a 'path'" in run.stderr
    for name in DOCUMENTS:
        assert f"Failed: {(broken / name).resolve()}: not indexed" in run.stderr
    assert "1 added" in run.stdout and "4 failed" in run.stdout  # the problem line and the three documents
    listed = run_cli("docs", "list", "--json", env=env)
    assert [Path(d["path"]).name for d in json.loads(listed.stdout)] == ["report.txt"]


CAPPED_READ = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    cap = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from evidence_bot.ingest.sources import read_sources
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


@pytest.mark.parametrize("folder", [SAMPLE, THURROCK, THURROCK.parent / "corpus-wider"],
                         ids=["sample", "thurrock", "wider"])
def test_the_real_sources_files_are_readable_under_the_stricter_rules(folder):
    found = read_sources(folder)
    assert found.entries and not found.errors and not found.blocking
