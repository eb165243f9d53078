"""Answerers: extractive by default (no LLM needed)."""

from evidence_bot.answer.extractive import ABSTENTION, ExtractiveAnswerer
from evidence_bot.answer.followup import resolve_followup
from evidence_bot.answer.grounding import pieces, statements, support_counts

__all__ = ["ABSTENTION", "ExtractiveAnswerer", "pieces", "resolve_followup", "statements", "support_counts"]
