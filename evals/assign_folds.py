"""Merge question files and give each question a fold, so figures are reported on councils held out of fitting.

A fold is a set of whole councils: a question's council is that of its gold document (or, for a near miss,
of the neighbour holding the answer it must not give), read from the file name's first part
(`cqc/westminster-safeguarding.txt` -> westminster). Councils are dealt to folds largest first, each to the
fold with the fewest questions so far, so folds are about equal. Questions with no document (plainly
unanswerable) are dealt round-robin. Deterministic: the same files give the same folds.

    python evals/assign_folds.py evals/wider-cqc.jsonl evals/wider-other.jsonl --folds 5 --output evals/wider.jsonl
"""

import argparse
import json
from collections import Counter
from pathlib import Path


def council_of(question: dict) -> str | None:
    documents = [d for g in question.get("gold", []) for d in ([g["document"]] if isinstance(g["document"], str)
                                                                else g["document"])]
    document = documents[0] if documents else question.get("neighbour")
    return Path(document).name.split("-")[0] if document else None


def assign(questions: list[dict], folds: int) -> None:
    sizes = Counter(council_of(q) for q in questions if council_of(q))
    load, fold_of = [0] * folds, {}
    for council, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        fold_of[council] = min(range(folds), key=lambda f: (load[f], f))
        load[fold_of[council]] += size
    spare = 0
    for question in questions:
        council = council_of(question)
        if council is None:
            question["fold"], spare = spare % folds + 1, spare + 1
        else:
            question["fold"] = fold_of[council] + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    questions = [json.loads(line) for path in args.inputs for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    assign(questions, args.folds)
    args.output.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    print(f"{len(questions)} questions -> {args.output}; per fold: "
          f"{dict(sorted(Counter(q['fold'] for q in questions).items()))}")


if __name__ == "__main__":
    main()
