"""The layering the README draws: each outside library is imported by the one place that owns it; short modules."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "evidence_bot"
# library -> the modules or packages (relative to evidence_bot) allowed to import it
OWNERS = {"fastapi": ("server",), "starlette": ("server",), "uvicorn": ("server", "cli"),
          "chromadb": ("store/vectors.py",), "click": ("cli",)}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_each_outside_library_is_imported_only_where_it_belongs():
    misplaced = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        for library in imported_roots(path) & OWNERS.keys():
            if not any(relative == owner or relative.startswith(owner + "/") for owner in OWNERS[library]):
                misplaced.append(f"{relative} imports {library}")
    assert misplaced == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def serve():\n    import uvicorn\n    from fastapi import FastAPI\n")
    assert imported_roots(module) == {"uvicorn", "fastapi"}


MAX_MODULE_LINES = 300  # issue 20: a module a newcomer can read whole


def test_no_module_is_longer_than_a_newcomer_can_read_whole():
    long = {path.relative_to(PACKAGE).as_posix(): lines for path in PACKAGE.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}
