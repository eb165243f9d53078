"""Reader scope: what a reader sees (rankings, confidence, renditions, claims, gaps) is computed as if the
documents they cannot read did not exist.

Two real indexes: the sample evidence alone, and the same evidence plus documents a reader may not read (a
restricted pack quoting both the self-assessment and the CQC report, exempt minutes full of the questions'
words, an HR note). A reader must get identical results from both; an admin on the second index must not
(the control: it proves these comparisons can fail)."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidence_bot import EvidenceBot, Settings
from evidence_bot.governance.access import TokenStore, Viewer
from evidence_bot.models import Filters
from evidence_bot.reader import Reader
from evidence_bot.search.reader_statistics import TOKENIZER
from evidence_bot.server import create_app
from evidence_bot.store.catalog import Catalog, row_meta
from evidence_bot.store.schema import SCHEMA
from evidence_bot.text.lexical import match_expression

SAMPLE = Path(__file__).resolve().parents[1] / "ingest" / "sample"
READER, ADMIN = Viewer("a reader"), Viewer("an admin", role="admin")
AS_OF = date(2025, 11, 1)  # gap ratings depend on the day; fixed so both indexes are rated on the same one
QUESTIONS = [
    ("What did CQC say about waiting times?", []),
    ("How many people are waiting for a DoLS assessment?", []),
    ("And who owns that action?", ["How many people are waiting for a DoLS assessment?"]),
    ("Which actions are rated red?", []),
    ("What did Cabinet resolve about the improvement plan?", []),
    ("How many potholes were repaired in 2024?", []),
]
HIDDEN_SOURCES = """\
documents:
  - path: briefing-pack.md
    title: Exempt briefing pack for the Lead Member
    doc_type: other
    date: 2025-09-01
    access: restricted
  - path: exempt-minutes.txt
    title: Exempt minutes of the adult social care board
    doc_type: minutes
    date: 2025-09-15
    access: restricted
  - path: workforce-note.txt
    title: Workforce casework note
    doc_type: other
    date: 2025-09-20
    access: group:hr
"""
# Words of the questions, many times over: they move term weights (IDF) and BM25's statistics.
EXEMPT_MINUTES = """Exempt minutes

The board discussed waiting times for Care Act assessments, the waiting list and the people waiting for a DoLS \
assessment. CQC waiting times, DoLS waiting, assessment waiting: the board asked who owns each action.

Cabinet resolved that the improvement plan actions rated red, amber and green are reviewed monthly. The \
improvement plan owner reported on every red action and every action rated amber.

Potholes were repaired in 2024 on council land next to two care homes; 12 potholes were repaired.
"""
WORKFORCE_NOTE = """Workforce note

Social worker vacancies mean people are waiting longer for an assessment; the DoLS team is waiting for two \
Best Interests Assessors. Waiting times are reviewed by the improvement plan board.
"""
PACK_SOURCES = {"self_assessment": (1, 3, 4), "inspection_report": (2, 3, 5)}  # 3 of each: either order merges


def build(index_dir: Path, embedder, paths: list[Path]) -> EvidenceBot:
    bot = EvidenceBot(Settings(index_dir=index_dir), embedder=embedder)
    report = bot.library().ingest(paths)
    assert report.ok, report.failed
    return bot


def briefing_pack(bot: EvidenceBot) -> str:
    """Passages of the self-assessment and of the CQC report, quoted word for word, one per section."""
    sections = []
    for row in bot.catalog.documents():
        for seq in PACK_SOURCES.get(row["doc_type"], ()):
            passage = bot.catalog.doc_passages(row["doc_id"])[seq]
            sections.append(f"## Quoted {row['doc_type'].replace('_', ' ')} part {seq}\n\n{passage.text}\n")
    return "# Exempt briefing pack\n\n" + "\n".join(sections)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory, embedder) -> tuple[EvidenceBot, EvidenceBot]:
    """(the sample alone, the sample with hidden documents), the sample's files shared so ids are the same."""
    visible = build(tmp_path_factory.mktemp("visible-index"), embedder, [SAMPLE])
    hidden = tmp_path_factory.mktemp("hidden-evidence")
    (hidden / "sources.yaml").write_text(HIDDEN_SOURCES, encoding="utf-8")
    (hidden / "briefing-pack.md").write_text(briefing_pack(visible), encoding="utf-8")
    (hidden / "exempt-minutes.txt").write_text(EXEMPT_MINUTES, encoding="utf-8")
    (hidden / "workforce-note.txt").write_text(WORKFORCE_NOTE, encoding="utf-8")
    with_hidden = build(tmp_path_factory.mktemp("with-hidden-index"), embedder, [SAMPLE, hidden])
    assert with_hidden.catalog.count_documents() == visible.catalog.count_documents() + 3
    return visible, with_hidden


