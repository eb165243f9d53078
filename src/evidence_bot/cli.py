"""The command line: a thin edge over EvidenceBot. Core errors become messages and exit codes here.

Exit codes: 0 success; 1 some input failed (the rest was processed), or another
ingest held the index (nothing was written); 2 usage error; 3 nothing to answer
from (empty index) or not found."""

import json
import os
import sys
import time
from pathlib import Path
from typing import get_args

import click

from evidence_bot.access import check_access
from evidence_bot.claims import ClaimStatus
from evidence_bot.config import Settings
from evidence_bot.control_chars import strip_controls
from evidence_bot.errors import EmptyIndexError, EvidenceBotError, NotFoundError, SourcesError
from evidence_bot.index_lock import IndexBusyError
from evidence_bot.models import DOC_TYPES, Answer, DocumentMeta, Filters
from evidence_bot.service import EvidenceBot
from evidence_bot.sources import normalise_date

EXIT_PARTIAL, EXIT_EMPTY = 1, 3
PARTIAL = "Only part of what you asked is in the evidence."  # an answer's `partial`; the chat page says the same


def open_bot(index_dir: Path | None, **settings) -> EvidenceBot:
    return EvidenceBot(Settings(**({"index_dir": index_dir} if index_dir else {}), **settings))


def fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def filter_options(command):
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


def make_filters(doc_type, service, publisher, document, date_from, date_to) -> Filters:
    return Filters(list(doc_type), list(service), list(publisher), list(document), date_from, date_to)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index", "index_dir", type=click.Path(path_type=Path), envvar="EVIDENCE_BOT_INDEX_DIR",
              help="Index folder (default ./index, or $EVIDENCE_BOT_INDEX_DIR).")
@click.pass_context
def main(ctx, index_dir):
    """Answer questions over council inspection evidence, with cited passages."""
    ctx.obj = index_dir


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
def ingest(index_dir, paths, prune, doc_type, date, title, publisher, service, url, access, quiet, ocr):
    """Ingest files or folders (PDF, Word, Excel, CSV, PowerPoint, HTML, text, Markdown) into the index."""
    try:
        date = normalise_date(date, "--date")
        access = check_access(access) if access else None
    except (SourcesError, ValueError) as exc:
        fail(f"--access: {exc}" if isinstance(exc, ValueError) else str(exc), 2)
    overrides = DocumentMeta(title, doc_type, date, publisher, service, url, access)
    bot = open_bot(index_dir, **({} if ocr is None else {"ocr": ocr}))
    try:
        report = bot.ingest(list(paths), overrides, prune=prune, progress=not quiet and sys.stderr.isatty())
    except IndexBusyError as exc:  # nothing was written: the input failed as a whole, and can simply be run again
        fail(str(exc), EXIT_PARTIAL)
    for line in report.warnings:  # lines quote file names and sources.yaml values: no escapes reach the terminal
        click.echo(f"Warning: {strip_controls(line)}", err=True)
    for line in report.failed:
        click.echo(f"Failed: {strip_controls(line)}", err=True)
    for line in report.pages:
        click.echo(f"Pages: {strip_controls(line)}", err=True)
    click.echo(report.summary())
    sys.exit(0 if report.ok else EXIT_PARTIAL)


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--history", multiple=True, help="An earlier question of the conversation (repeatable, oldest first).")
@click.option("--batch", type=click.File("r"), help="JSONL of {id, question, history}; one answer per line.")
@click.option("--output", type=click.File("w"), default="-", help="Where --batch writes (default stdout).")
@filter_options
@click.pass_obj
def ask(index_dir, question, as_json, history, batch, output, **filter_args):
    """Answer QUESTION with cited passages, or say that the evidence does not answer it."""
    if bool(question) == bool(batch):
        fail("give either a QUESTION or --batch FILE", 2)
    bot = open_bot(index_dir)
    filters = make_filters(**filter_args)
    try:
        if batch:
            failures = run_batch(bot, batch, output, filters)
            sys.exit(EXIT_PARTIAL if failures else 0)
        answer = bot.ask(question, list(history), filters)
    except EmptyIndexError as exc:
        fail(str(exc), EXIT_EMPTY)
    except EvidenceBotError as exc:
        fail(str(exc), 2)
    click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if as_json else render(answer))


