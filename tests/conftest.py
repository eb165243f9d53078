"""Shared fixtures: one real model load and one index per corpus for the whole session."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from evidence_bot import EvidenceBot, Settings  # noqa: E402
from evidence_bot.embedding import Embedder, TokenCounter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "ingest" / "sample"
THURROCK = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def counter() -> TokenCounter:
    return TokenCounter()


@pytest.fixture(autouse=True)
def own_index_dir(tmp_path, monkeypatch):
    """No test touches the repository's index/ by accident."""
    monkeypatch.setenv("EVIDENCE_BOT_INDEX_DIR", str(tmp_path / "index"))


@pytest.fixture(scope="session")
def sample_bot(tmp_path_factory, embedder) -> EvidenceBot:
    bot = EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("sample-index")), embedder=embedder)
    report = bot.ingest([SAMPLE])
    assert report.ok, report.failed
    return bot


@pytest.fixture(scope="session")
def thurrock_bot(tmp_path_factory, embedder) -> EvidenceBot:
    if not THURROCK.is_dir():
        pytest.fail(f"{THURROCK} is missing: the Thurrock corpus must sit beside the repository (../shared)")
    bot = EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("thurrock-index")), embedder=embedder)
    report = bot.ingest([THURROCK])
    assert report.ok, report.failed
    bot.first_report = report
    return bot


@pytest.fixture
def fresh_bot(tmp_path, embedder) -> EvidenceBot:
    return EvidenceBot(Settings(index_dir=tmp_path / "fresh-index"), embedder=embedder)
