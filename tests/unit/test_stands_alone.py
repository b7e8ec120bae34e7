"""The repository stands alone: no file sends the reader (or the code) to a ``shared`` folder beside the clone.

A user's clone has nothing beside it, so the contracts, domain rules and NRM form data live in the repo
(``docs/``, ``decisions/data/``). This test reads every tracked file (``git ls-files``; without git, every file
under the repository except build and tool folders) and fails on any of the phrases below.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
THIS_FILE = Path(__file__).resolve().relative_to(REPO_ROOT).as_posix()

#: Built without writing the phrases out, so a plain text search of the repo does not find them here either.
FORBIDDEN = tuple("/".join(parts) for parts in (("..", "shared"), ("shared", "spec"), ("shared", "reference")))

#: Left out on purpose, each for a reason:
EXCLUDED = {
    THIS_FILE: "it names the phrases it looks for",
    "package-lock.json": "npm writes it; its contents are third-party package names and addresses, not ours",
}

#: Folders the fallback walk never enters: tools' caches, installed packages, version control.
NOT_OURS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "instance"}


def tracked_files(root: Path = REPO_ROOT) -> list[str]:
    """Paths relative to the root: git's list of tracked files, or a walk of the tree if git is unavailable."""
    git = shutil.which("git")
    if git and (root / ".git").exists():
        done = subprocess.run([git, "ls-files", "-z"], cwd=root, capture_output=True, check=False)
        if done.returncode == 0:
            return [p for p in done.stdout.decode("utf-8").split("\0") if p]
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not NOT_OURS.intersection(p.relative_to(root).parts)
    )


def references_outside(root: Path = REPO_ROOT) -> list[str]:
    """``path: phrase`` for each file that names a folder outside the repository."""
    found = []
    for path in tracked_files(root):
        if path in EXCLUDED:
            continue
        file = root / path
        if not file.is_file():  # deleted in the working tree but still tracked
            continue
        data = file.read_bytes()
        found += [f"{path}: {phrase}" for phrase in FORBIDDEN if phrase.encode() in data]
    return found


def test_no_file_refers_to_a_shared_folder_beside_the_repository() -> None:
    assert references_outside() == [], "point to docs/ or decisions/data/ instead"


def test_only_this_file_and_the_npm_lockfile_are_left_out() -> None:
    """Widening the exclusions is a decision, not an accident: it has to change this test."""
    assert set(EXCLUDED) == {"tests/unit/test_stands_alone.py", "package-lock.json"}


@pytest.mark.parametrize("use_git", [True, False])
def test_the_check_finds_a_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_git: bool) -> None:
    """The check can fail: a file naming the folder is found, with git and by walking the tree."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("See " + FORBIDDEN[1] + "/scheduling.md\n", encoding="utf-8")
    (tmp_path / "package-lock.json").write_text(FORBIDDEN[0], encoding="utf-8")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text(FORBIDDEN[0], encoding="utf-8")
    (tmp_path / "ok.py").write_text("nothing here\n", encoding="utf-8")
    if use_git:
        if not shutil.which("git"):
            pytest.skip("git is not installed")
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        subprocess.run(["git", "add", "docs", "ok.py", "package-lock.json"], cwd=tmp_path, check=True)
    else:
        monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert references_outside(tmp_path) == [f"docs/a.md: {FORBIDDEN[1]}"]
