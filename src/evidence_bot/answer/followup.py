"""Follow-up questions: carry the topic of the conversation into a question that leans on it."""

import re

from evidence_bot.text.lexical import content_words

_ANAPHORA = re.compile(
    r"\b(?:those|these|they|them|their|theirs|it|its|that|this|there|he|she|him|her|such|same|former|latter)\b",
    re.IGNORECASE)
_CONTINUATION = re.compile(r"^\s*(?:and|but|also|so|what about|how about|and what|what else|then|or)\b",
                           re.IGNORECASE)


def is_followup(question: str) -> bool:
    """Leans on what came before: opens with 'and/what about', points back, or names almost nothing."""
    return bool(_CONTINUATION.search(question) or _ANAPHORA.search(question) or len(content_words(question)) <= 1)


def resolve_followup(question: str, history: list[str], max_chars: int | None = None) -> str:
    """The retrieval query: the question, preceded by the earlier question it leans on, and that one by the one it
    leans on, and so on. At most max_chars in all: the most recent earlier questions are kept, the question always."""
    chain, leaning, earlier = [question], question, list(history)
    length = len(question)
    while earlier and is_followup(leaning):
        leaning = earlier.pop()
        length += 1 + len(leaning)
        if max_chars is not None and length > max_chars:
            break
        chain.insert(0, leaning)
    return " ".join(chain)
