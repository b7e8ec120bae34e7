"""requirements.lock (hash-pinned, what `make install` installs) pins every dependency at pyproject.toml's version."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("[", 1)[0]).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in lines:
        match = re.match(r"^([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)==([^\s;\\]+)", line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def test_every_pyproject_pin_is_in_the_lockfile_at_the_same_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    wanted = _pins(declared)
    assert len(wanted) == len(declared), "every dependency in pyproject.toml is pinned with =="
    locked = _pins((ROOT / "requirements.lock").read_text().splitlines())
    wrong = {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version}
    assert not wrong, f"pyproject.toml and requirements.lock disagree (pyproject, lock): {wrong}; run make lock"


def test_every_locked_package_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]
