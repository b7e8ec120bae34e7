"""What an options page spends reading calendars, in process: the scheduler request built from 60 uploaded busy
calendars (10 roles x 6 candidates x 7 days, the first-options bench's data) with the calendar read cache empty,
after the start-up warm-up read the calendars, and on a repeated solve; and the solve itself.

    python bench/bench_calendar_cache.py

Wall time and this process's CPU time (which other work on a shared machine inflates far less) are both given.
Writes its section of docs/benchmarks.md between ``<!-- calendar-cache:start -->`` and ``<!-- calendar-cache:end -->``.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import replace_section  # noqa: E402

START, END = "<!-- calendar-cache:start -->", "<!-- calendar-cache:end -->"
RUNS = 5


def timed(work: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return median([wall for wall, _ in pairs]), median([cpu for _, cpu in pairs])


def main() -> None:
    from bench.bench_first_options import SECRET, seed
    from conference import create_app
    from conference.config import Settings
    from conference.convening import availability
    from conference.convening.models import Conference
    from conference.extensions import db
    from scheduler.api import solve
    from scheduler.calendars import READ_CACHE
    from tests.support.database import create_postgres_database, drop_postgres_database

    load_before = os.getloadavg()
    name, url = create_postgres_database()
    try:
        _token, ids = seed(url, RUNS)
        app = create_app(Settings(environment="test", secret_key=SECRET, database_url=url))
        rows: list[tuple[str, float, float, str]] = []
        with app.app_context():
            meetings = [db.session.get(Conference, uuid.UUID(i)) for i in ids["busy"]]

            def build(meeting: Any) -> Callable[[], Any]:
                return lambda: availability.build_request(meeting, include_on_call=False)

            cold = []
            for meeting in meetings:
                READ_CACHE.clear()
                cold.append(timed(build(meeting)))
            rows.append(("Request built, cache empty (each calendar parsed)", *medians(cold), "60 parsed"))
            READ_CACHE.clear()
        warm_wall, warm_cpu = timed(lambda: availability.read_uploaded_calendars(app))
        rows.append(
            (
                "Start-up warm-up: the directory's uploaded calendars read",
                warm_wall,
                warm_cpu,
                f"{len(READ_CACHE)} distinct kept",
            )
        )
        with app.app_context():
            meetings = [db.session.get(Conference, uuid.UUID(i)) for i in ids["busy"]]
            hits = READ_CACHE.hits
            first = timed(build(meetings[0]))
            rows.append(
                ("Request built after the warm-up (first options page)", *first, f"{READ_CACHE.hits - hits} hits")
            )
            again = [timed(build(m)) for m in meetings]
            rows.append(("Request built again (a repeated solve, other meetings)", *medians(again), "hits"))
            request = availability.build_request(meetings[0], include_on_call=False)
            solves = [timed(lambda: solve(request)) for _ in range(RUNS)]
            rows.append(("The solve itself (CP-SAT), for comparison", *medians(solves), ""))
    finally:
        drop_postgres_database(name)
    for row in rows:
        print(f"{row[0]:60} wall {row[1]:7.0f} ms  cpu {row[2]:7.0f} ms  {row[3]}")
    lines = [
        START,
        "## Options page: reading calendars (in process)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}); Python {platform.python_version()}, PostgreSQL on "
        "loopback. `python bench/bench_calendar_cache.py`. The first-options bench's meetings: 10 roles x 6 "
        "candidates, each with an uploaded calendar of 1 to 3 busy hours a day, 7-day window. Medians of "
        f"{RUNS} meetings. Load average (1, 5, 15 min) at the start: "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; a shared machine: wall times are inflated by other work, CPU times much less.",
        "",
        "| Step | Wall | CPU (this process) | Calendars |",
        "|---|---|---|---|",
        *[f"| {name} | {wall:.0f} ms | {cpu:.0f} ms | {note} |" for name, wall, cpu, note in rows],
        "",
        "The calendar read cache (`scheduler.calendars.ReadCache`) keeps each calendar's busy time over a 15-day "
        "span by the SHA-256 of its content (bounded, process-local) and clips it for any window inside; the "
        "warm-up reads the directory's uploaded calendars at start-up (at most 500), so the first options page "
        "parses none.",
        END,
    ]
    replace_section("\n".join(lines), START, END)


if __name__ == "__main__":
    main()
