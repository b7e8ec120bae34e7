"""Profile one signed-in request in process (cProfile around the WSGI app only, not the test client): a trivial
page (/accessibility, signed in), the dashboard with its panels reused and the case page with 20 facts changed and
5 missing episodes, on the load bench's data.

    python bench/profile_request.py                # seeds a throwaway database, profiles, drops it
    python bench/profile_request.py --keep URL --token T --path /cases/ID   # a database seeded before (--leave)

Prints per-request wall and CPU medians and the top functions by cumulative and own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_load  # noqa: E402


def profile(url: str, token: str, path: str, runs: int, top: int, *, enabled: bool = True) -> None:
    from conference import create_app
    from conference.config import Settings

    app = create_app(Settings(environment="test", secret_key=bench_load.SECRET, database_url=url))
    inner = app.wsgi_app
    profiler = cProfile.Profile()
    timings: list[tuple[float, float]] = []

    def profiled(environ: dict[str, Any], start_response: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        if enabled:
            profiler.enable()
        try:
            return list(inner(environ, start_response))
        finally:
            if enabled:
                profiler.disable()
            timings.append((time.perf_counter() - wall, time.process_time() - cpu))

    client = app.test_client()
    client.set_cookie("__Host-convene", token, domain="localhost", secure=True)
    for _ in range(5):  # warm: templates compiled, panels cached, pool filled
        assert client.get(path, base_url="https://localhost").status_code == 200
    app.wsgi_app = profiled  # type: ignore[method-assign]
    for _ in range(runs):
        assert client.get(path, base_url="https://localhost").status_code == 200
    walls = sorted(t[0] for t in timings)
    cpus = sorted(t[1] for t in timings)
    wall, cpu = walls[runs // 2] * 1000, cpus[runs // 2] * 1000
    print(f"== {path}: {runs} requests, median wall {wall:.2f} ms, CPU {cpu:.2f} ms")
    for order in ("cumulative", "tottime") if enabled else ():
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="URL", help="a database seeded by an earlier run (with --token)")
    parser.add_argument("--token")
    parser.add_argument("--leave", action="store_true", help="leave the seeded database for --keep")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--time-only", action="store_true", help="no cProfile: CPU and wall per request only")
    parser.add_argument(
        "--path",
        action="append",
        help="a page to profile (repeatable); by default /accessibility, "
        "/dashboard and the case page with 20 facts changed and 5 missing episodes",
    )
    args = parser.parse_args()
    if bool(args.keep) != bool(args.token):
        parser.error("--keep and --token go together: the database and a session token the first run printed")
    from tests.support.database import create_postgres_database, drop_postgres_database

    if args.keep:
        url, token, name, facts = args.keep, args.token, None, None
    else:
        name, url = create_postgres_database()
        tokens, _case, _chairs, facts = bench_load.seed(url, 500, sessions=1)
        token = tokens[0]
        print(f"seeded: --keep {url} --token {token} (case page with facts changed: {facts})", flush=True)
    try:
        for path in args.path or ["/accessibility", "/dashboard", *([facts] if facts else [])]:
            profile(url, token, path, args.runs, args.top, enabled=not args.time_only)
    finally:
        if name and not args.leave:
            drop_postgres_database(name)


if __name__ == "__main__":
    main()