def answer_view(bot: Reader, question: str, history: list[str]):
    answer = bot.ask(question, history)
    return (answer.answer, answer.abstained, pytest.approx(answer.confidence, abs=1e-9),
            [(c.passage_id, pytest.approx(c.score, abs=1e-9), c.also_in, c.highlights) for c in answer.citations])


def search_view(bot: Reader, query: str, filters: Filters | None = None):
    return [(h.passage.id, pytest.approx(h.score, abs=1e-9), h.renditions) for h in bot.search(query, filters, 10)]


def lexical_view(bot: Reader, query: str):
    """The lexical ranking alone, with its BM25 scores: fusion by rank would hide a changed score."""
    return [(pid, pytest.approx(score, abs=1e-9)) for pid, score in bot.bot.retriever.lexical(query, bot.scoped(None))]


def claims_view(bot: Reader):
    return [(c.passage_id, c.text, c.status, [(e.passage_id, e.sentence, e.shared_figures) for e in c.evidence])
            for c in bot.claims()]


def gaps_view(bot: Reader):
    return [(s.id, s.rating, s.passages, s.documents, s.categories_present, s.latest, s.corroborated, s.gaps,
             [(p.passage_id, p.also_in) for p in s.strongest]) for s in bot.gaps("cqc-la", AS_OF).statements]


def briefing_view(bot: Reader, topic: str):
    briefing = bot.brief(topic)
    return [(f.text, f.source) for f in briefing.facts], [s.passage_id for s in briefing.sources], briefing.questions


@pytest.mark.parametrize("question,history", QUESTIONS)
def test_a_readers_answers_ignore_what_they_cannot_read(indexes, question, history):
    visible, with_hidden = (bot.reader(READER) for bot in indexes)
    assert answer_view(with_hidden, question, history) == answer_view(visible, question, history)


@pytest.mark.parametrize("question", [q for q, _ in QUESTIONS])
def test_a_readers_rankings_and_scores_ignore_what_they_cannot_read(indexes, question):
    visible, with_hidden = (bot.reader(READER) for bot in indexes)
    assert lexical_view(with_hidden, question) == lexical_view(visible, question)
    assert search_view(with_hidden, question) == search_view(visible, question)
    only_reports = Filters(doc_type=["inspection_report", "minutes"])
    assert search_view(with_hidden, question, only_reports) == search_view(visible, question, only_reports)


def test_a_readers_claims_gaps_and_briefing_ignore_what_they_cannot_read(indexes):
    visible, with_hidden = (bot.reader(READER) for bot in indexes)
    assert claims_view(with_hidden) == claims_view(visible)
    assert gaps_view(with_hidden) == gaps_view(visible)
    assert briefing_view(with_hidden, "waiting times") == briefing_view(visible, "waiting times")


def test_the_control_an_admin_does_see_the_hidden_documents(indexes):
    """The same comparisons fail for someone who may read everything: the hidden documents merge the
    self-assessment with the CQC report (claims and gaps change) and move confidence and rankings."""
    visible, with_hidden = indexes[0].reader(READER), indexes[1].reader(ADMIN)
    assert claims_view(with_hidden) != claims_view(visible)
    statuses = {c.text: c.status for c in with_hidden.claims()}
    assert statuses["As at 30 November 2024, 388 people were waiting for an assessment."] == "unsupported"
    assert gaps_view(with_hidden) != gaps_view(visible)
    assert any(answer_view(with_hidden, q, h) != answer_view(visible, q, h) for q, h in QUESTIONS)
    assert any(lexical_view(with_hidden, q) != lexical_view(visible, q) for q, _ in QUESTIONS)


