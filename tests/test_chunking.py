from evidence_bot.ingest.chunking import chunk_document
from evidence_bot.ingest.loaders.assemble import assemble, draft


def doc(*blocks):
    return assemble("x.txt", list(blocks), "text")


def test_every_passage_fits_the_window_and_no_word_is_lost(counter):
    long_sentence = " ".join(f"word{i}" for i in range(600))  # one sentence far beyond 256 word-pieces
    prose = " ".join(f"Sentence number {i} talks about safeguarding adults in the borough." for i in range(80))
    loaded = doc(draft("heading", "Theme 3: Ensuring safety", level=1), draft("paragraph", long_sentence),
                 draft("paragraph", prose))
    passages = chunk_document("d1", "A long title " * 30, loaded, counter)
    for p in passages:
        assert counter.count(p.embed_text) + 2 <= 256
    joined = " ".join(p.text for p in passages)
    for i in range(600):
        assert f"word{i}" in joined.split() or f"word{i}" in joined
    assert all(f"Sentence number {i} " in joined for i in range(80))


def test_tables_are_cut_between_rows_and_repeat_the_header(counter):
    header = "Measure | This year | Last year"
    rows = [f"Indicator {i} about reviews completed on time | {i}% | {i + 1}%" for i in range(60)]
    loaded = doc(draft("heading", "Key statistics", level=2),
                 draft("table", "\n".join([header, *rows]), header=header, rows=rows))
    passages = chunk_document("d1", "Report", loaded, counter)
    assert len(passages) > 1
    seen = []
    for p in passages:
        lines = p.text.split("\n")
        assert lines[0] == header and p.kind == "table"
        seen.extend(lines[1:])
        assert counter.count(p.embed_text) + 2 <= 256
    assert seen == rows


def test_section_path_and_offsets(counter):
    loaded = doc(draft("heading", "CQC Theme 3: Ensuring Safety within the System", level=1),
                 draft("heading", "Deprivation of Liberty (DOLs)", level=2),
                 draft("paragraph", "127 people are awaiting assessment."),
                 draft("heading", "CQC Theme 4: Leadership", level=1),
                 draft("paragraph", "Leaders meet monthly."))
    passages = chunk_document("d1", "Self-assessment", loaded, counter)
    assert [p.section for p in passages] == [
        "CQC Theme 3: Ensuring Safety within the System > Deprivation of Liberty (DOLs)",
        "CQC Theme 4: Leadership"]
    for p in passages:
        assert loaded.text[p.start:p.end] == p.text
    assert passages[0].embed_text.startswith("Self-assessment > CQC Theme 3")
    assert "Self-assessment" not in passages[0].text  # context is embedded, not shown
