"""Messages that are not questions about the evidence: a short fixed reply, without retrieval.

Greetings, thanks, questions about the assistant itself, and requests it cannot serve (writing a speech or a
letter) would otherwise be searched and answered with whatever passage is nearest, which reads as nonsense in
a meeting. The rules are narrow on purpose: only a whole message that is a greeting or thanks, a question
about the assistant, or a request to compose something is caught, so no question about the evidence is."""

import re

ABOUT = ("I answer questions about the council's inspection evidence (CQC and Ofsted reports, self-assessments, "
         "minutes, action plans) by quoting the passages that answer them, numbered, with their document, date and "
         "page; when the evidence does not answer, I say so. Ask, for example, \"What did CQC say about waiting "
         "times?\"")
GREETING = "Hello. " + ABOUT
THANKS = "You're welcome. Ask another question about the evidence whenever you like."
CANNOT_SERVE = ("I can't write speeches, letters or other new text. I can find what the evidence says, with its "
                "sources, for you to use: ask a question about the evidence, or use Brief for a councillor's "
                "briefing with footnotes.")

_POLITE = r"(?:\s*(?:evidence[ _]?bot|there|again|all|everyone|so much|very much|a lot|!|\.|,))*\s*[!.]*"
RULES = (
    (re.compile(rf"^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings){_POLITE}$", re.IGNORECASE),
     GREETING),
    (re.compile(rf"^(?:thanks|thank you|thank-you|cheers|ta|many thanks|great,? thanks?){_POLITE}$", re.IGNORECASE),
     THANKS),
    (re.compile(r"^(?:who|what) are you\b|^what (?:can|do) you do\b|^how do you work\b"
                r"|^what is (?:this|evidence[ _]?bot)"
                r"\s*\??$|^are you (?:a bot|an ai|human|chatgpt)\b|^help\s*[?!.]*$", re.IGNORECASE), ABOUT),
    (re.compile(r"^(?:please\s+)?(?:can you\s+|could you\s+)?(?:write|draft|compose)\s+(?:me\s+|us\s+)?"
                r"(?:a|an|my|our|the)\s+"
                r"(?:\w+\s+){0,3}(?:speech|letter|email|e-mail|press release|poem|essay|tweet|post|statement)\b",
                re.IGNORECASE),
     CANNOT_SERVE),
)


def fixed_reply(message: str) -> str | None:
    """The fixed reply for a message that is not a question about the evidence, or None."""
    text = " ".join((message or "").split())
    return next((reply for pattern, reply in RULES if pattern.search(text)), None)
