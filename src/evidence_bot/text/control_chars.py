"""Control characters and terminal escape sequences, taken out of short text such as a document's title.

A title comes from the document's first line or from a sources.yaml a council wrote, and is printed by
`docs list`; an escape sequence in it could clear or rewrite the officer's terminal, or hide a line."""

import re

# ECMA-48 sequences go whole, parameters included: CSI (ESC [ or the C1 byte 0x9b) ... final byte; the string
# commands (OSC, DCS, SOS, PM, APC) up to their terminator (BEL or ST); and the two-character escapes.
_SEQUENCES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
                        r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                        r"|\x1b[ -/]*[0-~]?")
_SPACES = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
# C0, DEL, C1, and the bidirectional overrides that reorder what a terminal shows
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """The text without escape sequences or control characters; line breaks and tabs become spaces."""
    return _CONTROLS.sub("", _SPACES.sub(" ", _SEQUENCES.sub("", text))).strip()
