"""Calibrate the abstention threshold on labelled questions (evals/calibration.jsonl).

Prints each question's confidence and, for every candidate threshold, how many
answerable questions would be refused and how many unanswerable ones answered.
Run: .venv/bin/python evals/calibrate.py [--thurrock ../shared/corpus]"""

import argparse
import json
import tempfile
from pathlib import Path

from evidence_bot import EvidenceBot, Settings
from evidence_bot.embedding import Embedder

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--thurrock", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    embedder = Embedder()
    corpora = {"sample": ROOT / "ingest" / "sample", "thurrock": args.thurrock}
    bots = {}
    for name, path in corpora.items():
        bots[name] = EvidenceBot(Settings(index_dir=Path(tempfile.mkdtemp(prefix=f"calib-{name}-"))), embedder)
        bots[name].ingest([path])
    rows = []
    for line in (ROOT / "evals" / "calibration.jsonl").read_text().splitlines():
        item = json.loads(line)
        answer = bots[item["corpus"]].ask(item["question"], item.get("history", []))
        rows.append((answer.confidence, item["answerable"], item["question"]))
        print(f"{answer.confidence:.3f} {'ANS' if item['answerable'] else 'UNA'} {item['question']}")
    answerable = sum(1 for _, a, _ in rows if a)
    unanswerable = len(rows) - answerable
    print("\nthreshold  false_abstentions  wrongly_answered")
    best = None
    for step in range(30, 56):
        t = step / 100
        refused = sum(1 for c, a, _ in rows if a and c < t)
        answered = sum(1 for c, a, _ in rows if not a and c >= t)
        print(f"{t:.2f}       {refused}/{answerable}               {answered}/{unanswerable}")
        cost = refused + answered
        if best is None or cost < best[0]:
            best = (cost, t)
    print(f"\nlowest total errors at threshold {best[1]:.2f}")


if __name__ == "__main__":
    main()