def run_batch(bot: EvidenceBot, lines, output, filters: Filters) -> int:
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
            answer = bot.ask(item["question"], history, filters)
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
def chat(index_dir, **filter_args):
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
            answer = bot.ask(question, history, filters)
        except EmptyIndexError as exc:
            fail(str(exc), EXIT_EMPTY)
        except EvidenceBotError as exc:
            click.echo(f"Error: {exc}", err=True)
            continue
        history.append(question)
        click.echo(render(answer) + "\n")


@main.group()
def docs():
    """List, show or remove indexed documents."""


@docs.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def docs_list(index_dir, as_json):
    rows = open_bot(index_dir).documents()
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
def docs_show(index_dir, key):
    bot = open_bot(index_dir)
    try:
        row = bot.document(key)
    except NotFoundError as exc:
        fail(str(exc), EXIT_EMPTY)
    summary = document_summary(row)
    summary["passages"] = len(bot.catalog.doc_passages(row["doc_id"]))
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


@docs.command("remove")
@click.argument("key")
@click.pass_obj
def docs_remove(index_dir, key):
    bot = open_bot(index_dir)
    try:
        path = bot.remove_document(key)
    except NotFoundError as exc:
        fail(str(exc), EXIT_EMPTY)
    click.echo(f"Removed {path}")


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
def evaluate(questions, corpus, keep_index, with_peer, thresholds, results, verifier_labels):
    """Score QUESTIONS (JSONL) on CORPUS; exit 1 when a metric misses its threshold."""
    from evidence_bot.evaluation.report import check_thresholds, missed_targets, render_text, write_report
    from evidence_bot.evaluation.session import EvalRun

    try:
        report = EvalRun(questions, corpus, keep_index, with_peer, log=lambda m: click.echo(m, err=True)).run()
    except EvidenceBotError as exc:
        fail(str(exc), 2)
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


def verifier_result(labels: Path) -> dict:
    """The verifier scored on its labelled sentences, printed. Needs only the model, not an index."""
    from evidence_bot.embedding import Embedder
    from evidence_bot.evaluation.verifier_eval import evaluate_verifier
    from evidence_bot.evaluation.verifier_eval import render as render_verifier

    settings = Settings()
    try:
        embedder = Embedder(settings.model_path, settings.embedding_backend, settings.models_dir)
        result = evaluate_verifier(labels, embedder.embed, settings.verify_threshold)
    except EvidenceBotError as exc:
        fail(str(exc), 2)
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--ingest-if-empty", "seed", type=click.Path(exists=True, path_type=Path),
              help="Ingest this folder first when the index holds no documents (the README's sample set).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes. More than one needs a Chroma server (EVIDENCE_BOT_CHROMA_URL, make chroma).")
@click.pass_obj
def serve(index_dir, host, port, seed, workers):
    """Start the HTTP service and the chat page."""
    import uvicorn

    from evidence_bot.server import create_app

    bot = open_bot(index_dir)
    if workers > 1 and not bot.settings.chroma_url:
        fail("--workers above 1 needs a Chroma server (EVIDENCE_BOT_CHROMA_URL; `make chroma` starts one): the "
             "embedded vector store belongs to one process", 2)
    refuse_open_network(bot.settings, host)
    if seed and bot.catalog.count_documents() == 0:
        click.echo(f"The index is empty: ingesting {seed} first.")
        report = bot.ingest([seed], progress=sys.stderr.isatty())
        click.echo(report.summary())
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    click.echo(f"evidence_bot: {bot.catalog.count_documents()} documents in {bot.settings.index_dir}\n"
               f"Open http://{shown}:{port}/ for the chat page, http://{shown}:{port}/docs for the API. Ctrl-C stops.")
    # h11, not httptools: httptools (0.9) reads a header of any size, and took 3.4 s over a 50 MB one while every
    # other request waited; h11 stops at the bound and answers 400 (docs/deployment.md, "Bounds").
    options = {"host": host, "port": port, "log_level": "warning", "http": "h11",
               "h11_max_incomplete_event_size": bot.settings.max_header_bytes}
    if workers == 1:
        uvicorn.run(create_app(bot=bot), **options)
        return
    # Each worker builds its own app from the environment: the same index, Chroma server and authentication.
    os.environ["EVIDENCE_BOT_INDEX_DIR"] = str(bot.settings.index_dir)
    os.environ["EVIDENCE_BOT_REQUIRE_AUTHENTICATION"] = str(bot.settings.require_authentication).lower()
    bot.close()
    uvicorn.run("evidence_bot.server:create_app", factory=True, workers=workers, **options)


