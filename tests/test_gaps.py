"""The gap view: the rating rule, the report over the sample, and its outputs through the CLI and the API."""

import csv
import io
import json
from datetime import date

import numpy as np
import pytest

from evidence_bot.evidence.frameworks.gaps import RULE, is_independent, months_between, rate
from evidence_bot.server import create_app
from evidence_bot.tuning import GREEN_DOCUMENTS, GREEN_PASSAGES, STALE_MONTHS

from helpers.cli import run_cli
from helpers.server import local_client


@pytest.mark.parametrize("passages, documents, corroborated, outcomes, stale, rating", [
    (0, 0, False, False, True, "red"),
    (5, 1, False, True, True, "red"),      # only the council's word, and old
    (5, 1, False, True, False, "amber"),   # only the council's word, but recent
    (3, 2, True, True, False, "green"),
    (2, 2, True, True, False, "amber"),    # too little
    (3, 2, True, False, False, "amber"),   # no outcome data
    (3, 2, True, True, True, "amber"),     # out of date
])
def test_rating_rule(passages, documents, corroborated, outcomes, stale, rating):
    assert rate(passages, documents, corroborated, outcomes, stale) == rating


def test_the_rule_shown_is_the_rule_applied():
    assert f"{GREEN_PASSAGES} or more distinct passages from {GREEN_DOCUMENTS} or more documents" in RULE
    assert RULE.count(f"{STALE_MONTHS} months") == 2
    assert rate(GREEN_PASSAGES, GREEN_DOCUMENTS, True, True, False) == "green"
    assert rate(GREEN_PASSAGES - 1, GREEN_DOCUMENTS, True, True, False) == "amber"
    assert rate(GREEN_PASSAGES, GREEN_DOCUMENTS - 1, True, True, False) == "amber"


def test_independence_and_months():
    assert is_independent("inspection_report", "processes") and is_independent("minutes", None)
    assert not is_independent("self_assessment", "people")  # the council reporting what people said
    assert is_independent("other", "partners")
    assert months_between("2025-08-29", date(2026, 11, 23)) == 15
    assert months_between("2025", date(2025, 12, 1)) == 11


def test_gap_report_over_the_sample(sample_bot):
    report = sample_bot.reader().gaps("cqc-la", date(2025, 12, 1))
    assert [s.id for s in report.statements][:3] == ["assessing-needs", "healthier-lives", "equity"]
    assert len(report.statements) == 9 and report.rule.startswith("Red:")
    safeguarding = next(s for s in report.statements if s.id == "safeguarding")
    assert safeguarding.passages >= 1 and safeguarding.strongest
    # The sample's best-evidenced statement (the self-assessment, CQC's report, minutes, the action plans and
    # the waiting-times table all speak to it) is green; the three ratings are all used.
    ratings = {s.id: s.rating for s in report.statements}
    assert ratings["assessing-needs"] == "green" and set(ratings.values()) == {"red", "amber", "green"}
    for s in report.statements:
        if s.rating == "green":
            assert s.corroborated and s.passages >= 3 and s.documents >= 2 and "outcomes" in s.categories_present
        if not s.passages:
            assert s.rating == "red" and s.gaps == ["no evidence mapped to this statement"]


def test_gaps_command_writes_every_format(sample_bot):
    index = str(sample_bot.settings.index_dir)

    def run(*args):
        return run_cli("--index", index, "gaps", *args)

    table = run("--as-of", "2025-12-01")
    assert table.returncode == 0 and "Working with people" in table.stdout and "Rule: Red:" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv").stdout)))
    assert len(rows) == 9 and {r["rating"] for r in rows} <= {"red", "amber", "green"}
    assert len(json.loads(run("--format", "json").stdout)["statements"]) == 9
    assert run("--format", "md").stdout.startswith("# CQC local authority assessment: evidence gaps")
    assert "<table>" in run("--format", "html").stdout
    unknown = run("--framework", "nope")
    assert unknown.returncode == 3 and "no framework 'nope'" in unknown.stderr
    assert run("--as-of", "yesterday").returncode == 2


def test_gaps_endpoint(sample_bot):
    with local_client(create_app(bot=sample_bot)) as client:
        body = client.get("/api/gaps", params={"framework": "cqc-la", "as_of": "2025-12-01"}).json()
        assert body["as_of"] == "2025-12-01" and len(body["statements"]) == 9
        assert client.get("/api/gaps", params={"framework": "nope"}).status_code == 404
        assert client.get("/api/gaps", params={"as_of": "soon"}).status_code == 422
        ids = {f["id"] for f in client.get("/api/frameworks").json()["frameworks"]}
        assert {"cqc-la", "ofsted-ilacs"} <= ids
        assert client.get("/gaps").status_code == 200


