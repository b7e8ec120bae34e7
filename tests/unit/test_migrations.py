"""Migrations are numbered, form one line, and the committed head file names the head (a clash becomes a
git conflict instead of a second head at deploy time)."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "conference" / "migrations"


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_one_head_matching_the_committed_head_file():
    heads = _script().get_heads()
    assert heads == [(MIGRATIONS / ".current-alembic-head").read_text().strip()]


def test_files_are_numbered_in_order_and_chained():
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    numbers = [int(re.match(r"(\d{4})_[a-z0-9_]+\.py$", name).group(1)) for name in files]
    assert numbers == list(range(1, len(files) + 1))
    for revision in _script().walk_revisions():
        if revision.down_revision is not None:
            assert int(revision.revision) == int(revision.down_revision) + 1
