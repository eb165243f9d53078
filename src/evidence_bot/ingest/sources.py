"""Document metadata: sources.yaml beside the files, and overrides (inference from the text: inference.py).

Precedence: command-line overrides, then sources.yaml, then what the text says.

A sources.yaml that cannot be read (a duplicate key included), a sources file with a near-miss name
(sources.yml, Sources.yaml), or an entry that matches no file, fails closed: it is "blocking", and no document
it governs is indexed (ingest/ingestor.py), because the access levels it declares are unknown. An entry whose fields are
wrong still names its document: that document is ingested with inferred metadata and its declared level when
that level is clean (valid, and no unknown field beside it), else with FALLBACK_ACCESS (only admins read it).
Every governing sources.yaml's entry for a file counts (ingest/ingestor.py: Ingestor.sources_for)."""

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from evidence_bot.errors import SourcesError
from evidence_bot.governance.access import FALLBACK_ACCESS, check_access
from evidence_bot.models import DOC_TYPES, META_FIELDS, DocumentMeta
from evidence_bot.text.control_chars import strip_controls

SOURCES_FILE = "sources.yaml"
# Names that were surely meant to be sources.yaml (compared in lower case): such a file blocks its folder.
NEAR_MISSES = {"sources.yml", "sources.yaml", "source.yaml", "source.yml"}
ENTRY_FIELDS = {"path", *META_FIELDS}
# The wider Thurrock corpus's sources.yaml describes 58 documents in 22 KB (about 370 bytes each), so 1 MB holds
# some 2,700 entries; a larger file is a mistake or an attack, and is refused.
MAX_SOURCES_BYTES = 1_000_000
# A sources.yaml needs no aliases (&name / *name); each one can repeat a whole subtree, so a few hundred bytes
# can expand to gigabytes ("billion laughs"). A handful is harmless; more is refused.
MAX_ALIASES = 10


class _TextDatesLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML has no type information: SafeLoader is Any
    """YAML without implicit timestamps (an impossible date must reach our check, not crash the parser), with
    at most MAX_ALIASES alias uses, counted as the parser meets them, before anything is expanded, and with no
    key twice in one mapping (PyYAML keeps the last silently: `access: restricted` then `access: public`)."""

    alias_uses = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.alias_uses += 1
            if self.alias_uses > MAX_ALIASES:
                raise SourcesError(f"more than {MAX_ALIASES} YAML aliases (*name); a sources.yaml needs none")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # merge keys (<<: *name) too: a key both merged and given is a duplicate
            first: dict[Any, yaml.Node] = {}  # key -> its node
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first.setdefault(key, key_node)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if earlier is not key_node:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark,
                        f"duplicate key '{key}' (first at line {earlier.start_mark.line + 1}); which one was meant "
                        "is unknown", key_node.start_mark)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


_TextDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")


@dataclass
class SourcesFile:
    path: Path
    entries: dict[Path, DocumentMeta] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # a field of an entry is wrong; its document is still ingested
    blocking: list[str] = field(default_factory=list)  # the file cannot be used: nothing it governs is indexed

    def governs(self, path: Path) -> bool:
        """Whether this file is consulted for a document: those in its folder and the folders below."""
        return path.is_relative_to(self.path.parent)


