"""Inspection frameworks as data: themes, statements, evidence categories, scores and bands.

The package ships CQC's local authority assessment and Ofsted's ILACS
(data/*.yaml); a council adds its own by dropping a YAML file of the same
shape into the frameworks folder (`EVIDENCE_BOT_FRAMEWORKS_DIR`)."""

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, overload

import yaml

from evidence_bot.errors import EvidenceBotError


class FrameworkError(EvidenceBotError):
    """A framework file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Statement:
    id: str
    name: str
    theme_id: str
    theme: str
    good_evidence: str
    terms: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # what people call it in questions and page titles ("assessing needs")

    def names(self) -> tuple[str, ...]:
        """Its name (without a leading "The") and its aliases."""
        return (re.sub(r"^the\s+", "", self.name, flags=re.I), *self.aliases)

    def description(self) -> str:
        """What is embedded to compare passages with: name, what good evidence looks like, the terms."""
        return f"{self.name}. {self.good_evidence} {', '.join(self.terms)}"


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    service: str | None  # documents of another service are not mapped to it
    statements: tuple[Statement, ...]
    categories: tuple[Category, ...]
    # scores and bands as the file gives them (YAML, not checked): {1: "Evidence shows ...", ...}, ({"from": 25, ...},)
    scores: dict[Any, Any] = field(default_factory=dict, hash=False, compare=False)
    bands: tuple[dict[str, Any], ...] = ()
    source: str = ""  # the file it came from, for error messages
    fingerprint: str = ""  # changes when the file does, so the mapping is recomputed

    def statement(self, statement_id: str) -> Statement:
        for s in self.statements:
            if s.id == statement_id:
                return s
        raise FrameworkError(f"{self.id}: no statement '{statement_id}'")

    def themes(self) -> list[tuple[str, str, list[Statement]]]:
        order = dict.fromkeys((s.theme_id, s.theme) for s in self.statements)
        return [(tid, name, [s for s in self.statements if s.theme_id == tid]) for tid, name in order]


def builtin_files() -> list[tuple[str, str]]:
    folder = resources.files("evidence_bot.evidence.frameworks").joinpath("data")
    return sorted((f"evidence_bot/evidence/frameworks/data/{f.name}", f.read_text(encoding="utf-8"))
                  for f in folder.iterdir() if f.name.endswith(".yaml"))


def load_frameworks(extra_dir: Path | None = None) -> dict[str, Framework]:
    """The built-in frameworks and any *.yaml in extra_dir (a file with a built-in id replaces it)."""
    files = builtin_files()
    if extra_dir is not None and extra_dir.is_dir():
        files += [(str(p), p.read_text(encoding="utf-8")) for p in sorted(extra_dir.glob("*.y*ml"))]
    frameworks = {}
    for source, text in files:
        framework = parse_framework(text, source)
        frameworks[framework.id] = framework
    return frameworks


def parse_framework(text: str, source: str) -> Framework:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise FrameworkError(f"{source}: expected a mapping with id, name, categories and themes")
    framework_id = required(data, "id", source)
    statements = []
    for t, theme in enumerate(required(data, "themes", source, list)):
        where = f"{source}: themes[{t}]"
        theme_id, theme_name = required(theme, "id", where), required(theme, "name", where)
        for s, item in enumerate(required(theme, "statements", where, list)):
            at = f"{where}.statements[{s}]"
            statements.append(Statement(required(item, "id", at), required(item, "name", at), theme_id, theme_name,
                                        required(item, "good_evidence", at), terms_of(item, at),
                                        terms_of(item, at, "aliases")))
    categories = []
    for c, item in enumerate(required(data, "categories", source, list)):
        at = f"{source}: categories[{c}]"
        categories.append(Category(required(item, "id", at), required(item, "name", at),
                                   required(item, "description", at), terms_of(item, at)))
    duplicated = {s.id for s in statements if sum(1 for o in statements if o.id == s.id) > 1}
    if duplicated:
        raise FrameworkError(f"{source}: statement ids used twice: {', '.join(sorted(duplicated))}")
    return Framework(framework_id, required(data, "name", source), data.get("service"), tuple(statements),
                     tuple(categories), dict(data.get("scores") or {}), tuple(data.get("bands") or ()), source,
                     hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


@overload
def required(data: object, key: str, where: str) -> str: ...
@overload
def required(data: object, key: str, where: str, kind: type[list[Any]]) -> list[Any]: ...
def required(data: object, key: str, where: str, kind: type[Any] = str) -> Any:  # YAML as read: not typed
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        expected = "a list" if kind is list else "text"
        raise FrameworkError(f"{where}: '{key}' is missing or not {expected}")
    return value.strip() if kind is str else value


def terms_of(item: dict[str, Any], where: str, key: str = "terms") -> tuple[str, ...]:
    terms = item.get(key) or []
    if not isinstance(terms, list) or not all(isinstance(t, (str, int)) for t in terms):
        raise FrameworkError(f"{where}: '{key}' must be a list of words or phrases")
    return tuple(str(t) for t in terms)
