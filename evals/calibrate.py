"""Abstention threshold sweep. First record every answer with its confidence (threshold 0), then apply each
threshold to the recorded confidences:

    EVIDENCE_BOT_ABSTAIN_THRESHOLD=0 evidence-bot eval evals/thurrock.jsonl --corpus ../shared/corpus \
        --results /tmp/sweep
    python evals/calibrate.py /tmp/sweep/thurrock-<date>.json

The table it prints is in docs/evaluation.md with the reason for the chosen threshold."""

import json
import sys

THRESHOLDS = (0.20, 0.25, 0.28, 0.30, 0.32, 0.34, 0.36, 0.38, 0.41)


def sweep(outcomes: list[dict]) -> None:
    answerable = [o for o in outcomes if o["answerable"]]
    unanswerable = [o for o in outcomes if not o["answerable"]]
    print("threshold  fact_acc  false_abst  abst_recall  cost (wrong answer x2 + false abstention)")
    for t in THRESHOLDS:
        kept = lambda o: not o["abstained"] and o["confidence"] >= t  # noqa: E731
        facts = sum(kept(o) and o["facts_found"] for o in answerable) / len(answerable)
        false_abst = sum(not kept(o) for o in answerable)
        wrong = sum(kept(o) for o in unanswerable)
        print(f"{t:9.2f}  {facts:8.3f}  {false_abst / len(answerable):10.3f}  "
              f"{1 - wrong / len(unanswerable):11.3f}  {2 * wrong + false_abst}")


if __name__ == "__main__":
    sweep(json.load(open(sys.argv[1], encoding="utf-8"))["outcomes"])
