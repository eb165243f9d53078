"""Hand-labelled JSONL files (mapping and verifier labels): one object per line, a bad line named by number."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from evidence_bot.errors import EvidenceBotError

T = TypeVar("T")


def read_labelled(path: Path, build: Callable[[dict[str, Any]], T]) -> list[T]:
    """build(row) for each non-blank line; a line that is not JSON or lacks a field raises, naming file and line."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(build(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvidenceBotError(f"{path}: line {number}: {type(exc).__name__}: {exc}") from exc
    return items
