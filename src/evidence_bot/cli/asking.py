"""Questions: `ask` (one, or a batch) and `chat`, and how an answer is printed."""

import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Unpack

import click

from evidence_bot.cli.common import (
    EXIT_EMPTY,
    EXIT_PARTIAL,
    EXIT_USAGE,
    PARTIAL,
    FilterArgs,
    fail,
    filter_options,
    main,
    make_filters,
    open_bot,
)
from evidence_bot.errors import EmptyIndexError, EvidenceBotError
from evidence_bot.models import Answer, Filters
from evidence_bot.service import EvidenceBot


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--history", multiple=True, help="An earlier question of the conversation (repeatable, oldest first).")
@click.option("--batch", type=click.File("r"), help="JSONL of {id, question, history}; one answer per line.")
@click.option("--output", type=click.File("w"), default="-", help="Where --batch writes (default stdout).")
@filter_options
@click.pass_obj
def ask(index_dir: Path | None, /, question: str | None, as_json: bool, history: tuple[str, ...],
        batch: IO[str] | None, output: IO[str], **filter_args: Unpack[FilterArgs]) -> None:
    """Answer QUESTION with cited passages, or say that the evidence does not answer it."""
    if bool(question) == bool(batch):
        fail("give either a QUESTION or --batch FILE", EXIT_USAGE)
    bot = open_bot(index_dir)
    filters = make_filters(**filter_args)
    if batch:
        failures = run_batch(bot, batch, output, filters)
        sys.exit(EXIT_PARTIAL if failures else 0)
    assert question  # exactly one of QUESTION and --batch was given (checked above), and it was not --batch
    answer = bot.reader().ask(question, list(history), filters)
    click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if as_json else render(answer))


def run_batch(bot: EvidenceBot, lines: Iterable[str], output: IO[str], filters: Filters) -> int:
    """One model load for every question; a bad line is reported and skipped."""
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError("each line needs a string 'question'")
            history = [h for h in item.get("history") or [] if isinstance(h, str)]
            started = time.perf_counter()
            answer = bot.reader().ask(item["question"], history, filters)
        except EmptyIndexError:
            raise
        except (ValueError, EvidenceBotError) as exc:
            click.echo(f"Failed: line {number}: {exc}", err=True)
            failures += 1
            continue
        record = {"id": str(item.get("id", number)), **answer.to_dict(),
                  "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
        output.write(json.dumps(record, ensure_ascii=False) + "\n")
        output.flush()
    return failures


def render(answer: Answer) -> str:
    """An answer and its sources, readable in a terminal."""
    if answer.abstained:
        return click.style(answer.answer, fg="yellow")
    lines = [answer.answer] + (["", PARTIAL] if answer.partial else []) + ["", click.style("Sources", bold=True)]
    for c in answer.citations:
        where = ", ".join(filter(None, [c.doc_type, c.date, f"page {c.page}" if c.page else None]))
        lines.append(f"[{c.n}] {c.title} ({where})")
        if c.section:
            lines.append(f"    Section: {c.section}")
        if c.ocr:
            lines.append(f"    Read from a scan by OCR (confidence {c.ocr_confidence:.0%}): check the original")
        if c.also_in:
            lines.append(f"    Same passage also in {len(c.also_in)} other rendition(s): {', '.join(c.also_in)}")
    return "\n".join(lines + verification_lines(answer))


def verification_lines(answer: Answer) -> list[str]:
    """The llm mode: that the answer was generated and checked, why it fell back, and what was removed."""
    lines = ["", "Written by a language model; every sentence was checked against the passage it cites."] \
        if answer.mode == "llm" else []
    if answer.note:
        lines += ["", f"Note: {answer.note}."]
    if answer.removed:
        lines += ["", click.style("Removed", bold=True)] + [f"- “{r['sentence']}” — {r['reason']}"
                                                             for r in answer.removed]
    return lines


@main.command()
@filter_options
@click.pass_obj
def chat(index_dir: Path | None, /, **filter_args: Unpack[FilterArgs]) -> None:
    """Interactive chat with follow-up questions. Type 'new' to start over, 'quit' to leave."""
    bot = open_bot(index_dir)
    filters = make_filters(**filter_args)
    history: list[str] = []
    click.echo("Ask about the evidence. Follow-up questions use the conversation so far. "
               "'new' starts a new conversation; 'quit' or Ctrl-D leaves.")
    while True:
        try:
            question = click.prompt(click.style("You", bold=True), prompt_suffix="> ").strip()
        except (EOFError, click.Abort):
            click.echo()
            return
        if question.lower() in {"quit", "exit", ":q"}:
            return
        if question.lower() in {"new", "/new", "reset"}:
            history.clear()
            click.echo("New conversation.")
            continue
        try:
            answer = bot.reader().ask(question, history, filters)
        except EmptyIndexError as exc:
            fail(str(exc), EXIT_EMPTY)
        except EvidenceBotError as exc:
            click.echo(f"Error: {exc}", err=True)
            continue
        history.append(question)
        click.echo(render(answer) + "\n")
