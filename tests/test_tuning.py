"""tuning.py is the one home of the tuned numbers: no module defines its own copy, and the evaluation report's
fingerprint changes with any of them."""

import re
from pathlib import Path

from evidence_bot import tuning

PACKAGE = Path(tuning.__file__).parent


def test_no_module_defines_its_own_copy_of_a_tuned_number():
    names = set(tuning.values())
    copies = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "tuning.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"([A-Z][A-Z0-9_]*)\s*(?::[^=]*)?=", line)
            if match and match.group(1) in names:
                copies.append(f"{path.relative_to(PACKAGE)}: {line.strip()}")
    assert copies == []


def test_the_fingerprint_follows_every_value(monkeypatch):
    before = tuning.fingerprint()
    assert tuning.fingerprint() == before
    monkeypatch.setattr(tuning, "TOP_K", tuning.TOP_K + 1)
    assert tuning.fingerprint() != before


def test_values_are_the_numbers_only():
    values = tuning.values()
    assert {"TOP_K", "PASSAGES_READ", "STALE_MONTHS", "PDF_CELL_LINE_GAP"} <= set(values)
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in values.values())
