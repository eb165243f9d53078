"""The mixed load run in short form (evals/load.py --mixed: 50 clients for 60 s is the full one): real server
process, authentication and rate limits on, chat, search and views from many tokens, an upload half way."""

import asyncio
import sys

import pytest
from conftest import ROOT, SAMPLE

from helpers.server import free_port

sys.path.insert(0, str(ROOT / "evals"))
import load  # noqa: E402


@pytest.mark.slow
def test_mixed_load_with_an_upload_gives_no_server_errors(tmp_path):
    index = tmp_path / "index"
    load.ensure_index(SAMPLE, index)
    tokens, admin = load.issue_tokens(index, 10)
    port = free_port()
    server = load.start_server(index, port, query_cache=1)
    try:
        questions = load.load_questions(ROOT / "evals" / "sample.jsonl")
        result = asyncio.run(load.run_mixed(f"http://127.0.0.1:{port}", questions, tokens, admin, 12, server.pid))
    finally:
        load.stop_server(server)
    print(result)
    assert result["server_errors"] == 0, result["statuses"]
    assert set(result["statuses"]) <= {"200", "429"}, result["statuses"]
    assert all(result["by_kind"][kind]["ok"] > 0 for kind in ("chat", "search", "document", "passage"))
    assert result["upload"]["status"] == 201 and result["upload"]["found_after_upload"]
