"""Profile the first options page in a new process against the ones after it (issue 13), in process.

    python bench/profile_first_options.py                # seeds the first-options bench's data, profiles, drops it
    python bench/profile_first_options.py --keep URL --token TOKEN --ids ID,ID,...

A new app on the bench's data runs the start-up warm-up (conference/warmup.py) to its end, as a served worker
does before its first "Find times"; then "Find times" (the POST that solves, and the page it leads to) is
profiled (cProfile around the WSGI app) for the first meeting and, separately, for the next ones.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_first_options  # noqa: E402


def find_times(client: Any, conference_id: str) -> None:
    path = f"/conferences/{conference_id}/options"
    page = client.get(path, base_url="https://localhost").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    response = client.post(path, data={"csrf_token": match.group(1), "action": "find"}, base_url="https://localhost")
    assert response.status_code in (302, 303), response.status_code
    assert client.get(path, base_url="https://localhost").status_code == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="URL")
    parser.add_argument("--token")
    parser.add_argument("--ids")
    parser.add_argument("--leave", action="store_true", help="leave the seeded database for --keep")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    from tests.support.database import create_postgres_database, drop_postgres_database

    name = None
    if args.keep:
        url, token, ids = args.keep, args.token, args.ids.split(",")
    else:
        name, url = create_postgres_database()
        token, by_shape = bench_first_options.seed(url, 8)
        ids = by_shape["busy"]
        print(f"seeded: --keep {url} --token {token} --ids {','.join(ids)}", flush=True)
    try:
        from conference import create_app, warmup
        from conference.config import Settings

        app = create_app(Settings(environment="test", secret_key=bench_first_options.SECRET, database_url=url))
        began = time.perf_counter()
        warmup._run(app)
        print(f"warm-up {1000 * (time.perf_counter() - began):.0f} ms")
        client = app.test_client()
        client.set_cookie("__Host-convene", token, domain="localhost", secure=True)
        inner = app.wsgi_app
        for label, chosen in (("first", ids[:1]), ("later", ids[1:4])):
            profiler = cProfile.Profile()
            walls: list[float] = []

            def profiled(environ: dict[str, Any], start_response: Any, p: cProfile.Profile = profiler) -> Any:
                p.enable()
                try:
                    return list(inner(environ, start_response))
                finally:
                    p.disable()

            app.wsgi_app = profiled  # type: ignore[method-assign]
            for conference_id in chosen:
                started = time.perf_counter()
                find_times(client, conference_id)
                walls.append((time.perf_counter() - started) * 1000)
            print(f"== {label}: {[round(w) for w in walls]} ms (open the page, find times, the page shown)")
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
    finally:
        if name and not args.leave:
            drop_postgres_database(name)


if __name__ == "__main__":
    main()
