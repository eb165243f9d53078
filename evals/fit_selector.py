"""Refit the answer selector and measure it on held-out folds: `make fit-selector`.

    make fit-selector    # = python evals/fit_selector.py --write --set wider=evals/wider.jsonl:../shared/corpus-wider \
                         #       --set thurrock=evals/thurrock.jsonl:../shared/corpus \
                         #       --set blind1=evals/blind1.jsonl:evals/blind1 \
                         #       --set blind2=evals/blind2.jsonl:evals/blind2 ... --set blind4=...

Each set's corpus is indexed once (evals/results/tmp/fit-<name>, reused when unchanged), every question is
retrieved and its candidates labelled; the question encoder's tuning (evaluation/query_fit.py) is fitted per fold
without it and each fold's questions are read again with theirs, so every feature is as an unseen question would
have it; then evaluation/selector_fit.py cross-fits by fold. Prints and saves
(evals/results/selector-<date>.md/.json and PNGs): per set, fold and category; logistic regression against
gradient boosting; the regularisation sweep; the feature-group ablation; calibration. With --write the model
fitted on every fold goes to src/evidence_bot/data/selector-v1.json with its record, and the tuning fitted on
every question to src/evidence_bot/data/query-tuning-v1.npz. Deterministic: the same
files give the same model."""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from evidence_bot.answer.reading import read_depth
from evidence_bot.config import Settings
from evidence_bot.evaluation import selection_report as report
from evidence_bot.evaluation.query_fit import QueryExample, fit_query_tuning
from evidence_bot.evaluation.questions import load_questions
from evidence_bot.evaluation.runner import check_gold, resolve_gold
from evidence_bot.evaluation.selector_fit import (
    REGULARISATION,
    CrossFit,
    Labelled,
    ablation_columns,
    cross_fit,
    label,
    shipped_selector,
)
from evidence_bot.service import EvidenceBot
from evidence_bot.store.embedding import Embedder, packaged_model_path
from evidence_bot.store.query_tuning import QueryTuning, tuned_model_dir

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "src/evidence_bot/data/selector-v1.json"
SHIPPED_TUNING = ROOT / "src/evidence_bot/data/query-tuning-v1.npz"
RESULTS = ROOT / "evals/results"
MODELS = RESULTS / "tmp" / "query-models"  # the per-fold tuned encoders, removed after use
MODEL = packaged_model_path()


@dataclass
class QuestionSet:
    name: str
    questions: list
    folds: dict[str, int]
    corpus: Path
    paths: dict[str, str]  # doc id -> path


def open_set(name: str, questions_path: Path, corpus: Path, log) -> QuestionSet:
    """The set's questions (each with its fold) and its corpus indexed once (reused while unchanged)."""
    questions = load_questions(questions_path)
    folds = {json.loads(line)["id"]: json.loads(line).get("fold")
             for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()}
    missing = [q.id for q in questions if not folds.get(q.id)]
    if missing:
        sys.exit(f"{questions_path}: questions without a fold: {', '.join(missing[:5])} (evals/assign_folds.py)")
    resolve_gold(questions, corpus)
    bot = set_bot(name, None)
    log(f"{name}: {bot.library().ingest([corpus]).summary()}")
    check_gold(bot, questions)
    paths = {row["doc_id"]: row["path"] for row in bot.catalog.documents()}
    return QuestionSet(name, questions, {k: int(v) for k, v in folds.items()}, corpus, paths)


def set_bot(name: str, embedder: Embedder | None) -> EvidenceBot:
    """The set's index, its questions embedded by `embedder` (None: the packaged model, untuned)."""
    settings = Settings(index_dir=RESULTS / "tmp" / f"fit-{name}", answer_selection="learned", tuned_questions=False)
    return EvidenceBot(settings, embedder)


