"""Readiness work: `gaps`, `map`, `correct-mapping`, `claims`, `brief`."""

from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, Unpack, get_args

import click

from evidence_bot.cli.common import EXIT_USAGE, FilterArgs, fail, filter_options, main, make_filters, open_bot
from evidence_bot.evidence.claims import ClaimStatus

if TYPE_CHECKING:  # the modules themselves load only when their command runs
    from evidence_bot.evidence.claims_report import ClaimsFormat
    from evidence_bot.evidence.frameworks.export import MappingFormat
    from evidence_bot.evidence.frameworks.report import GapsFormat


@main.command()
@click.option("--framework", default="cqc-la", show_default=True, help="cqc-la, ofsted-ilacs or a council's own.")
@click.option("--format", "fmt", type=click.Choice(["table", "md", "html", "csv", "json"]), default="table",
              show_default=True)
@click.option("--as-of", "as_of", help="Judge how recent the evidence is on this day (YYYY-MM-DD; default today).")
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.pass_obj
def gaps(index_dir: Path | None, framework: str, fmt: "GapsFormat", as_of: str | None, output: IO[str]) -> None:
    """Per statement: how much evidence, of which kinds, how recent, corroborated or not, and a RAG rating."""
    from datetime import date

    from evidence_bot.evidence.frameworks.report import render_gaps

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of '{as_of}' is not a date (YYYY-MM-DD)", EXIT_USAGE)
    bot = open_bot(index_dir)
    report = bot.reader().gaps(framework, day)
    output.write(render_gaps(report, fmt) + ("" if fmt in ("csv", "json", "md", "html") else "\n"))


@main.command("map")
@click.option("--framework", help="Only this framework (default: every one).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.pass_obj
def map_passages(index_dir: Path | None, framework: str | None, fmt: "MappingFormat", output: IO[str]) -> None:
    """Per passage: the statements it is filed under (with probabilities), its category and whose words it holds."""
    from evidence_bot.evidence.frameworks.export import render_mapping

    bot = open_bot(index_dir)
    records = bot.reader().mapping_records(framework)
    output.write(render_mapping(records, fmt))
    click.echo(f"{len(records)} passages", err=True)


@main.command("correct-mapping")
@click.argument("passage_id")
@click.option("--framework", default="cqc-la", show_default=True)
@click.option("--statement", "statements", multiple=True,
              help="A statement id to file the passage under, best first (repeatable; none: it evidences none).")
@click.option("--category", help="Its evidence category (people, staff, partners, processes, outcomes).")
@click.option("--note", default="", help="Why, for whoever reads the corrections file next.")
@click.pass_obj
def correct_mapping(index_dir: Path | None, passage_id: str, framework: str, statements: tuple[str, ...],
                    category: str | None, note: str) -> None:
    """File a passage under other statements. Kept in the corrections file, so it survives re-ingest and refits."""
    bot = open_bot(index_dir)
    correction = bot.library().correct_mapping(passage_id, framework, list(statements), category, note=note)
    click.echo(f"{passage_id}: {framework} {', '.join(correction.statements) or 'no statement'} "
               f"(kept in {bot.settings.corrections_path})")


@main.command()
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(get_args(ClaimStatus)),
              help="Only claims with this status (repeatable; default all).")
@click.option("--format", "fmt", type=click.Choice(["table", "md", "json", "csv"]), default="table", show_default=True)
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.pass_obj
def claims(index_dir: Path | None, statuses: tuple[ClaimStatus, ...], fmt: "ClaimsFormat", output: IO[str]) -> None:
    """The self-assessment's checkable claims and what other documents say about each."""
    from evidence_bot.evidence.claims_report import render_claims

    bot = open_bot(index_dir)
    found = bot.reader().claims()
    output.write(render_claims([c for c in found if not statuses or c.status in statuses], fmt))


@main.command()
@click.argument("topic")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default="docx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default briefing-<topic>.docx or .md in the current folder).")
@filter_options
@click.pass_obj
def brief(index_dir: Path | None, /, topic: str, fmt: Literal["docx", "md"], output: Path | None,
          **filter_args: Unpack[FilterArgs]) -> None:
    """A short briefing on TOPIC for a meeting: key facts with footnoted sources, and open questions."""
    from evidence_bot.evidence.briefing import as_markdown, slug
    from evidence_bot.evidence.briefing_docx import briefing_docx

    bot = open_bot(index_dir)
    briefing = bot.reader().brief(topic, make_filters(**filter_args))
    output = output or Path(f"briefing-{slug(topic)}.{fmt}")
    if fmt == "docx":
        output.write_bytes(briefing_docx(briefing))
    else:
        output.write_text(as_markdown(briefing), encoding="utf-8")
    click.echo(f"{output}: {len(briefing.facts)} facts from {len(briefing.sources)} sources, "
               f"{len(briefing.questions)} open questions")
