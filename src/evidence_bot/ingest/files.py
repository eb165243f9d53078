"""The files an ingest reads: folders expanded, hidden and unsupported files skipped, each file's document id and
content hash."""

import hashlib
from pathlib import Path

from evidence_bot.ingest.loaders import is_supported
from evidence_bot.ingest.report import IngestReport
from evidence_bot.ingest.sources import SOURCES_FILE


def inside(found: Path, folder: Path, report: IngestReport) -> bool:
    """A link in the folder to a file elsewhere is skipped: ingesting a folder must not reach outside it."""
    if found.resolve().is_relative_to(folder.resolve()):
        return True
    report.warnings.append(f"{found}: a link to a file outside {folder}; skipped")
    return False


def document_id(path: Path) -> str:
    return hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expand_paths(paths: list[Path], report: IngestReport, staged: dict[Path, Path] | None = None,
                 given: dict[Path, Path] | None = None) -> list[Path]:
    """Files named directly (or staged under that name: an upload not yet in place), and the supported files
    under directories named; given, if passed, gets each file's path as it was reached (through links, unresolved).

    In a folder, hidden files and README files (notes about the folder, not evidence) are skipped, and so are
    links to folders outside it (reported)."""
    files: list[Path] = []
    given = {} if given is None else given
    for path in paths:
        path = Path(path)
        if path.is_dir():
            visible = [p for p in path.rglob("*")
                       if not any(part.startswith(".") for part in p.relative_to(path).parts)]
            for link in visible:
                if link.is_symlink() and link.is_dir() and not link.resolve().is_relative_to(path.resolve()):
                    report.warnings.append(f"{link}: a link to a folder outside {path}; skipped (ingest it by name "
                                           "to include it)")
            found = [p for p in visible if p.is_file() and is_supported(p) and p.name != SOURCES_FILE
                     and not p.name.upper().startswith("README")]
            for p in sorted(found, key=lambda p: p.resolve()):
                if inside(p, path, report):
                    files.append(p.resolve())
                    given.setdefault(p.resolve(), p.absolute())
        elif path.is_file() or path in (staged or {}):
            files.append(path.resolve())
            given.setdefault(path.resolve(), path.absolute())
        else:
            report.failed.append(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))
