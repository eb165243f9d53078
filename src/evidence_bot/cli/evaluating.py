"""Evaluation gates: `eval`, `eval-mapping`, `eval-verifier`."""

import json
import sys
from pathlib import Path
from typing import Any

import click

from evidence_bot.cli.common import (
    EXIT_PARTIAL,
    EXIT_USAGE,
    fail,
    main,
    open_bot,
)
from evidence_bot.config import Settings


@main.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("ingest/sample"),
              show_default=True, help="Evidence folder the questions are about; gold paths are relative to it.")
@click.option("--keep-index", type=click.Path(file_okay=False, path_type=Path),
              help="Build (or reuse) the index here instead of a fresh temporary one.")
@click.option("--peer", "with_peer", is_flag=True, help="Also measure the LangChain tutorial pipeline.")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("evals/thresholds.toml"), show_default=True)
@click.option("--results", type=click.Path(file_okay=False, path_type=Path), default=Path("evals/results"),
              show_default=True, help="Where the JSON and Markdown reports go.")
@click.option("--verifier", "verifier_labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also score the llm mode's sentence verifier on these labelled sentences (evals/verifier.jsonl), "
                   "against the [verifier] floors.")
def evaluate(questions: Path, corpus: Path, keep_index: Path | None, with_peer: bool, thresholds: Path, results: Path,
             verifier_labels: Path | None) -> None:
    """Score QUESTIONS (JSONL) on CORPUS; exit 1 when a metric misses its threshold."""
    from evidence_bot.evaluation.report import check_thresholds, missed_targets, render_text, write_report
    from evidence_bot.evaluation.session import EvalRun

    report = EvalRun(questions, corpus, keep_index, with_peer, log=lambda m: click.echo(m, err=True)).run()
    failures = check_thresholds(report, thresholds)
    json_path, md_path = write_report(report, failures, results)
    click.echo(render_text(report))
    click.echo(f"\nReports: {json_path}, {md_path}")
    if verifier_labels:
        failures += verifier_gate(verifier_labels, thresholds, results)
    for missed in missed_targets(report, thresholds):
        click.echo(f"Target not yet met: {missed}", err=True)
    for failure in failures:
        click.echo(f"FAILED: {failure}", err=True)
    sys.exit(EXIT_PARTIAL if failures else 0)


def verifier_result(labels: Path) -> dict[str, Any]:
    """The verifier scored on its labelled sentences, printed. Needs only the model, not an index."""
    from evidence_bot.evaluation.verifier_eval import evaluate_verifier
    from evidence_bot.evaluation.verifier_eval import render as render_verifier
    from evidence_bot.store.embedding import Embedder

    settings = Settings()
    embedder = Embedder(settings.model_path, settings.embedding_backend, settings.models_dir)
    result = evaluate_verifier(labels, embedder.embed, settings.verify_threshold)
    click.echo(render_verifier(result))
    return result


def verifier_gate(labels: Path, thresholds: Path, results: Path) -> list[str]:
    """`eval --verifier`: the verifier's figures, written to results and checked against [verifier.min]."""
    from evidence_bot.evaluation.report import check_thresholds

    click.echo()
    result = verifier_result(labels)
    results.mkdir(parents=True, exist_ok=True)
    (results / "verifier-latest.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    at = result["at_threshold"]
    return check_thresholds({"set": "verifier", "overall": {"precision": at["precision"], "recall": at["recall"]}},
                            thresholds)


@main.command("eval-mapping")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Evidence folder the labels' document paths are relative to.")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Exit 1 below the floors of its [mapping.min] (precision, recall, category_accuracy).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the figures as JSON.")
@click.pass_obj
def eval_mapping(index_dir: Path | None, labels: Path, corpus: Path, thresholds: Path | None,
                 output: Path | None) -> None:
    """Precision and recall of the framework mapping against hand-labelled passages (evals/mapping.jsonl)."""
    from evidence_bot.evaluation.mapping import load_labels, render, score_mapping
    from evidence_bot.evaluation.report import check_thresholds, missed_targets

    bot = open_bot(index_dir)
    report = bot.library().ingest([corpus])
    if report.failed:
        fail("; ".join(report.failed), EXIT_USAGE)
    result = score_mapping(bot, corpus, load_labels(labels))
    click.echo(render(result))
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if thresholds:
        overall = result["statements"]["overall"]
        gated = {"set": "mapping", "overall": {"precision": overall["precision"] or 0.0,
                                               "recall": overall["recall"] or 0.0,
                                               "category_accuracy": result["categories"]["accuracy"] or 0.0}}
        for missed in missed_targets(gated, thresholds):
            click.echo(f"target missed: {missed}")
        failures = check_thresholds(gated, thresholds)
        if failures:
            fail("mapping " + "; ".join(failures), EXIT_PARTIAL)


@main.command("eval-verifier")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--min-precision", type=float, default=0.0, show_default=True, help="Exit 1 below this.")
@click.option("--min-recall", type=float, default=0.0, show_default=True, help="Exit 1 below this.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the figures as JSON.")
def eval_verifier(labels: Path, min_precision: float, min_recall: float, output: Path | None) -> None:
    """The generated-answer verifier alone against hand-labelled sentences (evals/verifier.jsonl)."""
    result = verifier_result(labels)
    now = result["at_threshold"]
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if now["precision"] < min_precision or now["recall"] < min_recall:
        fail(f"verifier precision {now['precision']} / recall {now['recall']} below the floors "
             f"{min_precision} / {min_recall}", EXIT_PARTIAL)
