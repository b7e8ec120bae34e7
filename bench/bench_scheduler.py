"""Benchmark the scheduler and write its section of docs/benchmarks.md.

    python bench/bench_scheduler.py            # full run
    python bench/bench_scheduler.py --quick    # fewer runs and a shorter plan time limit
    python bench/bench_scheduler.py --phases   # only: where solve's time goes, per phase (no file written)
    python bench/bench_scheduler.py --plan     # only: the plan table (no file written)

Instances are synthetic but shaped like real ones: 10 roles with up to 6 ranked candidates each,
people working 9 to 5 (some part time) with 30% of their working time busy, and on-call staff
who can attend round the clock. Everything is seeded, so reruns use the same instances.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import replace_section  # noqa: E402
from scheduler import parse_batch, solve  # noqa: E402
from scheduler.planner import greedy_plan, plan_batch  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- scheduler:start -->", "<!-- scheduler:end -->"
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
FULL_WEEK = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def _person(rng: random.Random, days: int, on_call: bool) -> dict[str, Any]:
    hours = FULL_WEEK if rng.random() < 0.7 else {d: FULL_WEEK[d] for d in rng.sample(sorted(FULL_WEEK), 3)}
    busy = []
    for day in range(days + 2):
        for hour in range(9, 17):
            if rng.random() < 0.3:
                start = MONDAY + dt.timedelta(days=day, hours=hour - 9, minutes=rng.choice([0, 30]))
                busy.append([start.isoformat(), (start + dt.timedelta(minutes=rng.choice([30, 60, 90]))).isoformat()])
    return {"working_hours": hours, "on_call": on_call, "busy": busy}


def solve_instance(seed: int, days: int) -> dict[str, Any]:
    rng = random.Random(seed)
    roles, people = [], {}
    for r in range(10):
        count = rng.randint(2, 6)
        candidates = [f"r{r}c{c}" for c in range(count)]
        for c, pid in enumerate(candidates):
            people[pid] = _person(rng, days, on_call=(c == count - 1))  # the last deputy is on call
        roles.append(
            {"role": f"role{r}", "required": r < 7, "written_submission": r in (5, 6), "candidates": candidates}
        )
    earliest = MONDAY + dt.timedelta(hours=7, minutes=40)  # a late-afternoon request
    return {
        "timezone": "Europe/London",
        "earliest_start": earliest.isoformat(),
        "deadline": (earliest + dt.timedelta(days=days)).isoformat(),
        "duration_minutes": 90,
        "grain_minutes": 15,
        "max_proposals": 5,
        "roles": roles,
        "people": people,
    }


def plan_instance(seed: int, conferences: int, pool: int, limit: float) -> dict[str, Any]:
    rng = random.Random(seed)
    people = {f"p{i}": _person(rng, 5, on_call=(i % 10 == 0)) for i in range(pool)}
    ids = sorted(people)
    scarce = ids[:5]  # regional leads everyone wants
    items = []
    for index in range(conferences):
        earliest = MONDAY + dt.timedelta(hours=rng.randint(0, 72))
        roles = []
        for r in range(10):
            candidates = rng.sample(ids, rng.randint(1, 6))
            if r == 0:
                candidates = [rng.choice(scarce), *[c for c in candidates if c not in scarce][:2]]
            roles.append(
                {"role": f"role{r}", "required": r < 6, "written_submission": r in (4, 5), "candidates": candidates}
            )
        items.append(
            {
                "id": f"NB-2026-{index:04d}/strategy",
                "priority": rng.randint(1, 5),
                "earliest_start": earliest.isoformat(),
                "deadline": (MONDAY + dt.timedelta(days=5)).isoformat(),
                "duration_minutes": 60,
                "roles": roles,
                "fixed": None,
            }
        )
    return {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": limit,
        "people": people,
        "conferences": items,
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_solve(runs: int) -> list[str]:
    rows = [
        "| Window | Runs | Median in process | p95 in process | Max | p95 CPU time | Whole command (median of 3) | "
        "Proposals |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for days in (1, 3, 7):
        times, cpu, sizes = [], [], []
        for seed in range(runs):
            request = solve_instance(seed, days)
            began, began_cpu = time.perf_counter(), time.process_time()
            answer = solve(request)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            sizes.append(len(answer["proposals"]))
        command = []
        text = json.dumps(solve_instance(0, days))
        for _ in range(3):
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "scheduler", "solve"],
                input=text,
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            command.append(time.perf_counter() - began)
        rows.append(
            f"| {days} day{'s' if days > 1 else ''} | {runs} | {statistics.median(times) * 1000:.0f} ms | "
            f"{percentile(times, 0.95) * 1000:.0f} ms | {max(times) * 1000:.0f} ms | "
            f"{percentile(cpu, 0.95) * 1000:.0f} ms | "
            f"{statistics.median(command) * 1000:.0f} ms | {min(sizes)}–{max(sizes)} |"
        )
        print(rows[-1], flush=True)
    return rows


def _explain_all(explain: Any, grid: Any, chosen: list[Any]) -> list[str]:
    return [explain(grid, kind, option, chosen[0][1]) for kind, option in chosen]


def phase_times(days: int, runs: int) -> dict[str, float]:
    """Mean CPU milliseconds per phase of ``solve`` on the benchmark's instances."""
    from scheduler.answer import solve_request
    from scheduler.availability import build_grid
    from scheduler.explain import explain_option
    from scheduler.model import parse_request
    from scheduler.solver import choose_options, kept_starts

    totals: dict[str, float] = {}

    def timed(name: str, work: Any, *args: Any) -> Any:
        began = time.process_time()
        result = work(*args)
        totals[name] = totals.get(name, 0.0) + (time.process_time() - began) * 1000 / runs
        return result

    for seed in range(runs):
        request = timed("parse", parse_request, solve_instance(seed, days))
        grid = timed("availability sweep", build_grid, request)
        timed("classes", kept_starts, grid)
        chosen = timed("classes + CP-SAT", choose_options, grid, request)
        timed("explanations", _explain_all, explain_option, grid, chosen)
        timed("whole solve_request", solve_request, request)
    return totals


