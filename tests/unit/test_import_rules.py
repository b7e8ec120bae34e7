"""scheduler/ is a pure engine: it imports no web, database or app code (the list lives in pyproject.toml)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _forbidden() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["convene"]["import-rules"]["scheduler_forbidden"])


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_scheduler_imports_no_web_or_database_code() -> None:
    files = sorted((ROOT / "scheduler").rglob("*.py"))
    assert files, "scheduler/ has no Python files"
    forbidden = set(_forbidden())
    offences = {str(p.relative_to(ROOT)): sorted(_imports(p) & forbidden) for p in files}
    assert {k: v for k, v in offences.items() if v} == {}


def test_the_rule_would_catch_an_offending_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import Flask\nimport sqlalchemy.orm\n")
    assert _imports(bad) & set(_forbidden()) == {"flask", "sqlalchemy"}
