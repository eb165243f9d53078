"""The command group and what every command shares: opening the index, filters, errors to exit codes.

Exit codes: 0 success; 1 some input failed (the rest was processed), or another
ingest held the index (nothing was written); 2 usage error; 3 nothing to answer
from (empty index) or not found."""

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypedDict, TypeVar

import click

from evidence_bot.config import Settings
from evidence_bot.errors import EmptyIndexError, EvidenceBotError, NotFoundError
from evidence_bot.models import DOC_TYPES, Filters
from evidence_bot.service import EvidenceBot
from evidence_bot.store.index_lock import IndexBusyError
from evidence_bot.text.control_chars import strip_controls

EXIT_PARTIAL, EXIT_USAGE, EXIT_EMPTY = 1, 2, 3
PARTIAL = "Only part of what you asked is in the evidence."  # an answer's `partial`; the chat page says the same
F = TypeVar("F", bound=Callable[..., Any])


def settings_for(index_dir: Path | None, **overrides: Any) -> Settings:
    """The settings every command runs with: the environment's, with --index and a command's own options."""
    index: dict[str, Any] = {"index_dir": index_dir} if index_dir else {}
    return Settings(**index, **overrides)


def open_bot(index_dir: Path | None, **overrides: Any) -> EvidenceBot:
    return EvidenceBot(settings_for(index_dir, **overrides))


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def exit_code(error: EvidenceBotError) -> int:
    """A core error's exit code, the same for every command (as the HTTP edge gives each one status)."""
    if isinstance(error, EmptyIndexError | NotFoundError):
        return EXIT_EMPTY
    if isinstance(error, IndexBusyError):  # nothing was written: the input failed as a whole; run it again
        return EXIT_PARTIAL
    return EXIT_USAGE


class Commands(click.Group):
    """The command group: a core error raised by any command becomes its message and exit code here, once."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvidenceBotError as error:
            fail(str(error), exit_code(error))


class FilterArgs(TypedDict):
    """The options filter_options adds to a command, as click passes them."""
    doc_type: tuple[str, ...]
    service: tuple[str, ...]
    publisher: tuple[str, ...]
    document: tuple[str, ...]
    date_from: str | None
    date_to: str | None


def filter_options(command: F) -> F:
    for option in reversed([
        click.option("--type", "doc_type", multiple=True, type=click.Choice(DOC_TYPES),
                     help="Only this document type."),
        click.option("--service", multiple=True, help="Only this service (adults, children, ...)."),
        click.option("--publisher", multiple=True, help="Only this publisher."),
        click.option("--document", multiple=True, help="Only this document (id or path)."),
        click.option("--from", "date_from", help="Only documents dated on or after YYYY-MM-DD."),
        click.option("--to", "date_to", help="Only documents dated on or before YYYY-MM-DD."),
    ]):
        command = option(command)
    return command


def make_filters(doc_type: tuple[str, ...], service: tuple[str, ...], publisher: tuple[str, ...],
                 document: tuple[str, ...], date_from: str | None, date_to: str | None) -> Filters:
    return Filters(list(doc_type), list(service), list(publisher), list(document), date_from, date_to)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index_dir", type=click.Path(path_type=Path), envvar="EVIDENCE_BOT_INDEX_DIR",
              help="Index folder (default ./index, or $EVIDENCE_BOT_INDEX_DIR).")
@click.pass_context
def main(ctx: click.Context, index_dir: Path | None) -> None:
    """Answer questions over council inspection evidence, with cited passages."""
    ctx.obj = index_dir


def document_summary(row: sqlite3.Row) -> dict[str, Any]:
    keys = ("doc_id", "path", "title", "doc_type", "date", "publisher", "service", "url", "access", "format",
            "page_count", "content_hash", "ingested_at")
    summary = {k: strip_controls(row[k]) if isinstance(row[k], str) else row[k] for k in keys}
    if "passages" in row.keys():
        summary["passages"] = row["passages"]
    return summary
