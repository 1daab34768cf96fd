"""The direction of imports (DESIGN.md): the flows are pure, only conversations/engine.py
touches storage (or bot); storage imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in the module it does."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_engine_of_the_conversations_imports_storage():
    modules = sorted((ROOT / "conversations").rglob("*.py"))
    assert len(modules) > 10
    offenders = [str(m.relative_to(ROOT)) for m in modules
                 if m.name != "engine.py" and imported(m) & {"storage", "bot"}]
    assert offenders == []


def test_the_import_check_sees_an_import_of_storage(tmp_path):
    module = tmp_path / "flow.py"
    module.write_text("def f():\n    from storage.codes import normalise\n")
    assert "storage" in imported(module)


def test_storage_imports_neither_the_conversations_nor_the_shell():
    modules = sorted((ROOT / "storage").rglob("*.py"))
    assert len(modules) > 10
    offenders = [str(m.relative_to(ROOT)) for m in modules
                 if imported(m) & {"conversations", "bot"}]
    assert offenders == []
