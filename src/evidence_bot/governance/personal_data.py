"""Personal data in what people type: found before anything is searched or logged, and redacted.

A question holding an email address, a UK phone number or a National Insurance number is refused before
retrieval: the evidence is about services, not individuals, and questions are kept in the audit log and the
answer log, which must not become a store of personal data (UK GDPR data minimisation). The patterns are
deliberately narrow, so that figures, dates and years in ordinary questions never match."""

import re

# (kind, pattern). Phone: UK numbers as people write them, +44 or a leading 0, 10 or 11 digits in all, with
# spaces, dashes or brackets between groups; a bare 4-digit year or a figure such as 1,513 cannot match.
# NI number: two prefix letters (HMRC never issues D, F, I, Q, U, V first, nor D, F, I, O, Q, U, V second),
# six digits, a suffix A-D.
PATTERNS = (
    ("an email address", re.compile(r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("a phone number", re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?|0)(?:[\s()-]*\d){9,10}(?!\d)")),
    ("a National Insurance number",
     re.compile(r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)),
)


def personal_data_kinds(text: str) -> list[str]:
    """The kinds of personal data found, in a fixed order: e.g. ['an email address']."""
    return [kind for kind, pattern in PATTERNS if pattern.search(text or "")]


def redacted(text: str) -> str:
    """The text with each piece of personal data replaced by [redacted: kind]."""
    for kind, pattern in PATTERNS:
        text = pattern.sub(f"[redacted: {kind.split(' ', 1)[1]}]", text)
    return text


def refusal(kinds: list[str]) -> str:
    found = " and ".join(kinds)
    return (f"Your question holds personal data ({found}), so it was not searched. The evidence is about services, "
            "not individuals, and questions are logged: please ask again without it.")
