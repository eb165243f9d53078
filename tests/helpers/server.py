"""Real servers on a free loopback port: one app in a background thread, or a command in its own process; and
TestClients that connect from loopback or from another machine."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app):
    """Yields the base URL; stops the server when the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


LOOPBACK_CLIENT = ("127.0.0.1", 50000)
REMOTE_CLIENT = ("192.0.2.10", 50000)  # TEST-NET-1: an address on someone else's network


def local_client(app, **kwargs):
    """A TestClient that connects as the service's own machine (loopback, no proxy). Starlette's default client
    host, "testclient", is not loopback, and with no tokens issued the app answers loopback only."""
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://127.0.0.1", client=LOOPBACK_CLIENT, **kwargs)


def remote_client(app, **kwargs):
    """A TestClient on another machine of the network."""
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://evidence.council.example", client=REMOTE_CLIENT, **kwargs)


UVICORN = str(Path(sys.executable).parent / "uvicorn")
PRODUCTION_COMMAND = [UVICORN, "--factory", "evidence_bot.server:create_app", "--host", "127.0.0.1",
                      "--http", "h11", "--h11-max-incomplete-event-size", "32768"]  # docs/deployment.md


@contextmanager
def process(command: list[str], env: dict, ready_url: str, timeout: float = 180):
    """A server started as its own process (as production starts it); yields the Popen once `ready_url` answers
    (any status), and stops it when the block ends."""
    import httpx

    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen(command, env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, stdout=log,
                              stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{' '.join(command)} did not start:\n{log.read()[-3000:]}")
            try:
                httpx.get(ready_url, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