def collect(qset: QuestionSet, embedder: Embedder | None, log, fold: int | None = None) -> list[Labelled]:
    """Every question of the set (of one fold only, when given) retrieved and its candidates labelled."""
    bot = set_bot(qset.name, embedder)
    items = []
    for question in qset.questions:
        if fold is not None and qset.folds[question.id] != fold:
            continue
        started = time.perf_counter()
        reader = bot.reader()
        query = reader.query_for(question.question, question.history)
        depth = max(bot.settings.top_k, read_depth(question.question, query))
        hits = bot.retriever.search(query, reader.scoped(None), depth)
        found = bot.answerer.candidates(question.question, query, hits, None)
        hits = found.hits  # the passages read, in the order the candidates index them
        items.append(Labelled(question, qset.name, qset.folds[question.id], found, hits,
                              label(question, found, hits, qset.paths), time.perf_counter() - started,
                              bot.answerer.unit_vectors(found.items) if found.items else None))
    if fold is None:
        log(f"{qset.name}: {len(items)} questions, {sum(len(i.found.items) for i in items)} candidates, "
            f"{sum(int(i.labels.sum() > 0) for i in items)} questions with a positive candidate")
    return items


def query_examples(items: list[Labelled]) -> list[QueryExample]:
    """What the question encoder's tuning learns from: each question with its candidates' stored vectors."""
    return [QueryExample(i.found.question, i.vectors, i.labels > 0) for i in items if i.vectors is not None]


def out_of_fold(sets: list[QuestionSet], items: list[Labelled], log) -> list[Labelled]:
    """Each fold's questions retrieved and read again with questions embedded by an encoder tuned without that
    fold, so the selector is fitted and measured on features as an unseen question would have them."""
    examples = query_examples(items)
    folds_of = [i.fold for i in items if i.vectors is not None]
    fresh = []
    for fold in sorted({i.fold for i in items}):
        tuning = fit_query_tuning(MODEL, [e for e, f in zip(examples, folds_of) if f != fold])
        tuning.digest = f"fold{fold}-{os.getpid()}"
        embedder = Embedder(MODEL, query_model_path=tuned_model_dir(MODEL, tuning, MODELS))
        for qset in sets:
            if fold in qset.folds.values():
                fresh += collect(qset, embedder, log, fold)
        log(f"fold {fold}: questions read again with an encoder tuned without it")
    shutil.rmtree(MODELS, ignore_errors=True)
    return fresh