def bench_plan(limit: float) -> list[str]:
    rows = [
        "| Conferences / people | Greedy time | Greedy unscheduled (priority) | Greedy weighted wait | Plan time | "
        "Plan unscheduled (priority) | Plan weighted wait | Lower bound (priority, wait) | Gap | Better than greedy | "
        "Load average before |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for conferences, pool in ((50, 150), (100, 300), (200, 600), (100, 150)):
        batch = parse_batch(plan_instance(conferences + pool, conferences, pool, limit))
        load = os.getloadavg()[0]
        began = time.perf_counter()
        greedy = greedy_plan(batch)
        greedy_time = time.perf_counter() - began
        began = time.perf_counter()
        result = plan_batch(batch)
        plan_time = time.perf_counter() - began
        count = sum(b.start is None for b in result.bookings)
        greedy_count = sum(b.start is None for b in greedy.bookings)
        bound = result.lower_bound or (0, 0)
        rows.append(
            f"| {conferences} / {pool} | {greedy_time:.1f} s | {greedy_count} ({greedy.unscheduled_priority}) | "
            f"{greedy.weighted_wait_minutes:,} | {plan_time:.1f} s | {count} ({result.unscheduled_priority}) | "
            f"{result.weighted_wait_minutes:,} | {bound[0]}, {bound[1]:,} | {100 * (result.gap or 0.0):.3f}% | "
            f"{'yes' if result.key() < greedy.key() else 'no (greedy kept)'} | {load:.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            model,
        )
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    return f"{model}, {os.cpu_count()} cores, {memory} RAM; Python {platform.python_version()}"


def write_section(body: str) -> None:
    section = f"{START}\n{body}\n{END}"
    replace_section(section, START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer runs and a 5-second plan time limit")
    parser.add_argument("--phases", action="store_true", help="print CPU time per phase of solve and stop")
    parser.add_argument("--plan", action="store_true", help="print only the plan table (no file written)")
    args = parser.parse_args()
    if args.phases:
        for days in (1, 3, 7):
            print(f"{days} day(s): " + ", ".join(f"{k} {v:.1f} ms" for k, v in phase_times(days, 20).items()))
        return
    if args.plan:
        bench_plan(5.0 if args.quick else 30.0)
        return
    runs, limit = (20, 5.0) if args.quick else (30, 30.0)
    load = os.getloadavg()[0]
    solve_rows = bench_solve(runs)
    plan_rows = bench_plan(limit)
    body = "\n".join(
        [
            "## Scheduler",
            "",
            f"Measured {dt.date.today().isoformat()} on {machine()}. `python bench/bench_scheduler.py"
            f"{' --quick' if args.quick else ''}`.",
            f"The machine is shared: load average (1 minute, 2 cores) {load:.1f} at the start; other work slows every",
            "figure here.",
            "",
            "### `solve`: 10 roles, 2–6 ranked candidates each (the last on call round the clock), 90-minute meeting,",
            "15-minute grain, 30% of working time busy; target: p95 under 50 ms in process at 7 days. CPU time",
            "(this process's, CP-SAT's one worker included) is what other work on the machine does not inflate.",
            "",
            *solve_rows,
            "",
            f"### `plan`: conferences over 5 days sharing a pool of people, time limit {limit:.0f} s; greedy is the",
            "contract's one-at-a-time baseline measured in the same run. The lower bound is the relaxation's (or",
            "CP-SAT's, where higher): no plan leaves less priority unscheduled, and none that leaves as much waits",
            "less; the gap is the plan's distance above it (see `scheduler/planner.py`). The search stops once the gap",
            "is at most 1%, so the plan time is the time to a proven 1% (or the time limit). Targets: 200 conferences",
            "over 600 people within 10 s; within 1% of the bound; better than greedy. The load average is measured",
            "before each row.",
            "",
            *plan_rows,
            "",
            "What was slow (23 November 2026: 200 conferences used the whole 30 s budget, 25.6 s): the CP-SAT",
            "model over starts and people. Profiled at 200 / 600, the grids took 0.5 s, greedy 0.4 s, building",
            "the model 0.24 s; then CP-SAT's presolve probing alone took 2 s (10 s on a busy machine), its LP",
            "bound (256,890) stayed below even the trivial one (each conference at its own earliest valid start:",
            "272,550), and its neighbourhood search improved the plan slowly, so it always ran to the time limit",
            "and could not say how good its plan was. Now a time-indexed relaxation that keeps only the people",
            "every meeting at a start needs gives the bound (277,320 at 200 / 600, in about 0.5 s) and, once",
            "given people, a plan within 1% of it; CP-SAT over the whole model runs only while the gap is above",
            "1%.",
        ]
    )
    write_section(body)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
