"""`evidence-bot serve --workers N`: several server processes over one index, the vectors in a Chroma server."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest

from helpers.server import free_port, process

EVIDENCE_BOT = [sys.executable, "-m", "evidence_bot.cli"]
QUESTIONS = ["How long do people wait for a Care Act assessment?", "What did CQC say about safeguarding?",
             "How many carers had an assessment?", "Who chaired the cabinet meeting?"]


def test_several_workers_need_a_chroma_server(tmp_path):
    result = subprocess.run([*EVIDENCE_BOT, "--index", str(tmp_path / "index"), "serve", "--workers", "2"],
                            capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
                            timeout=120)
    assert result.returncode == 2
    assert "EVIDENCE_BOT_CHROMA_URL" in result.stderr


@pytest.mark.slow
def test_two_workers_answer_as_one_process_does(sample_bot_on_server, chroma_server):
    settings = sample_bot_on_server.settings
    port = free_port()
    env = {"EVIDENCE_BOT_CHROMA_URL": chroma_server, "EVIDENCE_BOT_CHROMA_NAMESPACE": settings.chroma_namespace}
    command = [*EVIDENCE_BOT, "--index", str(settings.index_dir), "serve", "--port", str(port), "--workers", "2"]
    with process(command, env, f"http://127.0.0.1:{port}/readyz") as server:
        children = [" ".join(p.cmdline()) for p in psutil.Process(server.pid).children()]
        assert sum("spawn_main" in c for c in children) == 2, children  # uvicorn's two worker processes

        def ask(question: str) -> dict:
            response = httpx.post(f"http://127.0.0.1:{port}/api/chat", json={"question": question}, timeout=120)
            response.raise_for_status()
            return response.json()

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(ask, QUESTIONS * 3))
    for question, answer in zip(QUESTIONS * 3, answers):
        expected = sample_bot_on_server.reader().ask(question)
        assert answer["answer"] == expected.answer
        assert [c["passage_id"] for c in answer["citations"]] == [c.passage_id for c in expected.citations]
