"""The benchmark (`make bench`): ingest throughput and query latency, ours against the LangChain peer,
and how the index behaves at 1k, 10k and 100k chunks. Prints its figures and saves them under evals/results/.

Not a test: it measures, it does not judge. See docs/evaluation.md for what each figure means."""

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

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


def timed(fn, items) -> list[float]:
    seconds = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        seconds.append(time.perf_counter() - started)
    return seconds


def ingest_and_latency(corpus: Path, questions: list[str], scratch: Path) -> tuple[dict, EvidenceBot]:
    kilobytes = sum(p.stat().st_size for p in peer_files(corpus)) / 1024
    bot = EvidenceBot(Settings(index_dir=scratch / "ours"))
    report = bot.ingest([corpus])
    ours = {"documents": len(report.added), "chunks": report.chunks, "seconds": round(report.seconds, 1),
            "kb_per_s": round(kilobytes / report.seconds, 1), "chunks_per_s": round(report.chunks / report.seconds, 1)}
    peer = LangChainPeer(bot.embedder.model_path, scratch / "peer")
    pr = peer.ingest(corpus)
    theirs = {"documents": pr.documents, "chunks": pr.chunks, "seconds": round(pr.seconds, 1),
              "kb_per_s": round(pr.kilobytes / pr.seconds, 1), "chunks_per_s": round(pr.chunks / pr.seconds, 1)}
    bot.ask(questions[0])  # load the model and open the stores before timing
    latency = {"ours_ask": percentiles(timed(bot.ask, questions)),
               "ours_search": percentiles(timed(bot.search, questions)),
               "peer_search": percentiles(timed(lambda q: peer.search(q, 4), questions))}
    return {"kilobytes": round(kilobytes, 1), "ours": ours, "peer": theirs,
            "ratio_kb_per_s": round(ours["kb_per_s"] / theirs["kb_per_s"], 2), "latency": latency}, bot


def embedding_backends(source: EvidenceBot, questions_path: Path, corpus: Path, scratch: Path) -> dict:
    """Texts per second for each backend on real passages and sentences, agreement with torch, and the
    eval set's retrieval figures per backend (the int8 model is only worth having if hit@4 holds)."""
    from evidence_bot.embedding import BACKENDS, Embedder
    from evidence_bot.evaluation.session import EvalRun
    from evidence_bot.units import passage_units

    passages = [p for row in source.catalog.documents() for p in source.catalog.doc_passages(row["doc_id"])]
    samples = {"passages": [p.embed_text for p in passages][:320],
               "sentences": [t for p in passages for _, t in passage_units(p.text, p.kind)][:640]}
    reference, figures = {}, {}
    for backend in BACKENDS:
        embedder = Embedder(source.embedder.model_path, backend, scratch / "models")
        started = time.perf_counter()
        embedder.embed(["warm-up"])
        row = {"load_seconds": round(time.perf_counter() - started, 1)}
        for kind, texts in samples.items():
            started = time.perf_counter()
            vectors = np.asarray(embedder.embed(texts))
            row[f"{kind}_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
            reference.setdefault(kind, vectors)
            row[f"{kind}_min_cosine_to_torch"] = round(float((vectors * reference[kind]).sum(axis=1).min()), 4)
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
    from evidence_bot.units import passage_units, unit_id

    rng = random.Random(seed)
    stored = source.unit_vectors.collection.get(include=["embeddings"])
    vector_of = dict(zip(stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)))
    ids, unit_texts = [], []
    for row in source.catalog.documents():
        for passage in source.catalog.doc_passages(row["doc_id"]):
            for start, text in passage_units(passage.text, passage.kind):
                if unit_id(passage.id, start) in vector_of:
                    ids.append(unit_id(passage.id, start))
                    unit_texts.append(text)
    vectors = np.asarray([vector_of[i] for i in ids])
    bot = EvidenceBot(Settings(index_dir=folder), embedder=source.embedder)
    started = time.perf_counter()
    per_doc = 50
    for first in range(0, size, per_doc):
        doc_id = f"synthetic{first // per_doc:05d}"
        doc_passages, unit_rows = [], []
        for seq in range(min(per_doc, size - first)):
            picks = rng.sample(range(len(ids)), 3)
            text = " ".join(unit_texts[i] for i in picks)
            pid = f"{doc_id}:{seq}"
            doc_passages.append(Passage(pid, doc_id, seq, text, text, None, None, None, 0, len(text), "prose", 0))
            mean = vectors[picks].mean(axis=0)
            unit_rows.append((pid, mean / np.linalg.norm(mean), [(unit_id(pid, k), vectors[i]) for k, i in enumerate(picks)]))
        bot.vectors.add([r[0] for r in unit_rows], [doc_id] * len(unit_rows), [r[1].tolist() for r in unit_rows])
        flat = [u for r in unit_rows for u in r[2]]
        bot.unit_vectors.add([u[0] for u in flat], [doc_id] * len(flat), [u[1].tolist() for u in flat])
        bot.catalog.replace_document(doc_id, f"/synthetic/{doc_id}.txt", doc_id, "synthetic", "text",
                                     DocumentMeta(title=f"Synthetic evidence {doc_id}", doc_type="other"), None,
                                     "", doc_passages)
    seconds = time.perf_counter() - started
    bot.close()
    return seconds


def scale(source: EvidenceBot, sizes: list[int], questions: list[str], scratch: Path) -> list[dict]:
    rows = []
    for size in sizes:
        folder = scratch / f"scale-{size}"
        write_seconds = synthetic_index(source, size, folder)
        bot = EvidenceBot(Settings(index_dir=folder), embedder=source.embedder)
        bot.ask(questions[0])
        seconds = timed(bot.ask, questions)
        rows.append({"chunks": size, "index_write_seconds": round(write_seconds, 1), **percentiles(seconds),
                     "rss_mb": round(psutil.Process().memory_info().rss / 2**20), "disk_mb": folder_mb(folder)})
        print(f"  {size:>7} chunks: write {write_seconds:.0f} s, ask p50 {rows[-1]['p50_ms']} ms, "
              f"p95 {rows[-1]['p95_ms']} ms, RSS {rows[-1]['rss_mb']} MB, disk {rows[-1]['disk_mb']} MB")
        bot.close()
        shutil.rmtree(folder, ignore_errors=True)
    return rows


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
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)][:40]
    args.results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="evidence-bot-bench-") as tmp:
        scratch = Path(tmp)
        print(f"Ingest and latency on {args.corpus} ...")
        figures, bot = ingest_and_latency(args.corpus, questions, scratch)
        print(json.dumps(figures, indent=1))
        print("Embedding backends:")
        figures["embedding_backends"] = embedding_backends(bot, args.questions, args.corpus, scratch)
        print("Scale (synthetic passages recombined from real sentences):")
        figures["scale"] = scale(bot, [int(s) for s in args.sizes.split(",")], questions, scratch)
        bot.close()
    stem = args.results / f"bench-{date.today().isoformat()}"
    stem.with_suffix(".json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    plot(figures["scale"], stem.with_suffix(".png"))
    print(f"Saved {stem}.json and {stem}.png")


if __name__ == "__main__":
    main()