def refuse_open_network(settings: Settings, host: str) -> None:
    """With no API tokens every document is open to whoever connects: that is for loopback only. The app itself
    also refuses anything but its own machine then (server/guard.py); this refusal says so before it starts. A host
    is loopback by the guard's own rule (127.0.0.2 and ::ffff:127.0.0.1 are)."""
    from evidence_bot.access import TokenStore
    from evidence_bot.server.guard import is_loopback  # serve imports the server anyway

    store = TokenStore(settings.access_path)
    if store.ever_issued():  # on for good once a token was issued: revoking the last one closes the service
        click.echo("Authentication is on: every request needs an API token (evidence-bot tokens list).")
        if not store.active():
            click.echo("WARNING: every token has been revoked, so every request will be refused until "
                       "`evidence-bot tokens create` issues one.", err=True)
        settings.require_authentication = True
        return
    if is_loopback(host):
        click.echo("Authentication is off (no API tokens issued): listening on loopback only, and answering only "
                   "requests from this machine with no proxy in between. `evidence-bot tokens create` turns it on.")
        return
    if not settings.allow_unauthenticated_network_access:
        fail(f"refusing to listen on {host} without authentication: every document, restricted ones included, "
             "would be open to anyone who can reach it. Issue a token with `evidence-bot tokens create`, or set "
             "EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS=true if you really mean it.", 2)
    click.echo(f"WARNING: listening on {host} WITHOUT AUTHENTICATION "
               "(EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS is set).", err=True)


@main.group()
def tokens():
    """API tokens: who may use the service, with which role and groups."""


@tokens.command("create")
@click.option("--name", required=True, help="Whose token it is or what it is for.")
@click.option("--role", type=click.Choice(["reader", "admin"]), default="reader", show_default=True)
@click.option("--groups", default="", help="Comma-separated groups: 'restricted' reads restricted documents, NAME "
              "reads documents whose access is group:NAME.")
@click.pass_obj
def tokens_create(index_dir, name, role, groups):
    """Issue a token. It is shown once: only its hash is kept."""
    from evidence_bot.access import TokenStore

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    try:
        token_id, token = TokenStore(settings.access_path).create(
            name, role, [g.strip() for g in groups.split(",") if g.strip()])
    except EvidenceBotError as exc:
        fail(str(exc), 2)
    click.echo(f"Token {token_id} for {name} ({role}). Copy it now; it cannot be shown again:\n{token}")


