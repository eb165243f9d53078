import pytest

from evidence_bot.errors import SourcesError
from evidence_bot.ingest.inference import infer_doc_type, infer_meta
from evidence_bot.ingest.loaders.assemble import assemble, draft
from evidence_bot.ingest.sources import normalise_date, read_sources
from evidence_bot.models import DocumentMeta


def files(folder, *names):
    """Entries must name files that exist (issue 15: an entry matching no file blocks its folder)."""
    for name in names:
        (folder / name).write_text("Some evidence.\n", encoding="utf-8")


def test_sources_yaml_is_read(tmp_path):
    files(tmp_path, "a.txt")
    (tmp_path / "sources.yaml").write_text("documents:\n  - path: a.txt\n    title: A\n    doc_type: minutes\n"
                                           "    date: 2025-01\n")
    sources = read_sources(tmp_path)
    meta = sources.entries[(tmp_path / "a.txt").resolve()]
    assert (meta.title, meta.doc_type, meta.date) == ("A", "minutes", "2025-01")


@pytest.mark.parametrize("entry, reason", [
    ("    auther: Someone\n", "unknown field 'auther'"),
    ("    date: 2025-13-40\n", "date '2025-13-40' is not a real date"),
    ("    date: last spring\n", "date 'last spring' is not YYYY-MM-DD"),
    ("    doc_type: memo\n", "doc_type 'memo' is not one of"),
])
def test_bad_sources_entries_are_named_and_fall_back_to_admins_only(tmp_path, entry, reason):
    """An entry with an error and no clean access level: inferred metadata, and the level only admins read."""
    files(tmp_path, "good.txt", "bad.txt")
    (tmp_path / "sources.yaml").write_text("documents:\n  - path: good.txt\n    title: Good\n"
                                           "  - path: bad.txt\n" + entry)
    sources = read_sources(tmp_path)
    assert sources.entries[(tmp_path / "good.txt").resolve()].title == "Good"
    assert sources.entries[(tmp_path / "bad.txt").resolve()] == DocumentMeta(access="admin")
    assert len(sources.errors) == 1 and not sources.blocking
    assert "sources.yaml: entry 2 (bad.txt)" in sources.errors[0] and reason in sources.errors[0]


@pytest.mark.parametrize("declared, stored", [("Public", "public"),
                                              ("group:Children-Social-Care", "group:children-social-care"),
                                              ("restricted", "restricted")])
def test_access_levels_are_normalised(tmp_path, declared, stored):
    files(tmp_path, "a.txt")
    (tmp_path / "sources.yaml").write_text(f"documents:\n  - path: a.txt\n    access: {declared}\n")
    assert read_sources(tmp_path).entries[(tmp_path / "a.txt").resolve()].access == stored


def test_a_misspelt_access_level_fails_closed(tmp_path):
    """A typo must not widen who can read an exempt paper: only admins read it, and the error says so."""
    files(tmp_path, "part2.txt")
    (tmp_path / "sources.yaml").write_text("documents:\n  - path: part2.txt\n    access: restriced\n"
                                           "    title: Exempt minutes\n")
    sources = read_sources(tmp_path)
    assert sources.entries[(tmp_path / "part2.txt").resolve()].access == "admin"
    assert "entry 1 (part2.txt): access 'restriced' is not one of" in sources.errors[0]
    assert "access 'admin' (only admins read it)" in sources.errors[0]


def test_invalid_yaml_blocks_the_folder(tmp_path):
    (tmp_path / "sources.yaml").write_text("documents: [unclosed\n")
    assert "not valid YAML" in read_sources(tmp_path).blocking[0]


def test_a_nested_value_is_a_field_error_not_a_huge_string(tmp_path):
    files(tmp_path, "a.txt")
    (tmp_path / "sources.yaml").write_text("documents:\n  - path: a.txt\n    title: [a, b]\n    access: public\n")
    sources = read_sources(tmp_path)
    assert "entry 1 (a.txt): field 'title' must be text, not a list" in sources.errors[0]
    assert sources.entries[(tmp_path / "a.txt").resolve()] == DocumentMeta(access="public")  # a clean level stays


def test_dates_are_checked():
    assert normalise_date("2024-12-19", "x") == "2024-12-19"
    with pytest.raises(SourcesError):
        normalise_date("19/12/2024", "x")


def test_inference_from_text(tmp_path):
    loaded = assemble("m.txt", [draft("heading", "Cabinet minutes", level=1),
                                draft("paragraph", "Agenda item 5. Meeting held on 21 January 2026."),
                                draft("paragraph", "RESOLVED: that Cabinet approves the plan.")], "text")
    meta = infer_meta(loaded, tmp_path / "m.txt")
    assert (meta.title, meta.doc_type, meta.date) == ("Cabinet minutes", "minutes", "2026-01-21")
    assert infer_doc_type("This self-assessment sets out our Key Statistics and Our Strengths.") == "self_assessment"
    assert infer_doc_type("A short note.") == "other"
