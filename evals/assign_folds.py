"""Merge question files and give each question a fold, so figures are reported on evidence held out of fitting.

Two ways to group questions, chosen with `--by`; every question of a group goes to the same fold:

- `council` (the default, for the wider set): a fold is a set of whole councils. A question's council is that of
  its gold document (or, for a near miss, of the `neighbour` page holding the answer it must not give), read from
  the file name's first part (`cqc/westminster-safeguarding.txt` -> westminster).
- `document` (for a one-council set such as Thurrock): a fold is a set of whole documents. A question's document
  is its first gold document (or its `neighbour`), taken together with its renditions: paths listed together in
  one gold entry (the same report as text, Word and PDF) and paths with the same file stem are one document,
  named by its alphabetically first path. Only the first gold document counts, so a multi-document question's
  other documents may sit in other folds.

Groups are dealt to folds largest first (ties by name), each to the fold with the fewest questions so far
(ties to the lowest fold), so folds are as even as the groups allow. Questions with no group (no gold document
and no neighbour: plainly unanswerable, or a near miss without a neighbour) are dealt round-robin in file order.
Deterministic: the same files give the same folds. Lines are written back with `json.dumps(ensure_ascii=False)`,
keys in their order with `fold` last (replaced in place when a line already has one); the output may be an input.

    python evals/assign_folds.py evals/wider-cqc.jsonl evals/wider-other.jsonl --folds 5 --output evals/wider.jsonl
    python evals/assign_folds.py evals/thurrock.jsonl --by document --folds 5 --output evals/thurrock.jsonl
"""

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path


def documents_of(question: dict) -> list[list[str]]:
    """The paths of each gold entry, in order: one list per entry, holding the renditions of one document."""
    return [[g["document"]] if isinstance(g["document"], str) else list(g["document"])
            for g in question.get("gold", [])]


def council_of(question: dict) -> str | None:
    documents = [d for rendition in documents_of(question) for d in rendition]
    document = documents[0] if documents else question.get("neighbour")
    return Path(document).name.split("-")[0] if document else None


def document_groups(questions: list[dict]) -> dict[str, str]:
    """Every path the questions name (gold documents and neighbours) -> the name of its document: the
    alphabetically first of the paths joined to it by being listed in one gold entry or sharing a file stem."""
    parent: dict[str, str] = {}

    def find(path: str) -> str:
        parent.setdefault(path, path)
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    def join(first: str, second: str) -> None:
        first, second = find(first), find(second)
        parent[max(first, second)] = min(first, second)

    for question in questions:
        for renditions in documents_of(question):
            for path in renditions:
                join(renditions[0], path)
        if question.get("neighbour"):
            find(question["neighbour"])
    first_with_stem: dict[str, str] = {}
    for path in sorted(parent):
        join(first_with_stem.setdefault(Path(path).stem, path), path)
    return {path: find(path) for path in parent}


def document_of(groups: dict[str, str]) -> Callable[[dict], str | None]:
    def group(question: dict) -> str | None:
        documents = documents_of(question)
        document = documents[0][0] if documents else question.get("neighbour")
        return groups[document] if document else None
    return group


def assign(questions: list[dict], folds: int, group_of: Callable[[dict], str | None] = council_of) -> dict[str, int]:
    """Set each question's `fold` (1..folds); returns each group's fold."""
    sizes = Counter(group for q in questions if (group := group_of(q)))
    load, fold_of = [0] * folds, {}
    for group, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        fold_of[group] = min(range(folds), key=lambda f: (load[f], f))
        load[fold_of[group]] += size
    spare = 0
    for question in questions:
        group = group_of(question)
        if group is None:
            question["fold"], spare = spare % folds + 1, spare + 1
        else:
            question["fold"] = fold_of[group] + 1
    return {group: fold + 1 for group, fold in fold_of.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--by", choices=["council", "document"], default="council",
                        help="hold out whole councils (default) or whole documents with their renditions")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    questions = [json.loads(line) for path in args.inputs for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    group_of = council_of if args.by == "council" else document_of(document_groups(questions))
    fold_of = assign(questions, args.folds, group_of)
    args.output.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    print(f"{len(questions)} questions -> {args.output}; per fold: "
          f"{dict(sorted(Counter(q['fold'] for q in questions).items()))}")
    if args.by == "document":
        sizes = Counter(group_of(q) for q in questions)
        members = defaultdict(list)
        for path, group in document_groups(questions).items():
            members[group].append(path)
        for group, fold in sorted(fold_of.items(), key=lambda item: (item[1], item[0])):
            print(f"  fold {fold}: {sizes[group]:3d} questions on {' = '.join(sorted(members[group]))}")
        print(f"  round-robin: {sizes[None]} questions with no gold document or neighbour")


if __name__ == "__main__":
    main()