@tokens.command("list")
@click.pass_obj
def tokens_list(index_dir):
    from evidence_bot.access import TokenStore

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    for t in TokenStore(settings.access_path).list():
        state = f"revoked {t['revoked_at']}" if t["revoked_at"] else "active"
        click.echo(f"{t['id']:4d}  {t['role']:6} {state:32} groups: {','.join(t['groups']) or '-':20} {t['name']}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def tokens_revoke(index_dir, token_id):
    from evidence_bot.access import TokenStore

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    store = TokenStore(settings.access_path)
    try:
        store.revoke(token_id)
    except NotFoundError as exc:
        fail(str(exc), EXIT_EMPTY)
    click.echo(f"Revoked token {token_id}.")
    if not store.active():  # authentication stays on (TokenStore.ever_issued): the service is closed, not open
        click.echo("That was the last active token: every request is refused until `evidence-bot tokens create` "
                   "issues another.")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def check(index_dir, as_json):
    """Check that the catalog, the lexical index and the vector store agree (after a crash, say).

    Opening the index tidies an interrupted ingest first, as any query would. Exit 0 if all agree, 1 if not."""
    bot = open_bot(index_dir)
    recovered, result = bot.check()
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


@main.group()
def audit():
    """The audit log: who asked or looked at what, and which passages they were shown."""


@audit.command("export")
@click.option("--since", help="Events on or after this day (YYYY-MM-DD).")
@click.option("--who", help="One token's name.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.pass_obj
def audit_export(index_dir, since, who, fmt):
    """Every event kept (newest first), for a records or FOI request."""
    from evidence_bot.audit import AuditLog, as_csv

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    try:
        since = normalise_date(since, "--since") if since else None
    except SourcesError as exc:
        fail(str(exc), 2)
    log = AuditLog(settings.audit_path, settings.audit_retention_days)
    events = log.events(since, who, limit=10_000_000)
    click.echo(as_csv(events) if fmt == "csv" else json.dumps(events, indent=2, ensure_ascii=False), nl=False)


@audit.command("purge")
@click.pass_obj
def audit_purge(index_dir):
    """Delete events older than EVIDENCE_BOT_AUDIT_RETENTION_DAYS now (the service also does it daily)."""
    from evidence_bot.audit import AuditLog

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    log = AuditLog(settings.audit_path, settings.audit_retention_days, purge_on_open=False)
    click.echo(f"Kept {settings.audit_retention_days} days; deleted {log.purge()} older events.")


@main.group()
def feedback():
    """The answer log and the thumbs up/down given on the chat page or through the API."""


@feedback.command("export")
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.pass_obj
def feedback_export(index_dir, output, fmt):
    """Every piece of feedback with the question, the answer and its citations, oldest first."""
    from evidence_bot.feedback import FeedbackStore, to_csv

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    if not settings.feedback_path.exists():
        fail(f"no feedback has been recorded in {settings.index_dir} yet", EXIT_EMPTY)
    records = FeedbackStore(settings.feedback_path).export()
    if fmt == "csv":
        output.write(to_csv(records))
    else:
        for record in records:
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
    click.echo(f"{len(records)} feedback records", err=True)


@main.command()
@click.option("--framework", default="cqc-la", show_default=True, help="cqc-la, ofsted-ilacs or a council's own.")
@click.option("--format", "fmt", type=click.Choice(["table", "md", "html", "csv", "json"]), default="table",
              show_default=True)
@click.option("--as-of", "as_of", help="Judge how recent the evidence is on this day (YYYY-MM-DD; default today).")
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.pass_obj
def gaps(index_dir, framework, fmt, as_of, output):
    """Per statement: how much evidence, of which kinds, how recent, corroborated or not, and a RAG rating."""
    from datetime import date

    from evidence_bot.frameworks.report import render_gaps

    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of '{as_of}' is not a date (YYYY-MM-DD)", 2)
    bot = open_bot(index_dir)
    try:
        report = bot.gaps(framework, day)
    except EmptyIndexError as exc:
        fail(str(exc), EXIT_EMPTY)
    except NotFoundError as exc:
        fail(str(exc), 2)
    output.write(render_gaps(report, fmt) + ("" if fmt in ("csv", "json", "md", "html") else "\n"))


@main.command("map")
@click.option("--framework", help="Only this framework (default: every one).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.pass_obj
def map_passages(index_dir, framework, fmt, output):
    """Per passage: the statements it is filed under (with probabilities), its category and whose words it holds."""
    from evidence_bot.frameworks.export import render_mapping

    bot = open_bot(index_dir)
    try:
        records = bot.mapping_records(framework)
    except EmptyIndexError as exc:
        fail(str(exc), EXIT_EMPTY)
    except NotFoundError as exc:
        fail(str(exc), 2)
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
def correct_mapping(index_dir, passage_id, framework, statements, category, note):
    """File a passage under other statements. Kept in the corrections file, so it survives re-ingest and refits."""
    bot = open_bot(index_dir)
    try:
        correction = bot.correct_mapping(passage_id, framework, list(statements), category, note=note)
    except NotFoundError as exc:
        fail(str(exc), EXIT_EMPTY)
    except EvidenceBotError as exc:
        fail(str(exc), 2)
    click.echo(f"{passage_id}: {framework} {', '.join(correction.statements) or 'no statement'} "
               f"(kept in {bot.settings.corrections_path})")


@main.command()
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(get_args(ClaimStatus)),
              help="Only claims with this status (repeatable; default all).")
@click.option("--format", "fmt", type=click.Choice(["table", "md", "json", "csv"]), default="table", show_default=True)
@click.option("--output", type=click.File("w"), default="-", help="Where to write (default stdout).")
@click.pass_obj
def claims(index_dir, statuses, fmt, output):
    """The self-assessment's checkable claims and what other documents say about each."""
    from evidence_bot.claims_report import render_claims

    bot = open_bot(index_dir)
    try:
        found = bot.claims()
    except EmptyIndexError as exc:
        fail(str(exc), EXIT_EMPTY)
    output.write(render_claims([c for c in found if not statuses or c.status in statuses], fmt))


@main.command()
@click.argument("topic")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default="docx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default briefing-<topic>.docx or .md in the current folder).")
@filter_options
@click.pass_obj
def brief(index_dir, topic, fmt, output, **filter_args):
    """A short briefing on TOPIC for a meeting: key facts with footnoted sources, and open questions."""
    from evidence_bot.briefing import as_markdown, slug
    from evidence_bot.briefing_docx import briefing_docx

    bot = open_bot(index_dir)
    try:
        briefing = bot.brief(topic, make_filters(**filter_args))
    except EmptyIndexError as exc:
        fail(str(exc), EXIT_EMPTY)
    except EvidenceBotError as exc:
        fail(str(exc), 2)
    output = output or Path(f"briefing-{slug(topic)}.{fmt}")
    if fmt == "docx":
        output.write_bytes(briefing_docx(briefing))
    else:
        output.write_text(as_markdown(briefing), encoding="utf-8")
    click.echo(f"{output}: {len(briefing.facts)} facts from {len(briefing.sources)} sources, "
               f"{len(briefing.questions)} open questions")


@main.command("eval-mapping")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Evidence folder the labels' document paths are relative to.")
@click.option("--thresholds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Exit 1 below the floors of its [mapping.min] (precision, recall, category_accuracy).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the figures as JSON.")
@click.pass_obj
def eval_mapping(index_dir, labels, corpus, thresholds, output):
    """Precision and recall of the framework mapping against hand-labelled passages (evals/mapping.jsonl)."""
    from evidence_bot.evaluation.mapping import load_labels, render, score_mapping
    from evidence_bot.evaluation.report import check_thresholds, missed_targets

    bot = open_bot(index_dir)
    try:
        report = bot.ingest([corpus])
        if report.failed:
            fail("; ".join(report.failed), 2)
        result = score_mapping(bot, corpus, load_labels(labels))
    except EvidenceBotError as exc:
        fail(str(exc), 2)
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
def eval_verifier(labels, min_precision, min_recall, output):
    """The generated-answer verifier alone against hand-labelled sentences (evals/verifier.jsonl)."""
    result = verifier_result(labels)
    now = result["at_threshold"]
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if now["precision"] < min_precision or now["recall"] < min_recall:
        fail(f"verifier precision {now['precision']} / recall {now['recall']} below the floors "
             f"{min_precision} / {min_recall}", EXIT_PARTIAL)


def document_summary(row) -> dict:
    keys = ("doc_id", "path", "title", "doc_type", "date", "publisher", "service", "url", "access", "format",
            "page_count", "content_hash", "ingested_at")
    summary = {k: strip_controls(row[k]) if isinstance(row[k], str) else row[k] for k in keys}
    if "passages" in row.keys():
        summary["passages"] = row["passages"]
    return summary


if __name__ == "__main__":
    main()