def code_commit() -> str:
    """The commit the code was fitted from, "+uncommitted" when src/ differed from it (the model is usually refit
    before the change that needs it is committed)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    changed = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "src", f":!{SHIPPED.relative_to(ROOT)}"],
                             capture_output=True, cwd=ROOT).returncode
    return commit.stdout.strip() + ("+uncommitted" if changed else "")


def summary(outcomes) -> dict:
    records = [record(o) for o in outcomes]
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    statements = sum(o.statements for o in outcomes)
    return {"questions": len(records),
            "facts_if_all_answered": mean(r["correct_if_answered"] for r in answerable),  # ranking alone
            "fact_accuracy": mean(r["correct"] for r in answerable),
            "false_abstention": mean(r["abstained"] for r in answerable),
            "abstention_recall": mean(r["abstained"] for r in unanswerable),
            "citation_support": sum(o.supported for o in outcomes) / statements if statements else 1.0}


def mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else float("nan")


def record(outcome) -> dict:
    q = outcome.item.question
    return {"id": q.id, "set": outcome.item.set_name, "fold": outcome.item.fold, "category": q.category,
            "answerable": q.answerable, "abstained": outcome.answer.abstained, "correct": outcome.correct,
            "probability": round(outcome.probability, 4), "raw": round(outcome.raw, 4),
            "correct_if_answered": outcome.correct_if_answered,
            "partial": outcome.answer.partial, "answer": outcome.answer.answer}


def by_set(result: CrossFit) -> dict:
    sets = sorted({o.item.set_name for o in result.outcomes})
    return {s: summary([o for o in result.outcomes if o.item.set_name == s]) for s in sets}


def fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, help="name=questions.jsonl:corpus_folder")
    parser.add_argument("--write", action="store_true", help="write the shipped model")
    parser.add_argument("--quick", action="store_true", help="skip the comparisons and ablation")
    parser.add_argument("--untuned-questions", action="store_true",
                        help="embed questions by the packaged model itself (the comparison without the tuning)")
    args = parser.parse_args()

    def log(message):
        print(message, flush=True)

    items, sources, sets = [], {}, []
    for spec in args.set:
        name, rest = spec.split("=", 1)
        questions_path, corpus = (Path(p) for p in rest.split(":", 1))
        qset = open_set(name, questions_path, corpus, log)
        labelled = collect(qset, None, log)
        items += labelled
        sets.append(qset)
        sources[name] = {"questions": str(questions_path), "questions_sha256": fingerprint([questions_path]),
                         "corpus": str(corpus), "documents": len(qset.paths), "question_count": len(labelled)}
    answerer = set_bot(sets[0].name, None).answerer
    examples = query_examples(items)
    if not args.untuned_questions:
        items = out_of_fold(sets, items, log)
    started = time.perf_counter()
    main_fit = cross_fit(answerer, items, progress=log)
    log(f"cross-fit in {time.perf_counter() - started:.1f} s")
    results = {"held_out": by_set(main_fit), "thresholds": main_fit.thresholds}
    log(json.dumps(results["held_out"], indent=1))
    if not args.quick:
        results["models"] = {"gradient boosting": by_set(cross_fit(answerer, items, kind="boosting"))}
        results["regularisation"] = {str(c): by_set(cross_fit(answerer, items, c=c)) for c in (0.1, 1.0, 10.0)}
        results["ablation"] = {name: by_set(cross_fit(answerer, items, columns)) for name, columns in
                               ablation_columns().items()}
        log(json.dumps({k: results[k] for k in ("models", "regularisation", "ablation")}, indent=1))
    stamp = date.today().isoformat()
    write_report(main_fit, results, stamp)
    if args.write:
        record_ = {"fitted": stamp, "code_commit": code_commit(), "sets": sources,
                   "candidates": int(sum(len(i.found.items) for i in items)),
                   "positives": int(sum(i.labels.sum() for i in items)), "model": "logistic regression",
                   "regularisation_C": REGULARISATION, "held_out": results["held_out"],
                   "refit": "make fit-selector"}
        if not args.untuned_questions:
            tuning = fit_query_tuning(MODEL, examples, {"sets": sources, "code_commit": record_["code_commit"],
                                                        "refit": "make fit-selector"})
            tuning.save(SHIPPED_TUNING)
            record_["query_tuning"] = QueryTuning.load(SHIPPED_TUNING).digest
            log(f"wrote {SHIPPED_TUNING.relative_to(ROOT)}: {record_['query_tuning']}")
        selector = shipped_selector(items, main_fit, record_)
        selector.save(SHIPPED)
        log(f"wrote {SHIPPED.relative_to(ROOT)}: threshold {selector.threshold:.3f}")


def write_report(result: CrossFit, results: dict, stamp: str) -> None:
    records = [record(o) for o in result.outcomes]
    (RESULTS / f"selector-{stamp}.json").write_text(json.dumps({**results, "outcomes": records}, indent=1),
                                                   encoding="utf-8")
    lines = [f"# Answer selector, held out ({stamp})", "", "Every figure: questions answered by a model fitted,",
             "calibrated and thresholded without their fold (evals/fit_selector.py).", ""]
    for name in sorted({r["set"] for r in records}):
        chosen = [r for r in records if r["set"] == name]
        lines += [f"## {name}", "", "### Per fold", "",
                  report.markdown_table(report.per_group_table(chosen, "fold")), "", "### Per category", "",
                  report.markdown_table(report.per_group_table(chosen, "category")), ""]
        table = report.reliability_table(np.array([r["probability"] for r in chosen]),
                                         np.array([r["correct_if_answered"] for r in chosen]))
        report.plot_reliability(table, RESULTS / f"selector-reliability-{name}-{stamp}.png",
                                f"Reliability, held out: {name}")
        curve = [{**r, "correct": r["correct_if_answered"]} for r in chosen]  # what each threshold would give
        report.plot_coverage(report.coverage_curve(curve), RESULTS / f"selector-coverage-{name}-{stamp}.png",
                             f"Coverage and accuracy, held out: {name}")
        ece = report.expected_calibration_error(np.array([r["probability"] for r in chosen]),
                                                np.array([r["correct_if_answered"] for r in chosen]))
        lines += [f"ECE {ece:.3f}",
                  ""]
    (RESULTS / f"selector-{stamp}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
