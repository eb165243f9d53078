"""The benchmark (`make bench`): ingest throughput and query latency, ours against the LangChain peer in the
same run; where a question's time goes, stage by stage; `ask` over HTTP and in a new process; the embedding
backends; the index at 1k, 10k and 100k passages; and requests per second with 1 and 2 server workers.
Prints its figures and saves them under evals/results/.

Not a test: it measures, it does not judge. See docs/performance.md for what each figure means."""

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from evidence_bot.config import Settings
from evidence_bot.evaluation.peer import LangChainPeer, peer_files
from evidence_bot.evaluation.questions import load_questions
from evidence_bot.service import EvidenceBot

ROOT = Path(__file__).resolve().parent.parent


def percentiles(seconds: list[float]) -> dict:
    return {"p50_ms": round(float(np.percentile(seconds, 50)) * 1000, 1),
            "p95_ms": round(float(np.percentile(seconds, 95)) * 1000, 1)}


def folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def timed(fn, items, before=lambda: None) -> list[float]:
    seconds = []
    for item in items:
        before()
        started = time.perf_counter()
        fn(item)
        seconds.append(time.perf_counter() - started)
    return seconds


def ingest_and_latency(corpus: Path, questions: list[str], scratch: Path) -> tuple[dict, EvidenceBot]:
    kilobytes = sum(p.stat().st_size for p in peer_files(corpus)) / 1024
    bot = EvidenceBot(Settings(index_dir=scratch / "ours"))
    bot.embedder.embed(["warm up"])  # the model loaded before timing, as the peer's is in its constructor
    report = bot.library().ingest([corpus])
    ours = {"documents": len(report.added), "chunks": report.chunks, "seconds": round(report.seconds, 1),
            "kb_per_s": round(kilobytes / report.seconds, 1), "chunks_per_s": round(report.chunks / report.seconds, 1)}
    peer = LangChainPeer(bot.embedder.model_path, scratch / "peer")
    pr = peer.ingest(corpus)
    theirs = {"documents": pr.documents, "chunks": pr.chunks, "seconds": round(pr.seconds, 1),
              "kb_per_s": round(pr.kilobytes / pr.seconds, 1), "chunks_per_s": round(pr.chunks / pr.seconds, 1)}
    reader = bot.reader()
    reader.ask("warm up: load the model and open the stores before timing")
    bot.embedder.clear_query_cache()
    latency = {"stages_ms": stage_breakdown(bot, questions),  # first: every question embedded afresh
               "ours_ask": percentiles(timed(reader.ask, questions, bot.embedder.clear_query_cache)),
               "ours_search": percentiles(timed(reader.search, questions)),
               "peer_search": percentiles(timed(lambda q: peer.search(q, 4), questions))}
    return {"kilobytes": round(kilobytes, 1), "ours": ours, "peer": theirs,
            "ratio_kb_per_s": round(ours["kb_per_s"] / theirs["kb_per_s"], 2), "latency": latency}, bot


def stage_breakdown(bot: EvidenceBot, questions: list[str]) -> dict:
    """Mean milliseconds per stage of `ask`, each question embedded afresh; "other" is the rest of the total
    (checks, reading order, the answer's text)."""
    from evidence_bot.stages import collecting

    rows = []
    for question in questions:
        bot.embedder.clear_query_cache()
        with collecting() as seconds:
            started = time.perf_counter()
            bot.reader().ask(question)
            seconds["total"] = time.perf_counter() - started
        rows.append(seconds)
    names = sorted({name for row in rows for name in row} - {"total"}, key=lambda n: -sum(r.get(n, 0) for r in rows))
    means = {name: round(1000 * statistics.mean(r.get(name, 0.0) for r in rows), 2) for name in names}
    total = round(1000 * statistics.mean(r["total"] for r in rows), 2)
    return {**means, "other": round(total - sum(v for n, v in means.items() if ": " not in n), 2), "total": total}


