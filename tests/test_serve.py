"""`evidence-bot serve --ingest-if-empty ingest/sample` (what `make run` ends with), as a real process."""

import os
import subprocess
import sys
import time

import httpx
import pytest
from conftest import SAMPLE, SAMPLE_DOCUMENTS

from helpers.server import free_port

pytestmark = pytest.mark.slow


def test_serve_ingests_an_empty_index_then_answers(tmp_path):
    port = free_port()
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(tmp_path / "index"), "HF_HUB_OFFLINE": "1",
           "EVIDENCE_BOT_COUNCIL_NAME": "Fernleigh Borough Council"}
    server = subprocess.Popen([sys.executable, "-m", "evidence_bot.cli", "serve", "--port", str(port),
                               "--ingest-if-empty", str(SAMPLE)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "the service was not ready within 180 s"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert httpx.get(f"{base}/readyz").json()["documents"] == SAMPLE_DOCUMENTS
        assert "Fernleigh Borough Council" in httpx.get(base).text
        reply = httpx.post(f"{base}/api/chat", json={"question": "What did CQC say about waiting times?"},
                           timeout=60).json()
        assert "412" in reply["answer"] and reply["citations"]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "The index is empty: ingesting" in output and f"Open http://localhost:{port}/" in output
