"""The command line: a thin edge over EvidenceBot. Core errors become messages and exit codes here.

Exit codes: 0 success; 1 some input failed (the rest was processed), or another
ingest held the index (nothing was written); 2 usage error; 3 nothing to answer
from (empty index) or not found."""

from evidence_bot.cli import asking, documents, evaluating, evidence, records, serving  # noqa: F401  (registers)
from evidence_bot.cli.asking import render
from evidence_bot.cli.common import PARTIAL, main
from evidence_bot.cli.evaluating import verifier_gate
from evidence_bot.cli.serving import refuse_open_network

__all__ = ["PARTIAL", "main", "refuse_open_network", "render", "verifier_gate"]
