"""The API's documented examples (server/examples.py) carry exactly the fields the code writes, so the OpenAPI
document cannot drift from the records it describes."""

from dataclasses import fields

from evidence_bot.evidence.briefing import Briefing, Fact, Source
from evidence_bot.evidence.claims import Claim, Evidence
from evidence_bot.server import examples


def names(record: type) -> set[str]:
    return {f.name for f in fields(record)}


def test_the_claims_example_has_a_claims_fields():
    claim = examples.CLAIMS["claims"][0]
    assert set(claim) == names(Claim)
    assert set(claim["evidence"][0]) == names(Evidence)


def test_the_briefing_example_has_a_briefings_fields():
    assert set(examples.BRIEF) == names(Briefing)
    assert set(examples.BRIEF["sources"][0]) == names(Source)
    assert set(examples.BRIEF["facts"][0]) == names(Fact)