def embedding_backends(source: EvidenceBot, questions_path: Path, corpus: Path, scratch: Path) -> dict:
    """Texts per second for each backend on real passages and sentences, agreement with torch, and the
    eval set's retrieval figures per backend (the int8 model is only worth having if hit@4 holds)."""
    from evidence_bot.evaluation.session import EvalRun
    from evidence_bot.store.embedding import BACKENDS, Embedder
    from evidence_bot.text.units import passage_units

    passages = [p for row in source.catalog.documents() for p in source.catalog.doc_passages(row["doc_id"])]
    samples = {"passages": [p.embed_text for p in passages][:320],
               "sentences": [t for p in passages for _, t in passage_units(p.text, p.kind)][:640]}
    reference: dict[str, np.ndarray] = {}
    figures: dict[str, dict[str, Any]] = {}
    for backend in (b for b in BACKENDS if b != "auto"):  # "auto" is one of the others
        embedder = Embedder(source.embedder.model_path, backend, scratch / "models")
        started = time.perf_counter()
        embedder.embed(["warm-up"])
        row = {"load_seconds": round(time.perf_counter() - started, 1)}
        for kind, texts in samples.items():
            started = time.perf_counter()
            vectors = np.asarray(embedder.embed(texts))
            row[f"{kind}_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
            reference.setdefault(kind, vectors)
            row[f"{kind}_min_cosine_to_default"] = round(float((vectors * reference[kind]).sum(axis=1).min()), 4)
        report = EvalRun(questions_path, corpus, embedding_backend=backend, log=lambda m: None).run()
        row.update({k: report["overall"][k] for k in ("hit@1", "hit@4", "mrr@10", "fact_accuracy")})
        row["ingest_seconds"] = report["timings"]["ingest_seconds"]
        figures[backend] = row
        print(f"  {backend:<9} {json.dumps(row)}")
    return figures


def synthetic_index(source: EvidenceBot, size: int, folder: Path, seed: int = 7) -> float:
    """size passages recombined from real units (sentences, rows); vectors from the units' stored vectors.

    Embedding 100,000 new chunks would take hours on this machine, so each synthetic passage's vector is
    the normalised mean of its units' real vectors: the index, catalog and query path are real, the
    embedding cost is not paid (it is measured separately as ingest chunks/s)."""
    from evidence_bot.models import DocumentMeta, Passage
    from evidence_bot.text.units import passage_units, unit_id

    rng = random.Random(seed)
    stored = source.unit_vectors.collection.get(include=["embeddings"])
    vector_of = dict(zip(stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)))
    vector_by_text: dict[str, np.ndarray] = {}
    for row in source.catalog.documents():
        for passage in source.catalog.doc_passages(row["doc_id"]):
            if passage.kind == "prose":  # sentences: joined again, they split where they did
                for start, text in passage_units(passage.text, passage.kind):
                    if unit_id(passage.id, start) in vector_of:
                        vector_by_text.setdefault(text, vector_of[unit_id(passage.id, start)])
    unit_texts = list(vector_by_text)
    bot = EvidenceBot(Settings(index_dir=folder), embedder=source.embedder)
    started = time.perf_counter()
    per_doc = 50
    for first in range(0, size, per_doc):
        doc_id = f"synthetic{first // per_doc:05d}"
        doc_passages: list[Passage] = []
        unit_rows: list[tuple[str, np.ndarray, list[tuple[str, np.ndarray]]]] = []
        for seq in range(min(per_doc, size - first)):
            picks = rng.sample(unit_texts, 3)
            text = " ".join(picks)
            pid = f"{doc_id}:{seq}"
            doc_passages.append(Passage(pid, doc_id, seq, text, text, None, None, None, 0, len(text), "prose", 0))
            units = passage_units(text, "prose")
            summed = np.mean([vector_by_text[pick] for pick in picks], axis=0)
            mean: np.ndarray = summed / np.linalg.norm(summed)
            # Stored under the ids the answerer looks up (the unit's offset); a sentence split differently in its
            # new company gets the passage's vector, never a missing one (which would be embedded per question).
            unit_rows.append((pid, mean, [(unit_id(pid, at), vector_by_text.get(unit, mean)) for at, unit in units]))
        bot.vectors.add([r[0] for r in unit_rows], [doc_id] * len(unit_rows), [r[1].tolist() for r in unit_rows])
        flat = [u for r in unit_rows for u in r[2]]
        bot.unit_vectors.add([u[0] for u in flat], [doc_id] * len(flat), [u[1].tolist() for u in flat])
        bot.catalog.replace_document(doc_id, f"/synthetic/{doc_id}.txt", doc_id, "synthetic", "text",
                                     DocumentMeta(title=f"Synthetic evidence {doc_id}", doc_type="other"), None,
                                     "", doc_passages)
    seconds = time.perf_counter() - started
    bot.close()
    return seconds


