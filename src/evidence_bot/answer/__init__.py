"""Answerers: extractive by default (no LLM needed)."""

from evidence_bot.answer.extractive import ABSTENTION, ExtractiveAnswerer
from evidence_bot.answer.followup import resolve_followup
from evidence_bot.answer.grounding import statements, support_counts

__all__ = ["ABSTENTION", "ExtractiveAnswerer", "resolve_followup", "statements", "support_counts"]
