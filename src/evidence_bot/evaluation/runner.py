"""Runs a question set through evidence_bot (and, if asked, the peer) and scores every question."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_bot.answer import support_counts
from evidence_bot.evaluation.matching import contains, fact_present
from evidence_bot.evaluation.metrics import RANK_DEPTH, QuestionOutcome
from evidence_bot.evaluation.questions import EvalQuestion, GoldPassage, QuestionSetError
from evidence_bot.service import EvidenceBot

if TYPE_CHECKING:
    from evidence_bot.evaluation.peer import LangChainPeer


def resolve_gold(questions: list[EvalQuestion], corpus: Path) -> None:
    """Gold document paths become the absolute paths the catalog holds."""
    for question in questions:
        for gold in question.gold:
            gold.documents = [str((corpus / d).resolve()) for d in gold.documents]


def check_gold(bot: EvidenceBot, questions: list[EvalQuestion]) -> None:
    """Every gold span must be text of a document it names: a typo would silently sink a metric.

    Renditions are alternatives: a PDF that interleaves a table's cells need not hold the span."""
    texts = {row["path"]: row["text"] for row in bot.catalog.documents()}
    problems = []
    for question in questions:
        for gold in question.gold:
            problems += [f"{question.id}: gold document {d} is not in the index"
                         for d in gold.documents if d not in texts]
            if not any(contains(texts.get(d, ""), gold.span) for d in gold.documents):
                problems.append(f"{question.id}: gold span '{gold.span}' is in none of {gold.documents}")
    if problems:
        raise QuestionSetError("gold passages do not match the corpus:\n  " + "\n  ".join(problems))


def gold_rank(ranked: list[tuple[list[str], str]], gold: list[GoldPassage]) -> int | None:
    """ranked: (documents holding the passage, passage text), best first."""
    for rank, (documents, text) in enumerate(ranked[:RANK_DEPTH], 1):
        if any(set(documents) & set(g.documents) and contains(text, g.span) for g in gold):
            return rank
    return None


def run_ours(bot: EvidenceBot, questions: list[EvalQuestion],
             progress: Callable[[EvalQuestion, QuestionOutcome], None] | None = None) -> list[QuestionOutcome]:
    paths = {row["doc_id"]: row["path"] for row in bot.catalog.documents()}
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        answer, hits = bot.reader().ask_traced(question.question, question.history, depth=RANK_DEPTH)
        seconds = time.perf_counter() - started
        ranked = [([paths[h.passage.doc_id]] + [paths[r] for r in h.renditions if r in paths], h.passage.text)
                  for h in hits]
        supported, statements = support_counts(answer)
        outcomes.append(QuestionOutcome(
            question.id, question.category, question.answerable, gold_rank(ranked, question.gold),
            answer.answer, answer.abstained, answer.confidence,
            not answer.abstained and all(fact_present(answer.answer, f) for f in question.facts),
            supported, statements, seconds, [c.passage_id for c in answer.citations]))
        if progress:
            progress(question, outcomes[-1])
    return outcomes


def run_peer(peer: LangChainPeer, questions: list[EvalQuestion]) -> list[QuestionOutcome]:
    """Retrieval only: the tutorial pipeline's answer step needs an LLM, which this machine does not have."""
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        hits = peer.search(question.question, RANK_DEPTH)
        seconds = time.perf_counter() - started
        ranked = [([h.path], h.text) for h in hits]
        outcomes.append(QuestionOutcome(question.id, question.category, question.answerable,
                                        gold_rank(ranked, question.gold), seconds=seconds))
    return outcomes