def scale(source: EvidenceBot, sizes: list[int], questions_path: Path, scratch: Path) -> list[dict]:
    """Each size's index written, then measured by a new process that only opens it and asks (as a server
    would): its latency, stage breakdown and resident memory are the index's, not this benchmark's."""
    rows = []
    for size in sizes:
        folder = scratch / f"scale-{size}"
        write_seconds = synthetic_index(source, size, folder)
        measured = subprocess.run([sys.executable, __file__, "--measure-index", str(folder),
                                   "--questions", str(questions_path)], capture_output=True, text=True, check=True)
        row = {"chunks": size, "index_write_seconds": round(write_seconds, 1),
               **json.loads(measured.stdout.strip().splitlines()[-1]), "disk_mb": folder_mb(folder)}
        rows.append(row)
        print(f"  {size:>7} chunks: write {write_seconds:.0f} s, ask p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
              f"RSS {row['rss_mb']} MB, disk {row['disk_mb']} MB; stages {row['stages_ms']}")
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def measure_index(folder: Path, questions: list[str]) -> dict:
    """In this process: ask every question over the index (after one warm-up) and report as one JSON line."""
    bot = EvidenceBot(Settings(index_dir=folder))
    reader = bot.reader()
    reader.ask("warm up: load the model and open the stores before timing")
    stages = stage_breakdown(bot, questions)
    seconds = timed(reader.ask, questions, bot.embedder.clear_query_cache)  # every question embedded afresh
    return {**percentiles(seconds), "stages_ms": stages, "rss_mb": round(psutil.Process().memory_info().rss / 2**20)}


def http_latency(index: Path, questions: list[str]) -> dict:
    """One client asking /api/chat one question after another, over loopback, the server a process of its own."""
    import httpx
    from load import HOST, start_server

    port = free_port()
    server = start_server(index, port, query_cache=1)
    try:
        with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=60) as client:
            client.post("/api/chat", json={"question": "warm up"})
            seconds = timed(lambda q: client.post("/api/chat", json={"question": q}).raise_for_status(), questions)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return percentiles(seconds)


def cold_ask(index: Path, question: str, runs: int = 4) -> dict:
    """`evidence-bot ask` in a new process each time, start to answer. The first run on a machine also exports
    the question encoder's graph (once, into the models folder); the figure that counts is the median of the rest."""
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "evidence_bot.cli", "ask", question], env=env, check=True,
                       capture_output=True)
        seconds.append(round(time.perf_counter() - started, 2))
    return {"first_s": seconds[0], "median_after_first_s": statistics.median(seconds[1:]), "runs_s": seconds}


