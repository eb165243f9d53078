"""Evaluation question sets: JSONL, one question per line (format in docs/evaluation.md)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from evidence_bot.errors import EvidenceBotError


class QuestionSetError(EvidenceBotError):
    """A question file is malformed. The message names the file, line and field."""


@dataclass
class GoldPassage:
    documents: list[str]  # paths relative to the corpus folder; several when the evidence has renditions
    span: str  # a short verbatim span of the passage


@dataclass
class EvalQuestion:
    id: str
    category: str
    question: str
    history: list[str] = field(default_factory=list)
    facts: list[list[str]] = field(default_factory=list)  # every group must appear; any alternative in a group
    gold: list[GoldPassage] = field(default_factory=list)
    persona: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


def load_questions(path: Path) -> list[EvalQuestion]:
    questions, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise QuestionSetError(f"{where}: not valid JSON ({error.msg})") from None
        question = parse_question(raw, where)
        if question.id in seen:
            raise QuestionSetError(f"{where}: field 'id': '{question.id}' is used twice")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionSetError(f"{path}: holds no questions")
    return questions


def parse_question(raw: object, where: str) -> EvalQuestion:
    if not isinstance(raw, dict):
        raise QuestionSetError(f"{where}: a line must be a JSON object")
    for name in ("id", "category", "question"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise QuestionSetError(f"{where}: field '{name}' must be a non-empty string")
    facts = [parse_fact(f, where) for f in raw.get("facts", [])]
    gold = [parse_gold(g, where) for g in raw.get("gold", [])]
    if facts and not gold:
        raise QuestionSetError(f"{where}: field 'gold': a question with facts needs a gold passage")
    history = raw.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise QuestionSetError(f"{where}: field 'history' must be a list of strings")
    return EvalQuestion(raw["id"], raw["category"], raw["question"], history, facts, gold, raw.get("persona", ""))


def parse_fact(fact: object, where: str) -> list[str]:
    alternatives = [fact] if isinstance(fact, str) else fact
    if (not isinstance(alternatives, list) or not alternatives
            or not all(isinstance(a, str) and a for a in alternatives)):
        raise QuestionSetError(f"{where}: field 'facts': each fact is a string or a list of alternative strings")
    return alternatives


def parse_gold(gold: object, where: str) -> GoldPassage:
    if not isinstance(gold, dict) or not isinstance(gold.get("span"), str) or not gold["span"].strip():
        raise QuestionSetError(f"{where}: field 'gold': each entry needs a non-empty 'span'")
    documents = gold.get("document")
    documents = [documents] if isinstance(documents, str) else documents
    if not isinstance(documents, list) or not documents or not all(isinstance(d, str) for d in documents):
        raise QuestionSetError(f"{where}: field 'gold.document' must be a path or a list of paths")
    return GoldPassage(documents, gold["span"])
