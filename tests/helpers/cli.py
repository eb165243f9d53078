"""The command line run in process (click's CliRunner), with the result shaped like subprocess.run's: tests read
returncode, stdout and stderr either way. A test whose point is another process (the ingest lock, the command line
the audit log records, a server seeing a revocation made elsewhere, a crash) still starts one."""

import subprocess

from click.testing import CliRunner

from evidence_bot.cli import main


def run_cli(*args, env: dict[str, str] | None = None, check: bool = False) -> subprocess.CompletedProcess:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    done = subprocess.CompletedProcess(["evidence-bot", *map(str, args)], result.exit_code, result.stdout,
                                       result.stderr)
    if check:
        done.check_returncode()
    return done