def worker_throughput(corpus: Path, questions_path: Path, scratch: Path, clients: int = 8,
                      seconds: float = 20.0) -> list[dict]:
    """Requests per second under `clients` concurrent /api/chat clients, with 1 and then 2 server workers sharing
    one Chroma server and the catalog (docs/deployment.md)."""
    from load import HOST, ensure_index, load_questions, run_level, start_server

    chroma_port = free_port()
    chroma = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(scratch / "chroma"),
                               "--host", HOST, "--port", str(chroma_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    extra = {"EVIDENCE_BOT_CHROMA_URL": f"http://{HOST}:{chroma_port}"}
    rows = []
    try:
        wait_for_port(chroma_port)
        index = scratch / "workers-index"
        ensure_index(corpus, index, extra)
        for workers in (1, 2):
            port = free_port()
            server = start_server(index, port, query_cache=1, workers=workers, extra_env=extra)
            try:
                level = asyncio.run(run_level(f"http://{HOST}:{port}", load_questions(questions_path), clients,
                                              seconds, 100_000))
            finally:
                server.terminate()
                server.wait(timeout=60)
            rows.append({"workers": workers, **level})
            print(f"  {workers} worker(s), {clients} clients: {level['requests_per_s']} req/s, p50 {level['p50_ms']} "
                  f"ms, p95 {level['p95_ms']} ms, errors {level['errors']}")
    finally:
        chroma.terminate()
        chroma.wait(timeout=30)
    return rows


def folder_ingest(source_pages: Path, scratch: Path, documents: int = 1000, seed: int = 11) -> dict:
    """A folder of `documents` notes, each four paragraphs drawn from real pages (other councils'), ingested by
    `evidence-bot ingest` in a new process: its resident memory sampled, interrupted with Ctrl-C (SIGINT) half
    way, then run again to the end. Sentences repeat across notes, so this rate flatters the embedding; the
    figures that matter are the memory over the run and what the second run had left to do."""
    import signal
    import sqlite3

    rng = random.Random(seed)
    paragraphs = [p.strip() for page in sorted(source_pages.rglob("*.txt"))
                  for p in page.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 200]
    folder, index = scratch / "folder", scratch / "folder-index"
    folder.mkdir()
    for n in range(documents):
        body = "\n\n".join(rng.sample(paragraphs, 4))
        (folder / f"note-{n:04d}.txt").write_text(f"Evidence note {n}\n\n{body}\n", encoding="utf-8")
    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "evidence_bot.cli", "ingest", str(folder), "--quiet"]

    def stored() -> int:
        try:
            with sqlite3.connect(f"file:{index / 'catalog.sqlite'}?mode=ro", uri=True) as db:
                return db.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.Error:
            return 0

    started, memory = time.perf_counter(), []
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(first.pid)
    while first.poll() is None and stored() < documents // 2:
        memory.append(round(watched.memory_info().rss / 2**20))
        time.sleep(0.5)
    first.send_signal(signal.SIGINT)
    first.wait(timeout=120)
    interrupted_at, first_seconds = stored(), time.perf_counter() - started
    started = time.perf_counter()
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(second.pid)
    while second.poll() is None:
        memory.append(round(watched.memory_info().rss / 2**20))
        time.sleep(0.5)
    summary = (second.stdout.read() if second.stdout else "").strip().splitlines()[-1]
    third = max(1, len(memory) // 3)
    return {"documents": documents, "interrupted_at_documents": interrupted_at,
            "first_run_seconds": round(first_seconds, 1), "second_run": summary,
            "second_run_seconds": round(time.perf_counter() - started, 1), "stored_documents": stored(),
            "rss_mb": {"max": max(memory), "first_third_mean": round(statistics.mean(memory[:third])),
                       "last_third_mean": round(statistics.mean(memory[-third:]))}}


def ocr_throughput(source: Path, scratch: Path) -> dict:
    """Pages per second read by OCR: the PDF rendered to images and wrapped back into a PDF (a true scan), then
    loaded as ingest loads it (docs/formats.md)."""
    from evidence_bot.ingest.loaders import load_document

    from helpers.scanmaker import write_scan

    scan = write_scan(source, scratch / "scan.pdf")
    started = time.perf_counter()
    document = load_document(scan, [])
    seconds = time.perf_counter() - started
    pages = len(document.ocr_pages)
    return {"pages": pages, "seconds": round(seconds, 1), "pages_per_s": round(pages / seconds, 3),
            "lowest_confidence": min(document.ocr_pages.values(), default=None)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"nothing listened on port {port} within {seconds} s")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(sizes, [r["p50_ms"] for r in rows], marker="o", label="ask p50")
    ax.plot(sizes, [r["p95_ms"] for r in rows], marker="o", label="ask p95")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("latency (ms)")
    ax.set_title("evidence_bot ask latency against index size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "thurrock.jsonl")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--results", type=Path, default=ROOT / "evals" / "results")
    parser.add_argument("--skip", default="", help="comma-separated parts not to run: "
                                                   "backends,scale,folder,workers,ocr")
    parser.add_argument("--pages", type=Path, default=ROOT.parent / "shared" / "corpus-wider",
                        help="real pages the 1,000-document folder is drawn from")
    parser.add_argument("--measure-index", type=Path, help=argparse.SUPPRESS)  # scale()'s measuring process
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)][:40]
    if args.measure_index:
        print(json.dumps(measure_index(args.measure_index, questions)))
        return
    skip = set(filter(None, args.skip.split(",")))
    sys.path.insert(0, str(ROOT / "evals"))  # load.py's server and clients
    sys.path.insert(0, str(ROOT / "tests"))  # helpers.scanmaker, the scan the OCR figure reads
    args.results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evidence-bot-bench-") as tmp:
        scratch = Path(tmp)
        print(f"Ingest and latency on {args.corpus} ...")
        figures, bot = ingest_and_latency(args.corpus, questions, scratch)
        print(json.dumps(figures, indent=1))
        if "backends" not in skip:
            print("Embedding backends:")
            figures["embedding_backends"] = embedding_backends(bot, args.questions, args.corpus, scratch)
        if "scale" not in skip:
            print("Scale (synthetic passages recombined from real sentences; measured by a new process):")
            figures["scale"] = scale(bot, [int(s) for s in args.sizes.split(",")], args.questions, scratch)
        bot.close()
        figures["latency"]["http_one_client"] = http_latency(scratch / "ours", questions)
        figures["latency"]["cold_ask"] = cold_ask(scratch / "ours", questions[0])
        latency = figures["latency"]
        print(f"HTTP, one client: {latency['http_one_client']}; a new process: {latency['cold_ask']}")
        if "folder" not in skip and args.pages.is_dir():
            print("A folder of 1,000 documents, interrupted half way and resumed:")
            figures["folder"] = folder_ingest(args.pages, scratch)
            print(f"  {figures['folder']}")
        if "workers" not in skip:
            print("Workers (a Chroma server, the Thurrock index):")
            figures["workers"] = worker_throughput(args.corpus, args.questions, scratch)
        if "ocr" not in skip:
            figures["ocr"] = ocr_throughput(args.corpus / "pdf" / "ofsted-action-plan-progress.pdf", scratch)
            print(f"OCR (Tesseract, a scan of the Ofsted action plan): {figures['ocr']}")
    stem = args.results / f"bench-{date.today().isoformat()}"
    stem.with_suffix(".json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if figures.get("scale"):
        plot(figures["scale"], stem.with_suffix(".png"))
    print(f"Saved {stem}.json" + (f" and {stem}.png" if figures.get("scale") else ""))


if __name__ == "__main__":
    main()