def test_claims_are_listed_with_what_other_documents_say(sample_bot):
    claims = sample_bot.reader().claims()
    assert claims and {c.status for c in claims} <= {"supported", "differs", "related", "unsupported"}
    assert all(c.title for c in claims) and all(c.doc_id != e.doc_id for c in claims for e in c.evidence)
    with local_client(create_app(bot=sample_bot)) as client:
        body = client.get("/api/claims", params={"status": "supported"}).json()
        assert sum(body["counts"].values()) == len(claims)
        assert all(c["status"] == "supported" for c in body["claims"])
        assert client.get("/api/claims", params={"status": "maybe"}).status_code == 422
        assert client.get("/claims").status_code == 200
    out = run_cli("--index", sample_bot.settings.index_dir, "claims", "--format", "json", check=True).stdout
    assert len(json.loads(out)) == len(claims)


def test_markdown_reports_show_document_markup_as_text():
    """Claims and gaps in Markdown: a document's HTML and Markdown stay text (the briefing's rule, too)."""
    from evidence_bot.evidence.claims import Claim, Evidence
    from evidence_bot.evidence.claims_report import render_claims
    from evidence_bot.evidence.frameworks.gaps import RULE, EvidencePassage, GapReport, StatementGaps
    from evidence_bot.evidence.frameworks.report import render_gaps

    hostile = 'We have 12 staff <img src=x onerror=alert(1)> [form](javascript:alert(2)) <script>alert("x")</script>'
    title = "Plan ![pixel](https://tracker.example/p.png)"
    evidence = Evidence("p2", "d2", title, "minutes", "2025-01", 3, hostile, 0.7, ["12"])
    claim = Claim("p1", "d1", title, "self_assessment", "2024-12", 1, None, hostile, ["12"], "supported", [evidence])
    claims = render_claims([claim], "md")
    passage = EvidencePassage("p1", "d1", title, "minutes", "2025-01", 1, None, "outcomes", 0.5, hostile, True)
    gaps = render_gaps(GapReport("cqc-la", "CQC", "2025-12-01", RULE, [StatementGaps(
        "s", "Safeguarding", "Theme", "amber", 1, 1, ["outcomes"], [], "2025-01", True, [], [passage])]), "md")
    for markdown in (claims, gaps):
        assert "<img" not in markdown and "<script" not in markdown and "](" not in markdown.replace("\\](", "")
        assert "&lt;script&gt;" in markdown and "\\[form\\]" in markdown


def sentence(text, source, doc_type, vector):
    from evidence_bot.evidence.frameworks.findings import Quote, Sentence

    quote = Quote("p", "d", "title", doc_type, "2025-01-01", None, None, text, source, 0.7)
    return Sentence(quote, np.asarray(vector, dtype=np.float32) / np.linalg.norm(vector), True)


def test_a_claim_is_set_against_the_independent_sentences_close_to_it():
    """The rule of frameworks/findings.py on hand-made vectors: only the arithmetic, not meaning, is tested here."""
    from evidence_bot.evidence.frameworks.findings import (
        DIFFERS_FROM_FINDING,
        SUPPORTED,
        UNSUPPORTED,
        check,
        side_by_side,
    )

    claim = sentence("We complete 90% of assessments within 28 days.", "council", "self_assessment", [1, 0.1, 0])
    same = sentence("Inspectors found 90% of assessments were done within 28 days.", "inspector", "news", [1, 0.2, 0])
    other = sentence("Inspectors found 60% of assessments were done within 28 days.", "inspector", "news", [1, 0.2, 0])
    shortfall = sentence("People told inspectors assessments were not always timely.", "inspector", "news", [1, 0.3, 0])
    far = sentence("The library opened a new branch.", "press", "news", [0, 0, 1])
    assert check(claim, [same]).status == SUPPORTED
    assert check(claim, [other]).status == DIFFERS_FROM_FINDING and check(claim, [other]).against is other.quote
    assert check(claim, [shortfall]).status == DIFFERS_FROM_FINDING
    assert check(claim, [far]).status == UNSUPPORTED and check(claim, []).status == UNSUPPORTED
    findings, claims = side_by_side([claim, same, far])
    assert findings == [same.quote] and [c.claim for c in claims] == [claim.quote]


def test_a_quoted_finding_is_cut_at_a_word_break_and_never_longer_than_its_limit():
    from evidence_bot.evidence.frameworks.findings import short

    assert short("Waits fell.") == "Waits fell."
    assert short("The inspectors found that people waited too long for their assessments", 40) == \
        "The inspectors found that people waited…"
    unbroken = "x" * 200  # an address or a code with no space in it
    assert short(unbroken, 90) == "x" * 90 + "…"
