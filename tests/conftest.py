"""Shared fixtures: one real model load and one index per corpus for the whole session."""

import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from evidence_bot import EvidenceBot, Settings  # noqa: E402
from evidence_bot.service import tuned_query_model  # noqa: E402
from evidence_bot.store.embedding import Embedder, TokenCounter  # noqa: E402

from helpers.fake_embedder import FakeEmbedder  # noqa: E402
from helpers.server import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "ingest" / "sample"
# The sample's documents: its sources.yaml lists every one (three are written by the set-up: make_sample.py).
SAMPLE_DOCUMENTS = len(yaml.safe_load((SAMPLE / "sources.yaml").read_text(encoding="utf-8"))["documents"])
THURROCK = ROOT.parent / "shared" / "corpus"


@lru_cache(maxsize=1)
def artifacts_dir() -> Path:
    """Where tests save what a person looks at (the page's screenshots, the rendered briefing): a temporary
    folder, so a test run never changes the repository, or $EVIDENCE_BOT_TEST_ARTIFACTS (`make artifacts`
    saves them under evals/results/ for the docs)."""
    chosen = os.environ.get("EVIDENCE_BOT_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="evidence-bot-artifacts-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# A test is marked by what it uses, so `make test-fast` can leave out whatever needs more than the code itself:
# the real model, the Thurrock corpus, a browser or a Chroma server (pyproject.toml lists the marks).
MARKS_BY_FIXTURE = {"embedder": "model", "sample_bot": "model", "fresh_bot": "model",
                    "thurrock_bot": "corpus", "browser": "browser", "chroma_server": "chroma_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        for mark in {MARKS_BY_FIXTURE[name] for name in item.fixturenames if name in MARKS_BY_FIXTURE}:
            item.add_marker(mark)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The model as the service loads it: questions embedded by the shipped tuned encoder (store/query_tuning.py)."""
    return Embedder(query_model_path=tuned_query_model(Settings()))


@pytest.fixture(scope="session")
def fake_embedder() -> Embedder:
    """Vectors from the text's word-pieces, no model (helpers/fake_embedder.py): for logic that does not depend on
    meaning."""
    return FakeEmbedder()


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
    report = bot.library().ingest([SAMPLE])
    assert report.ok, report.failed
    return bot


@pytest.fixture(scope="session")
def thurrock_bot(tmp_path_factory, embedder) -> EvidenceBot:
    if not THURROCK.is_dir():
        pytest.fail(f"{THURROCK} is missing: the Thurrock corpus must sit beside the repository (../shared)")
    bot = EvidenceBot(Settings(index_dir=tmp_path_factory.mktemp("thurrock-index")), embedder=embedder)
    report = bot.library().ingest([THURROCK])
    assert report.ok, report.failed
    bot.first_report = report
    return bot


@pytest.fixture
def fresh_bot(tmp_path, embedder) -> EvidenceBot:
    return EvidenceBot(Settings(index_dir=tmp_path / "fresh-index"), embedder=embedder)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server on loopback (the `chroma` command chromadb installs), for the server-mode tests."""
    import subprocess
    import time
    import urllib.request

    port = free_port()
    command = [str(Path(sys.executable).parent / "chroma"), "run",
               "--path", str(tmp_path_factory.mktemp("chroma-server")),
               "--host", "127.0.0.1", "--port", str(port)]
    log = open(tmp_path_factory.mktemp("chroma-log") / "chroma.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the Chroma server did not start: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="session")
def sample_bot_on_server(tmp_path_factory, embedder, chroma_server) -> EvidenceBot:
    """The sample index with its vectors in the Chroma server; the catalog stays in its own index_dir."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("sample-index-server"), chroma_url=chroma_server,
                        chroma_namespace="sample-")
    bot = EvidenceBot(settings, embedder=embedder)
    report = bot.library().ingest([SAMPLE])
    assert report.ok, report.failed
    assert not settings.chroma_dir.exists()  # nothing embedded locally
    return bot