def normalise_date(value: object, where: str) -> str | None:
    """YYYY-MM-DD or YYYY-MM, checked to be a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise SourcesError(f"{where}: date '{text}' is not YYYY-MM-DD or YYYY-MM")
    year, month, *day = (int(part) for part in text.split("-"))
    try:
        date(year, month, day[0] if day else 1)
    except ValueError as exc:
        raise SourcesError(f"{where}: date '{text}' is not a real date ({exc})") from exc
    return text


def validate_meta(values: dict[Any, Any], where: str) -> DocumentMeta:
    unknown = sorted(set(values) - set(META_FIELDS))
    if unknown:
        raise SourcesError(f"{where}: unknown field '{unknown[0]}' (allowed: {', '.join(sorted(ENTRY_FIELDS))})")
    doc_type = values.get("doc_type")
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise SourcesError(f"{where}: doc_type '{doc_type}' is not one of {', '.join(DOC_TYPES)}")
    nested = next((k for k, v in values.items() if isinstance(v, (list, dict))), None)
    if nested:
        raise SourcesError(f"{where}: field '{nested}' must be text, not a {type(values[nested]).__name__}")
    if "access" in values and (values["access"] is None or not str(values["access"]).strip()):
        raise SourcesError(f"{where}: access is empty (give a level, or leave the field out for the default)")
    meta = {k: (strip_controls(str(v)) or None if v is not None else None) for k, v in values.items() if k != "date"}
    access = meta.get("access")
    if access:
        try:
            meta["access"] = check_access(access)
        except ValueError as exc:
            raise SourcesError(f"{where}: {exc}") from exc
    return DocumentMeta(**meta, date=normalise_date(values.get("date"), where))


def read_sources(directory: Path) -> SourcesFile | None:
    """The sources.yaml in a directory. Why it cannot be used goes in `blocking`; a bad field in `errors`.
    A file with a near-miss name (sources.yml, Sources.yaml) is a sources file that cannot be used."""
    try:
        names = set(os.listdir(directory))
    except OSError:  # a folder above that cannot be listed
        names = {SOURCES_FILE} if (directory / SOURCES_FILE).is_file() else set()
    misses = sorted(n for n in names if n.lower() in NEAR_MISSES and n != SOURCES_FILE
                    and (directory / n).is_file())
    path = directory / SOURCES_FILE
    if SOURCES_FILE not in names or not path.is_file():  # the exact name, even on a case-blind disk
        if not misses:
            return None
        path = directory / misses[0]
    result = SourcesFile(path)
    for miss in misses:
        also = f" (this folder has a {SOURCES_FILE} too: merge them into it)" if SOURCES_FILE in names else ""
        result.blocking.append(f"{directory / miss}: a sources file must be named exactly {SOURCES_FILE}; rename it "
                               f"to {SOURCES_FILE}{also}. Nothing in this folder is indexed until then")
    if result.blocking:
        return result
    data = parse_sources(result)
    if data is None:
        return result
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        result.blocking.append(f"{path}: expected a top-level 'documents:' list")
        return result
    matched: dict[Path, int] = {}
    listings: dict[Path, set[str]] = {}
    for number, entry in enumerate(entries, start=1):
        add_entry(result, number, entry, matched, listings)
    return result


def parse_sources(result: SourcesFile) -> object:
    """The file's YAML, or None with the reason in result.blocking."""
    path = result.path
    size = path.stat().st_size
    if size > MAX_SOURCES_BYTES:
        result.blocking.append(f"{path}: larger than {MAX_SOURCES_BYTES:,} bytes ({size:,}); not read")
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        result.blocking.append(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8")
        return None
    try:
        return yaml.load(text, Loader=_TextDatesLoader) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        result.blocking.append(f"{path}: not valid YAML ({exc.problem or exc.context}{where})")
    except (yaml.YAMLError, SourcesError) as exc:
        result.blocking.append(f"{path}: not valid YAML ({str(exc).splitlines()[0]})")
    except RecursionError:
        result.blocking.append(f"{path}: not valid YAML (nested too deeply)")
    return None


def add_entry(result: SourcesFile, number: int, entry: object, matched: dict[Path, int],
              listings: dict[Path, set[str]]) -> None:
    """matched: the files named so far, and by which entry; listings: the folders' file names, read once."""
    where = f"{result.path}: entry {number}"
    if not isinstance(entry, dict) or not entry.get("path"):
        fields = f" (it has {', '.join(map(str, entry))})" if isinstance(entry, dict) and entry else ""
        result.blocking.append(f"{where}: each entry needs a 'path'{fields}")
        return
    target, problem = match_file(result.path.parent, str(entry["path"]), listings)
    if target is None:  # match_file says why
        result.blocking.append(f"{where}: path {problem}")
        return
    if target in matched:
        result.blocking.append(f"{where}: path '{entry['path']}' names the same file as entry {matched[target]}")
        return
    matched[target] = number
    where = f"{where} ({entry['path']})"
    try:
        meta = validate_meta({k: v for k, v in entry.items() if k != "path"}, where)
    except SourcesError as exc:
        level = clean_access(entry)
        if level:
            result.errors.append(f"{exc}; its document is ingested with inferred metadata and its declared access "
                                 f"'{level}'")
            meta = DocumentMeta(access=level)
        else:  # any unknown field may mean a restriction ('private: true'): never a level some readers hold
            result.errors.append(f"{exc}; its document is ingested with inferred metadata and access "
                                 f"'{FALLBACK_ACCESS}' (only admins read it), kept until an access level is declared "
                                 "for it")
            meta = DocumentMeta(access=FALLBACK_ACCESS)
    result.entries[target] = meta


def clean_access(entry: dict[Any, Any]) -> str | None:
    """The level an entry with a wrong field declares cleanly: a valid `access:` and no unknown field beside it."""
    value = entry.get("access")
    if set(entry) - ENTRY_FIELDS or not isinstance(value, str):
        return None
    try:
        return check_access(value) if value.strip() else None
    except ValueError:
        return None


def match_file(folder: Path, relative: str, listings: dict[Path, set[str]]) -> tuple[Path | None, str | None]:
    """The file an entry's path names, or why it names none (with the name it differs from only in case)."""
    try:
        target = (folder / relative).resolve()
    except (ValueError, OSError) as exc:  # a NUL byte, a link loop
        return None, f"'{relative}' is not a usable path ({exc})"
    # A path through a link in the folder (hr/a.txt, hr linking elsewhere) stays in it; '..' must not leave it.
    through_a_link = not Path(relative).is_absolute() and ".." not in Path(relative).parts
    if not (target.is_relative_to(folder.resolve()) or through_a_link):
        return None, f"'{relative}' is outside the folder of this sources.yaml"
    if target.is_file():
        if target.parent not in listings:
            listings[target.parent] = set(os.listdir(target.parent))
        if target.name in listings[target.parent]:  # the exact case, even on a case-blind disk
            return target, None
    guess = same_name_in_another_case(folder, relative)
    return None, f"'{relative}' names no file" + (f"; did you mean '{guess}'?" if guess else "")


def same_name_in_another_case(folder: Path, relative: str) -> str | None:
    current = folder
    for part in Path(relative).parts:
        if part in (".", ".."):
            current = current / part
            continue
        if not current.is_dir():
            return None
        found = next((c for c in sorted(current.iterdir()) if c.name.lower() == part.lower()), None)
        if found is None:
            return None
        current = found
    return os.path.relpath(current, folder) if current.is_file() else None
