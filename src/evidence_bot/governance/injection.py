"""Text in a document that is addressed to an AI assistant ("ignore previous instructions and ...").

The extractive answerer only ever quotes passages, so such text cannot steer it; it stays in the index as
what it is, evidence that someone wrote it. Ingest warns about it, naming the file, so that an officer
knows it is there, and a generative answerer (issue 7) treats every passage as quoted, untrusted text."""

import re

_ADDRESSED_TO_AI = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all|your|the)\b"
    r"[^.\n]{0,30}\b(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\b(?:you are now|act as|pretend to be)\b[^.\n]{0,30}\b(?:AI|assistant|chatbot|language model|GPT)\b"
    r"|\bsystem prompt\b|\bas an AI (?:assistant|language model)\b",
    re.IGNORECASE)


def addressed_to_ai(text: str) -> str | None:
    """The first stretch of text that reads as an instruction to an AI assistant, or None."""
    found = _ADDRESSED_TO_AI.search(text)
    return found.group(0) if found else None
