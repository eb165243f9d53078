"""Evaluation: question sets, metrics, the LangChain peer and reports (docs/evaluation.md)."""
