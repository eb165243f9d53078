"""What the service keeps about its use: `audit` and `feedback` exports."""

import json
from pathlib import Path
from typing import IO, Literal

import click

from evidence_bot.cli.common import (
    EXIT_EMPTY,
    fail,
    main,
    settings_for,
)
from evidence_bot.ingest.sources import normalise_date


@main.group()
def audit() -> None:
    """The audit log: who asked or looked at what, and which passages they were shown."""


@audit.command("export")
@click.option("--since", help="Events on or after this day (YYYY-MM-DD).")
@click.option("--who", help="One token's name.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.pass_obj
def audit_export(index_dir: Path | None, since: str | None, who: str | None, fmt: Literal["csv", "json"]) -> None:
    """Every event kept (newest first), for a records or FOI request."""
    from evidence_bot.governance.audit import AuditLog, as_csv

    settings = settings_for(index_dir)
    since = normalise_date(since, "--since") if since else None
    log = AuditLog(settings.audit_path, settings.audit_retention_days)
    events = log.events(since, who, limit=10_000_000)
    click.echo(as_csv(events) if fmt == "csv" else json.dumps(events, indent=2, ensure_ascii=False), nl=False)


@audit.command("purge")
@click.pass_obj
def audit_purge(index_dir: Path | None) -> None:
    """Delete events older than EVIDENCE_BOT_AUDIT_RETENTION_DAYS now (the service also does it daily)."""
    from evidence_bot.governance.audit import AuditLog

    settings = settings_for(index_dir)
    log = AuditLog(settings.audit_path, settings.audit_retention_days, purge_on_open=False)
    click.echo(f"Kept {settings.audit_retention_days} days; deleted {log.purge()} older events.")


@main.group()
def feedback() -> None:
    """The answer log and the thumbs up/down given on the chat page or through the API."""


@feedback.command("export")
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.pass_obj
def feedback_export(index_dir: Path | None, output: IO[str], fmt: Literal["jsonl", "csv"]) -> None:
    """Every piece of feedback with the question, the answer and its citations, oldest first."""
    from evidence_bot.governance.feedback import FeedbackStore, to_csv

    settings = settings_for(index_dir)
    if not settings.feedback_path.exists():
        fail(f"no feedback has been recorded in {settings.index_dir} yet", EXIT_EMPTY)
    records = FeedbackStore(settings.feedback_path).export()
    if fmt == "csv":
        output.write(to_csv(records))
    else:
        for record in records:
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
    click.echo(f"{len(records)} feedback records", err=True)