def test_a_reader_with_the_group_reads_the_group_document(indexes):
    """Scope is per set of access levels: an HR reader's statistics include the HR note, a plain reader's not."""
    hr = indexes[1].reader(Viewer("hr officer", groups=("hr",)))
    plain = indexes[1].reader(READER)
    question = "How many people are waiting for a DoLS assessment?"
    assert lexical_view(hr, question) != lexical_view(plain, question)
    assert any(hit.meta.title == "Workforce casework note" for hit in hr.search(question, None, 20))


def test_scoped_bm25_equals_sqlites_when_the_reader_may_read_everything(indexes):
    """Our BM25 (posting lists kept per catalog version) must give FTS5's own bm25() scores and order, for a
    viewer who reads everything and for a reader on the index without hidden documents."""
    visible = indexes[0]
    assert f"tokenize = '{TOKENIZER}'" in SCHEMA  # query words are cut as the index cut its passages
    for question, _ in QUESTIONS:
        fts5 = visible.catalog.lexical_search(match_expression(question), None, visible.retriever.candidates)
        everything = visible.retriever.lexical(question, Filters())
        as_reader = visible.retriever.lexical(question, visible.reader(READER).scoped(None))
        assert fts5 and [p for p, _ in everything] == [p for p, _ in fts5]
        assert dict(everything) == pytest.approx(dict(fts5), abs=1e-9)
        assert dict(as_reader) == pytest.approx(dict(fts5), abs=1e-9)  # ties may swap places


def test_the_http_api_gives_a_reader_the_same_whichever_index(indexes):
    """Through the service, with a reader's token on each index."""
    responses = []
    for bot in indexes:
        token = TokenStore(bot.settings.access_path).create("a reader", "reader", [])[1]
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(bot=bot), client=("127.0.0.1", 50000)) as client:
            chat = client.post("/api/chat", json={"question": QUESTIONS[0][0]}, headers=headers).json()
            search = client.get("/api/search", params={"q": QUESTIONS[1][0]}, headers=headers).json()
            claims = client.get("/api/claims", headers=headers).json()
            gaps = client.get("/api/gaps", headers=headers).json()
        for volatile in ("conversation_id", "answer_id"):
            chat.pop(volatile, None)
        gaps.pop("as_of", None)
        responses.append((chat, search, claims, gaps))
    assert responses[1] == responses[0]


def test_a_readers_statistics_follow_every_change_to_the_catalog(fresh_bot, tmp_path):
    """Cached per catalog version: an ingest, a removal, or another process changing a document's access level
    shows at the next request, without a restart."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "one.txt").write_text("Referrals\n\nSafeguarding referrals rose to 412 in 2024.\n", encoding="utf-8")
    assert fresh_bot.library().ingest([folder]).ok
    reader, levels = fresh_bot.reader(READER), READER.levels()

    def seen():
        stats = reader.bot.statistics
        return (stats.passage_count(levels), stats.document_frequency(["referrals"], levels)["referrals"],
                len(reader.bot.retriever.lexical("safeguarding referrals", reader.scoped(None))))

    assert seen() == (1, 1, 1)
    (folder / "two.txt").write_text("Reviews\n\nReferrals were reviewed by the board every month.\n", encoding="utf-8")
    assert fresh_bot.library().ingest([folder]).ok
    assert seen() == (2, 2, 2)
    other_process = Catalog(fresh_bot.settings.catalog_path)  # a second connection, as `evidence-bot ingest` has
    row = other_process.find_document(str(folder / "two.txt"))
    other_process.update_meta(row["doc_id"], replace(row_meta(row), access="restricted"))
    other_process.close()
    assert seen() == (1, 1, 1)
    fresh_bot.library().remove_document(str(folder / "one.txt"))
    assert seen() == (0, 0, 0)
