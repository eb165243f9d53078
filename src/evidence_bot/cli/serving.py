"""The service: `serve` (refusing an open network without tokens) and `tokens`."""

import os
import sys
from pathlib import Path
from typing import Any, Literal

import click

from evidence_bot.cli.common import (
    EXIT_USAGE,
    fail,
    main,
    open_bot,
    settings_for,
)
from evidence_bot.config import Settings


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--ingest-if-empty", "seed", type=click.Path(exists=True, path_type=Path),
              help="Ingest this folder first when the index holds no documents (the README's sample set).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes. More than one needs a Chroma server (EVIDENCE_BOT_CHROMA_URL, make chroma).")
@click.pass_obj
def serve(index_dir: Path | None, host: str, port: int, seed: Path | None, workers: int) -> None:
    """Start the HTTP service and the chat page."""
    import uvicorn

    from evidence_bot.server import create_app

    bot = open_bot(index_dir)
    if workers > 1 and not bot.settings.chroma_url:
        fail("--workers above 1 needs a Chroma server (EVIDENCE_BOT_CHROMA_URL; `make chroma` starts one): the "
             "embedded vector store belongs to one process", EXIT_USAGE)
    refuse_open_network(bot.settings, host)
    if seed and bot.catalog.count_documents() == 0:
        click.echo(f"The index is empty: ingesting {seed} first.")
        report = bot.library().ingest([seed], progress=sys.stderr.isatty())
        click.echo(report.summary())
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    click.echo(f"evidence_bot: {bot.catalog.count_documents()} documents in {bot.settings.index_dir}\n"
               f"Open http://{shown}:{port}/ for the chat page, http://{shown}:{port}/docs for the API. Ctrl-C stops.")
    # h11, not httptools: httptools (0.9) reads a header of any size, and took 3.4 s over a 50 MB one while every
    # other request waited; h11 stops at the bound and answers 400 (docs/deployment.md, "Bounds").
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "http": "h11",
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
    """Says what `serve` decided about listening on host (governance/listening.py), or stops it."""
    from evidence_bot.governance.listening import listening

    decision = listening(settings, host)
    if decision.refusal:
        fail(decision.refusal, EXIT_USAGE)
    if decision.notice:
        click.echo(decision.notice)
    if decision.warning:
        click.echo(decision.warning, err=True)
    if decision.authentication_required:
        settings.require_authentication = True


@main.group()
def tokens() -> None:
    """API tokens: who may use the service, with which role and groups."""


@tokens.command("create")
@click.option("--name", required=True, help="Whose token it is or what it is for.")
@click.option("--role", type=click.Choice(["reader", "admin"]), default="reader", show_default=True)
@click.option("--groups", default="", help="Comma-separated groups: 'restricted' reads restricted documents, NAME "
              "reads documents whose access is group:NAME.")
@click.pass_obj
def tokens_create(index_dir: Path | None, name: str, role: Literal["reader", "admin"], groups: str) -> None:
    """Issue a token. It is shown once: only its hash is kept."""
    from evidence_bot.governance.access import TokenStore

    settings = settings_for(index_dir)
    token_id, token = TokenStore(settings.access_path).create(
        name, role, [g.strip() for g in groups.split(",") if g.strip()])
    click.echo(f"Token {token_id} for {name} ({role}). Copy it now; it cannot be shown again:\n{token}")


@tokens.command("list")
@click.pass_obj
def tokens_list(index_dir: Path | None) -> None:
    from evidence_bot.governance.access import TokenStore

    settings = settings_for(index_dir)
    for t in TokenStore(settings.access_path).list():
        state = f"revoked {t['revoked_at']}" if t["revoked_at"] else "active"
        click.echo(f"{t['id']:4d}  {t['role']:6} {state:32} groups: {','.join(t['groups']) or '-':20} {t['name']}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def tokens_revoke(index_dir: Path | None, token_id: int) -> None:
    from evidence_bot.governance.access import TokenStore

    settings = settings_for(index_dir)
    store = TokenStore(settings.access_path)
    store.revoke(token_id)
    click.echo(f"Revoked token {token_id}.")
    if not store.active():  # authentication stays on (TokenStore.ever_issued): the service is closed, not open
        click.echo("That was the last active token: every request is refused until `evidence-bot tokens create` "
                   "issues another.")
