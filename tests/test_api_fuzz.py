"""Every endpoint, fuzzed from the OpenAPI schema with schemathesis (bounded examples): never a 500.

Its own index over the bundled sample, because the fuzzer uploads and deletes documents. The app is
built at import (schemathesis reads its schema when the tests are collected); the index is filled by a
fixture that shares the session's model."""

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from conftest import SAMPLE
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from evidence_bot import EvidenceBot, Settings
from evidence_bot.server import create_app

EXAMPLES_PER_OPERATION = 60
INDEX = Path(tempfile.mkdtemp(prefix="evidence-bot-fuzz-"))
atexit.register(shutil.rmtree, INDEX, True)  # also when the slow test is deselected and the fixture never runs
# schemathesis connects as "testclient", not loopback: without this, every /api and /v1 operation would stop at
# the guard for clients off the machine (403) and nothing behind it would be fuzzed.
BOT = EvidenceBot(Settings(index_dir=INDEX, allow_unauthenticated_network_access=True))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(bot=BOT))


@pytest.fixture(scope="module", autouse=True)
def filled_index(embedder):
    BOT.embedder = embedder
    assert BOT.library().ingest([SAMPLE]).ok
    yield
    BOT.close()


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_the_schema_allows_gives_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])
