"""Load benchmark: 1 and 20 concurrent clients asking /api/chat for 30 seconds each, on loopback only.

With --mixed: 50 clients for 60 seconds, each with its own reader token (authentication and the per-token
rate limit on), mixing chat, search, document and passage views, while an admin uploads a new document
half way through; reports status codes (zero 5xx is the bar), p50/p95/p99 per kind and the server's memory.

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


def percentile(values: list[float], q: int) -> float:
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


MIX = (("chat", 0.5), ("search", 0.3), ("document", 0.1), ("passage", 0.1))
UPLOAD = ("Load test bulletin\n\nThe load test bulletin records that the night shelter opened 40 extra beds in "
          "November 2026, and that 112 people used them in the first week.\n")


def issue_tokens(index: Path, readers: int) -> tuple[list[str], str]:
    from evidence_bot.governance.access import TokenStore

    store = TokenStore(index / "access.sqlite")
    tokens = [store.create(f"load reader {n}", "reader", [])[1] for n in range(readers)]
    admin_id, admin = store.create("load admin", "admin", [])
    store.close()
    return tokens, admin


def revoke_load_tokens(index: Path) -> None:
    from evidence_bot.governance.access import TokenStore

    store = TokenStore(index / "access.sqlite")
    for token in store.list():
        if token["name"].startswith("load ") and not token["revoked_at"]:
            store.revoke(token["id"])
    store.close()


async def mixed_client(client, token, questions, targets, seed, deadline, record):
    import random

    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    kinds = [kind for kind, _ in MIX]
    weights = [float(weight) for _, weight in MIX]
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        try:
            if kind == "chat":
                response = await client.post("/api/chat", json=rng.choice(questions), headers=headers)
            elif kind == "search":
                response = await client.get("/api/search", params={"q": rng.choice(questions)["question"]},
                                            headers=headers)
            elif kind == "document":
                response = await client.get(f"/api/documents/{rng.choice(targets['documents'])}", headers=headers)
            else:
                response = await client.get(f"/api/passages/{rng.choice(targets['passages'])}", headers=headers)
            status = response.status_code
        except httpx.HTTPError as exc:
            status = f"transport error {type(exc).__name__}"
        record.append((kind, status, (time.perf_counter() - started) * 1000, time.monotonic()))


async def upload_midway(client, admin, delay, outcome):
    await asyncio.sleep(delay)
    started = time.perf_counter()
    response = await client.post("/api/documents", headers={"Authorization": f"Bearer {admin}"},
                                 files={"file": ("load-test-bulletin.txt", UPLOAD.encode())})
    outcome.update(status=response.status_code, seconds=round(time.perf_counter() - started, 2),
                   doc_id=response.json().get("document", {}).get("doc_id") if response.status_code == 201 else None)
    search = await client.get("/api/search", params={"q": "night shelter extra beds"},
                              headers={"Authorization": f"Bearer {admin}"})
    outcome["found_after_upload"] = "night shelter" in search.text


async def watch_memory(pid, deadline, samples):
    import psutil

    process = psutil.Process(pid)
    while time.monotonic() < deadline:
        samples.append(process.memory_info().rss / 2**20)
        await asyncio.sleep(1)


async def run_mixed(base_url: str, questions: list[dict], tokens: list[str], admin: str, seconds: float,
                    server_pid: int) -> dict:
    record: list = []
    upload: dict = {}
    memory: list[float] = []
    limits = httpx.Limits(max_connections=len(tokens) + 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        admin_headers = {"Authorization": f"Bearer {admin}"}
        documents = (await client.get("/api/documents", headers=admin_headers)).json()["documents"]
        found = (await client.get("/api/search", params={"q": "care", "limit": 50}, headers=admin_headers)).json()
        targets = {"documents": [d["doc_id"] for d in documents],
                   "passages": [r["passage"]["id"] for r in found["results"]]}
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(mixed_client(client, token, questions, targets, n, deadline, record)
                               for n, token in enumerate(tokens)),
                             upload_midway(client, admin, seconds / 2, upload),
                             watch_memory(server_pid, deadline, memory))
        elapsed = time.monotonic() - started
        if upload.get("doc_id"):
            await client.delete(f"/api/documents/{upload['doc_id']}", headers=admin_headers)
    return summarise_mixed(record, upload, memory, elapsed, len(tokens))


def summarise_mixed(record, upload, memory, elapsed, clients) -> dict:
    statuses: dict[str, int] = {}
    for _, status, _, _ in record:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    by_kind = {}
    for kind, _ in MIX:
        times = [ms for k, status, ms, _ in record if k == kind and status == 200]
        by_kind[kind] = {"ok": len(times), "p50_ms": round(percentile(times, 50), 1),
                         "p95_ms": round(percentile(times, 95), 1), "p99_ms": round(percentile(times, 99), 1)}
    all_ok = [ms for _, status, ms, _ in record if status == 200]
    server_errors = sum(n for s, n in statuses.items() if s.startswith("5") or s.startswith("transport"))
    third = max(1, len(memory) // 3)
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(record),
            "requests_per_s": round(len(record) / elapsed, 2), "statuses": statuses, "server_errors": server_errors,
            "p50_ms": round(percentile(all_ok, 50), 1), "p95_ms": round(percentile(all_ok, 95), 1),
            "p99_ms": round(percentile(all_ok, 99), 1), "by_kind": by_kind, "upload": upload,
            "memory_mb": {"start": round(memory[0]) if memory else None, "peak": round(max(memory)) if memory else None,
                          "end": round(memory[-1]) if memory else None,
                          "first_third_mean": round(statistics.mean(memory[:third])) if memory else None,
                          "last_third_mean": round(statistics.mean(memory[-third:])) if memory else None}}


def start_server(index: Path, port: int, query_cache: int, workers: int = 1,
                 extra_env: dict | None = None) -> subprocess.Popen:
    # The questions repeat every 121 requests. A cache of 1 still saves the second embedding of the same question
    # within a request (retrieval, then the answerer) but never carries a question over to a later request.
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1",
           "EVIDENCE_BOT_QUERY_CACHE": str(query_cache), **(extra_env or {})}
    server = subprocess.Popen([sys.executable, "-m", "evidence_bot.cli", "serve", "--host", HOST, "--port", str(port),
                               "--workers", str(workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read() if server.stderr else ''}")
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server was not ready within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)
    if server.stderr:
        server.stderr.close()


def ensure_index(corpus: Path, index: Path, extra_env: dict | None = None) -> None:
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1", **(extra_env or {})}
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
    parser.add_argument("--mixed", type=int, metavar="CLIENTS",
                        help="The mixed run instead: this many token-holding clients for --seconds (50 and 60).")
    args = parser.parse_args()
    if args.mixed:
        return main_mixed(args)

    if not args.corpus.is_dir():
        raise SystemExit(f"{args.corpus} is missing: the load benchmark runs on the Thurrock corpus")
    ensure_index(args.corpus, args.index)
    server = start_server(args.index, args.port, args.query_cache)
    try:
        questions = load_questions(args.questions)
        levels = [asyncio.run(run_level(f"http://{HOST}:{args.port}", questions, n, args.seconds, args.max_requests))
                  for n in args.clients]
    finally:
        stop_server(server)
    print(f"Query cache: {args.query_cache} (1: every request embeds its own question)")
    print(f"{'clients':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in levels:
        print(f"{r['clients']:>7} {r['requests']:>8} {r['requests_per_s']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} "
              f"{r['p99_ms']:>8} {r['errors']:>6}")
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"load-{date.today().isoformat()}.json"
    out.write_text(json.dumps({"corpus": str(args.corpus), "query_cache": args.query_cache, "levels": levels},
                              indent=1) + "\n", encoding="utf-8")
    print(f"Saved {out}")


def main_mixed(args) -> None:
    if not args.corpus.is_dir():
        raise SystemExit(f"{args.corpus} is missing: the load benchmark runs on the Thurrock corpus")
    ensure_index(args.corpus, args.index)
    tokens, admin = issue_tokens(args.index, args.mixed)
    server = start_server(args.index, args.port, args.query_cache)
    try:
        result = asyncio.run(run_mixed(f"http://{HOST}:{args.port}", load_questions(args.questions), tokens, admin,
                                       args.seconds, server.pid))
    finally:
        stop_server(server)
        revoke_load_tokens(args.index)
    print(f"{result['clients']} clients, {result['seconds']} s: {result['requests']} requests "
          f"({result['requests_per_s']}/s), statuses {result['statuses']}, "
          f"5xx/transport errors {result['server_errors']}")
    print(f"all OK requests: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms")
    for kind, r in result["by_kind"].items():
        print(f"  {kind:8} {r['ok']:5} OK  p50 {r['p50_ms']:8} p95 {r['p95_ms']:8} p99 {r['p99_ms']:8} ms")
    print(f"upload half way: {result['upload']}")
    print(f"server memory MB: {result['memory_mb']}")
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"load-mixed-{date.today().isoformat()}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"Saved {out}")
    if result["server_errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
