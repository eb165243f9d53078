"""`python -m evidence_bot.cli`: the same as the `evidence-bot` command."""

from evidence_bot.cli import main

main()
