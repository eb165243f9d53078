"""A readiness lead's corrections to the mapping, kept in a JSONL file that outlives the index's rows.

Each line names its passage the way evals/mapping.jsonl names labelled passages: the document's path as
ingested and the words the passage holds (a span). So a correction finds its passage again after the
document is ingested again (new passage ids) and after the model is refitted; one whose passage is gone
is reported, never silently dropped. One line per (document, span, framework): a later line replaces an
earlier one, so the file is also the history of who changed what."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_bot.errors import EvidenceBotError
from evidence_bot.evaluation.matching import normalise

if TYPE_CHECKING:
    from evidence_bot.store.catalog import Catalog

SPAN_CHARS = 120  # enough words to find one passage of a document; short enough to read in the file


class CorrectionError(EvidenceBotError):
    """A corrections file line is malformed: the message names the file, the line and the field."""


@dataclass(frozen=True)
class Correction:
    document: str  # the document's path, as the catalog holds it
    span: str  # words of the passage, verbatim
    framework: str
    statements: tuple[str, ...]  # best first; empty: the passage evidences no statement
    category: str | None = None
    by: str = ""
    at: str = ""
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.document, normalise(self.span), self.framework

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"statements": list(self.statements)}, ensure_ascii=False)


def read_corrections(path: Path | None) -> list[Correction]:
    """The file's corrections, the last line for each passage winning; none when there is no file."""
    if path is None or not path.is_file():
        return []
    latest: dict[tuple[str, str, str], Correction] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            correction = parse(line, f"{path}:{number}")
            latest.pop(correction.key, None)  # in the order of each passage's latest line: a later one wins
            latest[correction.key] = correction
    return list(latest.values())


def parse(line: str, where: str) -> Correction:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorrectionError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(item, dict):
        raise CorrectionError(f"{where}: expected an object with document, span, framework and statements")
    for key in ("document", "span", "framework"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise CorrectionError(f"{where}: '{key}' is missing or not text")
    statements = item.get("statements")
    if not isinstance(statements, list) or not all(isinstance(s, str) and s for s in statements):
        raise CorrectionError(f"{where}: 'statements' must be a list of statement ids (empty for none)")
    category = item.get("category")
    if category is not None and not isinstance(category, str):
        raise CorrectionError(f"{where}: 'category' must be a category id or null")
    return Correction(item["document"], item["span"], item["framework"], tuple(statements), category,
                      str(item.get("by") or ""), str(item.get("at") or ""), str(item.get("note") or ""))


def append_correction(path: Path, correction: Correction) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(correction.to_json() + "\n")


def span_of(text: str) -> str:
    """The opening words of a passage, cut at a word boundary: what a correction names it by."""
    text = " ".join(text.split())
    if len(text) <= SPAN_CHARS:
        return text
    cut = text[:SPAN_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def locate(catalog: "Catalog", correction: Correction) -> str | None:
    """The id of the one passage of the named document holding the span; None when it is gone or ambiguous."""
    row = catalog.document_by_path(correction.document)
    if row is None:
        return None
    span = normalise(correction.span)
    found = [p.id for p in catalog.doc_passages(row["doc_id"]) if span in normalise(p.text)]
    return found[0] if len(found) == 1 else None
