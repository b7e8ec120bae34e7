"""The demo load: `flask demo load` into a fresh SQLite database, as `make run` does; target under 10 s.

    python bench/bench_demo.py            # 3 runs, each into a new database
    python bench/bench_demo.py --quick    # 1 run

Each run migrates a new SQLite file (not timed), then times ``load_demo()`` in process (the area, 40 people and
their diaries, the accounts, today's four cases and meeting, and three months of history), and the whole
``flask --app wsgi demo load`` command once (start-up included) into another new file. Writes its section of
docs/benchmarks.md between ``<!-- demo:start -->`` and ``<!-- demo:end -->``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import replace_section  # noqa: E402

START, END = "<!-- demo:start -->", "<!-- demo:end -->"
SECRET = "bench-secret-key-that-is-long-enough-for-convene-0123456789"
TARGET_SECONDS = 10.0


def migrated(path: Path) -> str:
    from sqlalchemy import create_engine

    from conference import migrate

    url = f"sqlite:///{path}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def in_process(url: str) -> tuple[float, dict[str, int]]:
    from conference import create_app
    from conference.config import Settings
    from conference.demo import load_demo
    from conference.extensions import db

    app = create_app(Settings(environment="development", secret_key=SECRET, database_url=url))
    with app.app_context():
        began = time.perf_counter()
        summary = load_demo()
        seconds = time.perf_counter() - began
        db.session.remove()
    return seconds, summary.created


def whole_command(url: str) -> float:
    env = {**os.environ, "CONVENE_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": SECRET}
    began = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "demo", "load"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def write_section(runs: list[float], command: float, created: dict[str, int]) -> None:
    cpu = platform.processor() or platform.machine()
    cores = os.cpu_count() or 0
    made = ", ".join(f"{n} {k if n != 1 else k.removesuffix('s')}" for k, n in sorted(created.items()))
    median = statistics.median(runs)
    lines = [
        START,
        "## Demo load",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {cpu}, {cores} cores; Python {platform.python_version()}, "
        "SQLite. `python bench/bench_demo.py`.",
        "",
        f"`flask demo load` into a new SQLite database (migrated first, not timed). Target: under "
        f"{TARGET_SECONDS:.0f} s. It creates: {made}.",
        "",
        "| Runs | Median in process | Max in process | Whole command (start-up included) | Under target |",
        "|---|---|---|---|---|",
        f"| {len(runs)} | {median:.1f} s | {max(runs):.1f} s | {command:.1f} s | "
        f"{'yes' if max(runs) < TARGET_SECONDS and command < TARGET_SECONDS else 'no'} |",
        "",
        "Under cProfile (2026-12-05) about half the load was the three months of history (mostly its meetings' "
        "invitation rows, flushed one by one) and most of the rest the scheduling of today's demo meeting.",
        END,
    ]
    replace_section("\n".join(lines), START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs: list[float] = []
    created: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(1 if args.quick else 3):
            seconds, created = in_process(migrated(Path(tmp) / f"run{n}.sqlite3"))
            runs.append(seconds)
            print(f"run {n + 1}: {seconds:.2f} s in process")
        command = whole_command(migrated(Path(tmp) / "command.sqlite3"))
        print(f"whole command: {command:.2f} s")
    write_section(runs, command, created)


if __name__ == "__main__":
    main()
