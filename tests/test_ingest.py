import shutil

from conftest import SAMPLE, SAMPLE_DOCUMENTS
from pypdf import PdfWriter

from helpers.pdfmaker import page, write_pdf


def test_reingest_is_idempotent_and_embeds_nothing(fresh_bot, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    first = fresh_bot.library().ingest([corpus])
    assert first.ok and len(first.added) == SAMPLE_DOCUMENTS and first.embedded > 0
    passages, vectors = fresh_bot.catalog.count_passages(), fresh_bot.vectors.count()
    second = fresh_bot.library().ingest([corpus])
    assert (len(second.unchanged), second.embedded, second.added, second.updated) == (SAMPLE_DOCUMENTS, 0, [], [])
    assert fresh_bot.catalog.count_passages() == passages == vectors == fresh_bot.vectors.count()


def test_changed_document_replaces_its_passages_and_prune_drops_gone_files(fresh_bot, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    note = corpus / "note.txt"
    note.write_text("Board minutes\n\nThe board agreed to fund 40 extra respite places for carers.\n")
    other = corpus / "other.txt"
    other.write_text("Action plan\n\nAction A1 is rated amber and owned by the Head of Service.\n")
    fresh_bot.library().ingest([corpus])
    note.write_text("Board minutes\n\nThe board agreed to fund 55 extra respite places for carers.\n")
    report = fresh_bot.library().ingest([corpus])
    assert report.updated == [str(note.resolve())] and len(report.unchanged) == 1
    texts = [p.text
             for p in fresh_bot.catalog.doc_passages(fresh_bot.catalog.document_by_path(str(note.resolve()))["doc_id"])]
    assert any("55 extra" in t for t in texts) and not any("40 extra" in t for t in texts)
    assert fresh_bot.vectors.count() == fresh_bot.catalog.count_passages()
    other.unlink()
    pruned = fresh_bot.library().ingest([corpus], prune=True)
    assert pruned.removed == [str(other.resolve())]
    assert fresh_bot.catalog.count_documents() == 1
    assert fresh_bot.vectors.count() == fresh_bot.catalog.count_passages()


def test_one_broken_document_never_stops_the_rest(fresh_bot, tmp_path):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Safeguarding report\n\nNinety enquiries were completed within 90 days.\n")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "corrupt.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    (corpus / "lying.pdf").write_text("<html><body>web page</body></html>")
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with (corpus / "scanned.pdf").open("wb") as handle:
        writer.write(handle)
    locked = PdfWriter(clone_from=str(write_pdf(tmp_path / "plain.pdf", [page(("p", "Secret text."))])))
    locked.encrypt(user_password="pw")
    with (corpus / "locked.pdf").open("wb") as handle:
        locked.write(handle)
    (corpus / "sources.yaml").write_text("documents:\n  - path: good.txt\n    date: 2024-02-31\n")
    report = fresh_bot.library().ingest([corpus])
    assert report.added == [str((corpus / "good.txt").resolve())]
    failed = "\n".join(report.failed)
    for name, reason in [("empty.txt", "empty file"), ("corrupt.pdf", "corrupt or truncated PDF"),
                         ("lying.pdf", "content is html"), ("scanned.pdf", "no text layer"),
                         ("locked.pdf", "encrypted PDF"), ("sources.yaml", "not a real date")]:
        assert any(name in line and reason in line for line in report.failed), (name, failed)
    assert all("\n" not in line for line in report.failed)  # one line each
