"""Follow-up questions: carry the topic of the conversation into a question that leans on it."""

import re

from evidence_bot.lexical import content_words

_ANAPHORA = re.compile(
    r"\b(?:those|these|they|them|their|theirs|it|its|that|this|there|he|she|him|her|such|same|former|latter)\b",
    re.IGNORECASE)
_CONTINUATION = re.compile(r"^\s*(?:and|but|also|so|what about|how about|and what|what else|then|or)\b",
                           re.IGNORECASE)


def is_followup(question: str) -> bool:
    """Leans on what came before: opens with 'and/what about', points back, or names almost nothing."""
    return bool(_CONTINUATION.search(question) or _ANAPHORA.search(question) or len(content_words(question)) <= 1)


def resolve_followup(question: str, history: list[str]) -> str:
    """The retrieval query: the question, preceded by the earlier question it depends on (recursively)."""
    if not history or not is_followup(question):
        return question
    return f"{resolve_followup(history[-1], history[:-1])} {question}"
