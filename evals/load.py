"""Load benchmark: 1 and 20 concurrent clients asking /api/chat for 30 seconds each, on loopback only.

Starts `evidence-bot serve` as its own process over the Thurrock index (ingested
once into evals/results/tmp/load-index; unchanged files are not re-embedded),
cycles through the Thurrock questions, and prints requests/s, p50, p95, p99 and
errors per level. Bounded in time (--seconds per level) and in requests
(--max-requests per level). Not a test: `make load`."""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only, by design


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def load_questions(path: Path) -> list[dict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"question": q["question"], "history": [{"role": "user", "content": h} for h in q.get("history", [])]}
            for q in items]


async def client_loop(client, questions, offset, deadline, budget, latencies, errors):
    i = offset
    while time.monotonic() < deadline and budget["left"] > 0:
        budget["left"] -= 1
        body = questions[i % len(questions)]
        i += 1
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json=body)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors.append(body["question"])


async def run_level(base_url: str, questions: list[dict], clients: int, seconds: float, max_requests: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    budget = {"left": max_requests}
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(client_loop(client, questions, n * 7, deadline, budget, latencies, errors)
                               for n in range(clients)))
        elapsed = time.monotonic() - started
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies) + len(errors),
            "requests_per_s": round(len(latencies) / elapsed, 2), "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1), "p99_ms": round(percentile(latencies, 99), 1),
            "errors": len(errors)}


def start_server(index: Path, port: int, query_cache: int) -> subprocess.Popen:
    # The questions repeat every 121 requests. A cache of 1 still saves the second embedding of the same question
    # within a request (retrieval, then the answerer) but never carries a question over to a later request.
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1",
           "EVIDENCE_BOT_QUERY_CACHE": str(query_cache)}
    server = subprocess.Popen([sys.executable, "-m", "evidence_bot.cli", "serve", "--host", HOST, "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()}")
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server was not ready within 120 s")


def ensure_index(corpus: Path, index: Path) -> None:
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "evidence_bot.cli", "ingest", str(corpus), "--quiet"], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "thurrock.jsonl")
    parser.add_argument("--index", type=Path, default=ROOT / "evals" / "results" / "tmp" / "load-index")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=5000, help="Per level, whatever the time.")
    parser.add_argument("--query-cache", type=int, default=1,
                        help="Question vectors the server caches (1: none carried between requests).")
    parser.add_argument("--results", type=Path, default=ROOT / "evals" / "results")
    args = parser.parse_args()

    if not args.corpus.is_dir():
        raise SystemExit(f"{args.corpus} is missing: the load benchmark runs on the Thurrock corpus")
    ensure_index(args.corpus, args.index)
    server = start_server(args.index, args.port, args.query_cache)
    try:
        questions = load_questions(args.questions)
        levels = [asyncio.run(run_level(f"http://{HOST}:{args.port}", questions, n, args.seconds, args.max_requests))
                  for n in args.clients]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"Query cache: {args.query_cache} (1: every request embeds its own question)")
    print(f"{'clients':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in levels:
        print(f"{r['clients']:>7} {r['requests']:>8} {r['requests_per_s']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} "
              f"{r['p99_ms']:>8} {r['errors']:>6}")
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"load-{date.today().isoformat()}.json"
    out.write_text(json.dumps({"corpus": str(args.corpus), "query_cache": args.query_cache, "levels": levels}, indent=1) + "\n", encoding="utf-8")
    print(f"Saved {out}")


if __name__ == "__main__":
    main()
