"""The index's documents: `ingest`, `docs list/show/remove`, `check`."""

import json
import sys
from pathlib import Path

import click

from evidence_bot.cli.common import (
    EXIT_PARTIAL,
    EXIT_USAGE,
    document_summary,
    fail,
    main,
    open_bot,
)
from evidence_bot.errors import SourcesError
from evidence_bot.governance.access import check_access
from evidence_bot.ingest.sources import normalise_date
from evidence_bot.models import DOC_TYPES, DocumentMeta
from evidence_bot.text.control_chars import strip_controls


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Drop indexed documents whose files are gone.")
@click.option("--type", "doc_type", type=click.Choice(DOC_TYPES), help="Override the document type.")
@click.option("--date", help="Override the date (YYYY-MM-DD or YYYY-MM).")
@click.option("--title", help="Override the title.")
@click.option("--publisher", help="Override the publisher.")
@click.option("--service", help="Override the service.")
@click.option("--url", help="Override the source address.")
@click.option("--access", help="Who may read them: public, internal (the default), restricted, group:NAME "
                               "or admin (admins only).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--ocr/--no-ocr", default=None, help="Read PDF pages without a text layer by OCR (default: on; "
                                                   "EVIDENCE_BOT_OCR).")
@click.pass_obj
def ingest(index_dir: Path | None, paths: tuple[Path, ...], prune: bool, doc_type: str | None, date: str | None,
           title: str | None, publisher: str | None, service: str | None, url: str | None, access: str | None,
           quiet: bool, ocr: bool | None) -> None:
    """Ingest files or folders (PDF, Word, Excel, CSV, PowerPoint, HTML, text, Markdown) into the index."""
    try:
        date = normalise_date(date, "--date")
        access = check_access(access) if access else None
    except (SourcesError, ValueError) as exc:
        fail(f"--access: {exc}" if isinstance(exc, ValueError) else str(exc), EXIT_USAGE)
    overrides = DocumentMeta(title, doc_type, date, publisher, service, url, access)
    bot = open_bot(index_dir, **({} if ocr is None else {"ocr": ocr}))
    report = bot.library().ingest(list(paths), overrides, prune=prune, progress=not quiet and sys.stderr.isatty())
    for line in report.warnings:  # lines quote file names and sources.yaml values: no escapes reach the terminal
        click.echo(f"Warning: {strip_controls(line)}", err=True)
    for line in report.failed:
        click.echo(f"Failed: {strip_controls(line)}", err=True)
    for line in report.pages:
        click.echo(f"Pages: {strip_controls(line)}", err=True)
    click.echo(report.summary())
    sys.exit(0 if report.ok else EXIT_PARTIAL)


@main.group()
def docs() -> None:
    """List, show or remove indexed documents."""


@docs.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def docs_list(index_dir: Path | None, as_json: bool) -> None:
    rows = open_bot(index_dir).reader().documents()
    if as_json:
        click.echo(json.dumps([document_summary(r) for r in rows], indent=2))
        return
    if not rows:
        click.echo("No documents have been ingested yet.")
    for r in rows:  # an index built before metadata was sanitised may hold escapes: never print them raw
        doc_type, date, title = (strip_controls(r[k] or "") for k in ("doc_type", "date", "title"))
        click.echo(f"{r['doc_id']}  {doc_type or '-':16} {date or '-':10}  {r['passages']:4d} passages  {title}")


@docs.command("show")
@click.argument("key")
@click.pass_obj
def docs_show(index_dir: Path | None, key: str) -> None:
    bot = open_bot(index_dir)
    row = bot.reader().document(key)
    summary = document_summary(row)
    summary["passages"] = len(bot.catalog.doc_passages(row["doc_id"]))
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


@docs.command("remove")
@click.argument("key")
@click.pass_obj
def docs_remove(index_dir: Path | None, key: str) -> None:
    bot = open_bot(index_dir)
    path = bot.library().remove_document(key)
    click.echo(f"Removed {path}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def check(index_dir: Path | None, as_json: bool) -> None:
    """Check that the catalog, the lexical index and the vector store agree (after a crash, say).

    Opening the index tidies an interrupted ingest first, as any query would. Exit 0 if all agree, 1 if not."""
    bot = open_bot(index_dir)
    recovered, result = bot.library().check()
    if as_json:
        click.echo(json.dumps({"recovered": recovered, "documents": result.documents, "passages": result.passages,
                               "problems": result.problems, "ok": result.ok}))
    else:
        for doc_id in recovered:
            click.echo(f"Recovered: document {doc_id} had an interrupted ingest; it will be processed again")
        for problem in result.problems:
            click.echo(f"Problem: {problem}")
        click.echo(f"{result.documents} documents, {result.passages} passages: "
                   f"{'the catalog, lexical index and vectors agree' if result.ok else 'NOT consistent'}")
    sys.exit(0 if result.ok else 1)
