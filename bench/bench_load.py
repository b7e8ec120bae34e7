"""Load test on loopback: 50 concurrent users on the dashboard, the case page and the chair's autosave (and the
board once it exists), beside a minimal Flask page served the same way, with about 500 open cases loaded: the
demo's history generator (conference/demo_history.py) at that size, so the pages run on realistic rows.

    python bench/bench_load.py             # 50 users, 10 s per page
    python bench/bench_load.py --quick     # 20 users, 4 s per page

Both apps run under gunicorn (gthread workers) in their own processes; the load comes from this process, 50 threads
with keep-alive connections. Database statements per page are counted in process with a SQLAlchemy listener.
Autosave: each user is a chair with their own held meeting; they first open the record's information page (for the
CSRF token and the record's version), then POST JSON to the autosave endpoint, alternating two sections and sending
the version each save returned, so that every save is a real save (a 409 conflict would count as an error).
Writes its section of docs/benchmarks.md between ``<!-- load:start -->`` and ``<!-- load:end -->``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import replace_section  # noqa: E402

THINK = 2.0  # seconds a person spends on a page before the next click (on average)
START, END = "<!-- load:start -->", "<!-- load:end -->"
SECRET = secrets.token_urlsafe(48)
WORKERS, THREADS = 2, 8
FACTS_PAGE = "Case page, 20 facts changed and 5 missing episodes"
FLOOR = "Minimal Flask page (floor)"
FLOOR_AGAIN = "Minimal Flask page (floor), again after the pages above"


def floor_app() -> Any:
    """The stack's floor: a minimal Flask page under the same server."""
    from flask import Flask

    app = Flask("floor")

    @app.get("/")
    def index() -> str:
        return "<!doctype html><title>floor</title><p>ok</p>"

    return app


@dataclass
class Result:
    name: str
    latencies: list[float]
    errors: int
    seconds: float
    queries: int | None

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds


AUTOSAVE = "Chair's autosave (JSON POST)"
#: The pages measured, in order (``--only`` picks among them).
PAGES = ("Dashboard", "Case page", FACTS_PAGE, AUTOSAVE)
AUTOSAVE_SECTIONS = (  # (section, its fields, the field that changes on each save)
    (
        "information",
        {"information-police": "Seen at the bus station.", "information-health": "Has a GP."},
        "information-social_care",
    ),
    ("child_views", {"sought": "yes"}, "views"),
)
STALE_KEEP_ALIVE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
TOKEN_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_PATTERN = re.compile(r'name="version" value="(\d+)"')


@dataclass
class Chair:
    """A signed-in chair with a held meeting of their own (each saves their own record)."""

    token: str
    conference_id: str


class Visitor:
    """What one simulated user requests: the same page again and again (GET)."""

    def __init__(self, path: str, token: str | None) -> None:
        self.path = path
        self.headers = {"Cookie": f"__Host-convene={token}"} if token else {}

    def prepare(self, connection: http.client.HTTPConnection) -> None:
        """Anything to fetch before the timed requests."""

    def request(self) -> tuple[str, str, bytes | None, dict[str, str]]:
        return "GET", self.path, None, self.headers

    def answered(self, status: int, body: bytes) -> bool:
        return status == 200


class Autosaver(Visitor):
    """A chair's autosave: JSON to the endpoint with the CSRF token, alternating sections, version-aware."""

    def __init__(self, chair: Chair) -> None:
        super().__init__(f"/conferences/{chair.conference_id}/record/autosave", chair.token)
        self.page = f"/conferences/{chair.conference_id}/record/information"
        self.version = 0
        self.turn = 0

    def prepare(self, connection: http.client.HTTPConnection) -> None:
        connection.request("GET", self.page, headers=self.headers)
        response = connection.getresponse()
        html = response.read().decode()
        token, version = TOKEN_PATTERN.search(html), VERSION_PATTERN.search(html)
        if response.status != 200 or token is None or version is None:
            raise RuntimeError(f"could not open {self.page}: HTTP {response.status}")
        self.version = int(version.group(1))
        self.headers = {**self.headers, "X-CSRFToken": token.group(1), "Content-Type": "application/json"}

    def request(self) -> tuple[str, str, bytes | None, dict[str, str]]:
        section, fields, changing = AUTOSAVE_SECTIONS[self.turn % len(AUTOSAVE_SECTIONS)]
        self.turn += 1
        body = {"section": section, "version": self.version, "fields": {**fields, changing: f"Typed {self.turn}"}}
        return "POST", self.path, json.dumps(body).encode(), self.headers

    def answered(self, status: int, body: bytes) -> bool:
        if status != 200:
            return False
        self.version = int(json.loads(body)["version"])
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_missing_episodes(session: Any, case: Any, user: Any, now: datetime, count: int = 5) -> None:
    """``count`` missing episodes of the case over the last weeks (issue 10), each returned and its return-home
    interview done but the last, which is still missing: the case page shows them all and the repeated mark."""
    from conference.safety.models import MissingEpisode
    from rules.safety import PoliceRisk

    for n in range(count):
        last_seen_at = now - timedelta(days=7 * (count - n), hours=3)
        episode = MissingEpisode(
            case_id=case.id,
            last_seen_at=last_seen_at,
            reported_at=last_seen_at + timedelta(hours=1),
            police_reference=f"BENCH/{n:04d}",
            risk=(PoliceRisk.HIGH, PoliceRisk.MEDIUM, PoliceRisk.LOW)[n % 3],
            created_by_id=user.id,
        )
        if n < count - 1:
            episode.record_return(last_seen_at + timedelta(days=1), "Placement", "Bench Worker")
            episode.return_interview_done_at = last_seen_at + timedelta(days=2)
        session.add(episode)


def add_fact_changes(session: Any, case: Any, user: Any, now: datetime, count: int = 20) -> None:
    """``count`` changes of the case's facts over the last weeks (issue 10): the risk of going missing, languages
    and legal status in turn, each a history row as the app writes it, the case's columns left at the last."""
    from conference.cases.fact_models import CaseFactChange
    from conference.cases.models import MissingRisk

    risks = [MissingRisk.HIGH, MissingRisk.MEDIUM, MissingRisk.LOW]
    for n in range(count):
        fact = ("missing_risk", "languages", "legal_status")[n % 3]
        old = {"missing_risk": case.missing_risk.value, "languages": case.languages, "legal_status": case.legal_status}
        new = {
            "missing_risk": risks[n % 3].value,
            "languages": f"Language {n}",
            "legal_status": f"Status {n}",
        }[fact]
        session.add(
            CaseFactChange(
                case_id=case.id,
                fact=fact,
                old_value=old[fact],
                new_value=new,
                reason=f"Bench change {n}",
                changed_by_id=user.id,
                changed_at=now - timedelta(days=count - n),
            )
        )
        setattr(case, fact, risks[n % 3] if fact == "missing_risk" else new)


def seed(url: str, open_cases: int, sessions: int) -> tuple[list[str], str, list[Chair], str]:
    """The Northbridge demo with a history sized for about ``open_cases`` open cases (the demo's own generator:
    agencies that answer and attend differently, held meetings with signed decisions, NRM referrals, actions),
    signed-in sessions, and as many chairs, each signed in, with a held strategy discussion of their own to
    record."""
    from sqlalchemy import create_engine, select

    from conference import create_app, demo_history, migrate
    from conference.auth.models import Role, User, UserSession
    from conference.cases.models import Case, CaseStatus
    from conference.config import Settings
    from conference.convening.models import Conference, ConferenceRole, ConferenceStatus
    from conference.demo import load_demo
    from conference.directory.models import Agency, LocalAuthority
    from conference.extensions import db
    from rules.clock import LONDON
    from rules.vocabulary import MeetingType, Nation, Seat

    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    # The bench's own throwaway database: the demo area loads only in development.
    app = create_app(Settings(environment="development", secret_key=SECRET, database_url=url))
    now = datetime.now(UTC)
    with app.app_context():
        load_demo()
        with db.unit_of_work():
            area = db.session.scalars(select(LocalAuthority).where(LocalAuthority.code == "NB")).one()
            area_id = area.id
            today = now.astimezone(LONDON).date()
            # About 3 in 4 of the history's cases are still open; the demo's own 25 come first.
            size = max(0, round((open_cases - 25) / 0.74))
            demo_history.load_history(area, today, cases=size, batch="B", first_number=demo_history.FIRST_NUMBER + 25)
    with app.app_context(), db.unit_of_work() as session:
        social_care = session.scalars(
            select(Agency).where(Agency.name == "Northbridge Children's Services", Agency.local_authority_id == area_id)
        ).one()
        users = [
            User(
                email=f"coordinator{n}@x.test",
                display_name=f"Coordinator {n}",
                password_hash="x",
                role=Role.COORDINATOR,
                agency_id=social_care.id,
            )
            for n in range(10)
        ]
        chairs = [
            User(
                email=f"chair{n}@x.test",
                display_name=f"Chair {n}",
                password_hash="x",
                role=Role.CHAIR,
                agency_id=social_care.id,
            )
            for n in range(sessions)
        ]
        session.add_all([*users, *chairs])
        session.flush()
        cases = list(
            session.scalars(select(Case).where(Case.status == CaseStatus.OPEN).order_by(Case.identified_at.desc()))
        )
        print(f"seeded {len(cases)} open cases", flush=True)
        held = []
        for n in range(len(chairs)):
            meeting = Conference(
                case_id=cases[n % len(cases)].id,
                reference=f"MTG-C{n:03d}",
                meeting_type=MeetingType.STRATEGY_DISCUSSION,
                nation=Nation.ENGLAND,
                status=ConferenceStatus.HELD,
                start_at=now - timedelta(hours=1),
                ical_uid=f"bench-chair-{n}@x.test",
            )
            session.add(meeting)
            session.flush()
            for k, seat in enumerate([Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH]):
                session.add(ConferenceRole(conference_id=meeting.id, role=seat, position=k))
            held.append(str(meeting.id))
        tokens: list[str] = []
        chair_tokens: list[str] = []
        for n, user in enumerate([*(users[n % len(users)] for n in range(sessions)), *chairs]):
            token = secrets.token_urlsafe(32)
            stamp = now.isoformat()
            session.add(
                UserSession(
                    id=hashlib.sha256(token.encode()).hexdigest(),
                    user_id=user.id,
                    created_at=now,
                    last_seen_at=now,
                    password_at=now,
                    mfa_at=now,
                    data={"user_id": str(user.id), "password_at": stamp, "mfa_at": stamp},
                )
            )
            (tokens if n < sessions else chair_tokens).append(token)
        case_path = f"/cases/{cases[0].id}"
        # The case page of a case with 20 facts changed and 5 missing episodes (issue 10).
        add_fact_changes(session, cases[1], users[0], now)
        add_missing_episodes(session, cases[1], users[0], now)
        facts_case_path = f"/cases/{cases[1].id}"
    # A live database has planner statistics (autovacuum analyses a table after a bulk load within a minute or
    # so); measured at once, a freshly loaded one has none and PostgreSQL plans its joins for one row each.
    analyse = create_engine(url, isolation_level="AUTOCOMMIT")
    with analyse.connect() as connection:
        # VACUUM too: otherwise autovacuum works through the freshly loaded tables during the first rows.
        connection.exec_driver_sql("VACUUM ANALYZE")
    analyse.dispose()
    return tokens, case_path, [Chair(t, c) for t, c in zip(chair_tokens, held, strict=True)], facts_case_path


@contextlib.contextmanager
def statements_seen(engine: Any) -> Iterator[list[str]]:
    """The SQL statements run while the block runs: SQLAlchemy's and the session read's on the driver's own cursor
    (conference/database.py, ``_DriverRead``)."""
    from sqlalchemy import event

    from conference.database import _DriverRead

    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    _DriverRead.listeners.append(statements.append)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        _DriverRead.listeners.remove(statements.append)


def count_queries(url: str, token: str, paths: dict[str, str]) -> dict[str, int]:

    from conference import create_app
    from conference.config import Settings
    from conference.extensions import db

    app = create_app(Settings(environment="test", secret_key=SECRET, database_url=url))
    counts: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.set_cookie("__Host-convene", token, domain="localhost", secure=True)
    for name, path in paths.items():
        client.get(path, base_url="https://localhost")  # warm
        with statements_seen(engine) as statements:
            response = client.get(path, base_url="https://localhost")
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(statements)
    return counts


def dashboard_in_process(url: str, token: str, runs: int = 20) -> dict[str, float]:
    """The dashboard in process, with its panels worked out afresh (the cache emptied before each request) and
    reused: SQL statements and the median CPU time of this process per request (CPU time, which other work on a
    shared machine inflates far less than wall time)."""

    from conference import create_app
    from conference.config import Settings
    from conference.dashboard import cache
    from conference.extensions import db

    app = create_app(Settings(environment="test", secret_key=SECRET, database_url=url))
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.set_cookie("__Host-convene", token, domain="localhost", secure=True)
    found: dict[str, float] = {}
    for name, empty in (("afresh", True), ("reused", False)):
        client.get("/dashboard", base_url="https://localhost")
        cpu: list[float] = []
        if empty:
            cache.clear()
        with statements_seen(engine) as statements:
            client.get("/dashboard", base_url="https://localhost")
        for _ in range(runs):
            if empty:
                cache.clear()
            began = time.process_time()
            response = client.get("/dashboard", base_url="https://localhost")
            cpu.append(time.process_time() - began)
            assert response.status_code == 200
        found[f"{name}_statements"] = len(statements)
        found[f"{name}_cpu_ms"] = sorted(cpu)[len(cpu) // 2] * 1000
    return found


def count_autosave_queries(url: str, chair: Chair) -> int:
    """Statements for one autosave (after a first one, so that the record exists and the session is warm)."""
    from conference import create_app
    from conference.config import Settings
    from conference.extensions import db

    app = create_app(Settings(environment="test", secret_key=SECRET, database_url=url))
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.set_cookie("__Host-convene", chair.token, domain="localhost", secure=True)
    saver = Autosaver(chair)
    html = client.get(saver.page, base_url="https://localhost").get_data(as_text=True)
    token, version = TOKEN_PATTERN.search(html), VERSION_PATTERN.search(html)
    assert token and version, "the information page has no CSRF token or version"
    saver.version = int(version.group(1))
    headers = {"X-CSRFToken": token.group(1)}
    for _attempt in range(2):  # the second one is counted
        _method, path, body, _headers = saver.request()
        with statements_seen(engine) as statements:
            response = client.post(
                path, data=body, content_type="application/json", headers=headers, base_url="https://localhost"
            )
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        saver.answered(200, response.get_data())
    return len(statements)


def start_server(
    target: str, port: int, env: dict[str, str], log: Path | None = None, ready: str | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn on ``target``; with ``ready``, waits (up to 120 s) until every worker has written it to ``log``."""
    out = log.open("wb") if log else subprocess.PIPE
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-k",
            "gthread",
            "-w",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            target,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=out,
    )
    for _ in range(1200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if ready is None or log is None:
                    return process
                if log.read_text(errors="replace").count(ready) >= WORKERS:
                    return process
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    failed = log.read_text(errors="replace") if log else (process.stderr.read().decode() if process.stderr else "")
    raise RuntimeError(f"{target} did not start: {failed[-2000:]}")


def load(
    name: str, port: int, visitors: list[Visitor], seconds: float, queries: int | None, think: float = 0.0
) -> Result:
    """One thread per visitor makes its requests for ``seconds``. With ``think`` > 0 each pauses between requests
    for a random 0.5 to 1.5 times ``think`` seconds, as a person reading the page would, and starts at a random
    moment within the first ``think`` seconds; with 0 they all start together and hammer."""
    latencies: list[float] = []
    errors = [0]
    reasons: list[str] = []
    lock = threading.Lock()
    clock: dict[str, float] = {}
    ready = threading.Barrier(len(visitors), action=lambda: clock.update(start=time.perf_counter()))

    def user(visitor: Visitor) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        visitor.prepare(connection)  # untimed: every user is ready before the clock starts
        ready.wait()
        deadline = clock["start"] + seconds
        mine: list[float] = []
        if think:
            # People do not all click in the same millisecond: each arrives at a random moment of the first pause.
            time.sleep(random.uniform(0, think))
        while time.perf_counter() < deadline:
            method, path, body, headers = visitor.request()
            for attempt in range(2):
                started = time.perf_counter()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    ok = visitor.answered(response.status, response.read())
                    if not ok:
                        reasons.append(f"HTTP {response.status}")
                    break
                except STALE_KEEP_ALIVE:
                    # The server closed an idle keep-alive connection (gunicorn's keepalive is 2 s, shorter than
                    # a reading pause): reconnect and send again, as a browser does. Not an error; timed afresh.
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok = False
                    if attempt:
                        reasons.append("connection closed twice")
                except (OSError, http.client.HTTPException) as error:
                    reasons.append(type(error).__name__)
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok = False
                    break
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    errors[0] += 1
            if think:
                time.sleep(random.uniform(0.5 * think, 1.5 * think))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(visitor,)) for visitor in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if reasons:
        print(f"{name}: errors {sorted(set(reasons))}")
    return Result(name, latencies, errors[0], time.perf_counter() - clock["start"], queries)


def ratios(results: list[Result]) -> list[str]:
    """Each page's throughput under stress against the floor's faster run (issue 14: the dashboard at least 25%)."""
    floors = [r for r in results if r.name in (FLOOR, FLOOR_AGAIN)]
    if not floors:
        return []
    floor = max(r.throughput for r in floors)
    runs = " and ".join(f"{r.throughput:.0f}/s" for r in floors)
    return [
        f"{r.name} under stress: {r.throughput:.0f}/s, {100 * r.throughput / floor:.1f}% of the floor's faster run "
        f"({floor:.0f}/s; its runs: {runs})."
        for r in results
        if r.name in ("Dashboard", "Case page")
    ]


def write_section(
    results: list[Result],
    users: int,
    seconds: float,
    open_cases: int,
    absent: list[str],
    in_process: dict[str, float],
    load_before: tuple[float, float, float],
) -> None:
    cpu = platform.processor() or platform.machine()
    lines = [
        START,
        "## Pages under load",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} cores ({cpu}); Python "
        f"{platform.python_version()}, PostgreSQL on loopback. `python bench/bench_load.py`.",
        f"{users} concurrent users (threads with keep-alive connections, in the same machine as the server). "
        "First each user requests again the moment an answer arrives (a stress figure: 50 requests always in "
        "flight); then, in the rows marked 'people reading', each starts at a random moment of the first "
        f"{THINK:.0f} s and pauses 0.5 to 1.5 times {THINK:.0f} s between requests, as a person reading the page "
        "would. Each ran for "
        f"{seconds:.0f} s per page; gunicorn gthread, {WORKERS} workers x {THREADS} threads, serving `wsgi:app` "
        "as production does (each worker warmed up before the load); "
        f"{open_cases} open cases loaded. Targets: dashboard p99 < 300 ms, autosave p99 < 100 ms, the case page with "
        "20 facts changed p99 < 150 ms with people reading. Load average "
        f"(1, 5, 15 min) before the first row: {load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f}; "
        f"after the last: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (a shared machine: other work slows "
        "every row).",
        "",
        "| Page | Requests | Errors | Throughput | p50 | p99 | SQL statements per request |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        q = "–" if r.queries is None else str(r.queries)
        lines.append(
            f"| {r.name} | {len(r.latencies)} | {r.errors} | {r.throughput:.0f}/s | {r.percentile(0.5):.0f} ms "
            f"| {r.percentile(0.99):.0f} ms | {q} |"
        )
    lines += [
        "",
        "SQL statements include the session read (one statement with the user and the dashboard's data token, "
        "outside the transaction, on the driver's own cursor) and, on the case page, the audit row of the view, "
        "written as the request commits (conference.audit.record_view: the chain head's lock is held only for "
        "that moment). An autosave loads the "
        "conference in scope and the record, updates the record only if its version is unchanged, and writes "
        "its audit row; each user saves their own meeting's record, alternating two sections, sending the "
        "version the last save returned.",
    ]
    lines.append(
        "The dashboard's panels are cached per scope, role and period (conference/dashboard/cache.py), so the "
        "rows above measure mostly reused panels. In process, one request with the panels worked out afresh: "
        f"{in_process['afresh_statements']:.0f} SQL statements, {in_process['afresh_cpu_ms']:.1f} ms CPU "
        f"(median); reused: {in_process['reused_statements']:.0f} statements, {in_process['reused_cpu_ms']:.1f} "
        "ms CPU."
    )
    lines += ratios(results)
    if absent:
        lines.append("Not measured yet (the pages do not exist in this build): " + ", ".join(absent) + ".")
    lines.append(END)
    section = "\n".join(lines)
    replace_section(section, START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORDS",
        help="measure only the pages whose name contains WORDS (repeatable; the floor always runs); "
        "docs/benchmarks.md is left as it is",
    )
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.only or any(w.lower() in p.lower() for w in args.only)]
    if not pages:
        parser.error(f"--only {' '.join(args.only)} matches no page; the pages are: {'; '.join(PAGES)}")
    users, seconds, open_cases = (20, 4.0, 500) if args.quick else (50, 10.0, 500)
    from tests.support.database import create_postgres_database, drop_postgres_database

    name, url = create_postgres_database()
    servers: list[subprocess.Popen[bytes]] = []
    logs = Path(tempfile.mkdtemp())
    try:
        tokens, case_path, chairs, facts_case_path = seed(url, open_cases, sessions=users)
        paths = {"Dashboard": "/dashboard", "Case page": case_path, FACTS_PAGE: facts_case_path}
        absent = ["the board (convening)"]
        queries = count_queries(url, tokens[0], paths)
        queries[AUTOSAVE] = count_autosave_queries(url, chairs[0])
        in_process = dashboard_in_process(url, tokens[0])
        print(f"dashboard in process: {in_process}", flush=True)
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, CONVENE_ENV="test")
        app_port, floor_port = free_port(), free_port()
        # As production serves it (README: ``gunicorn wsgi:app``): each worker warms up at start-up
        # (conference/warmup.py), and the load starts once every worker says it has finished.
        log = logs / "gunicorn.log"
        servers.append(start_server("wsgi:app", app_port, env, log, ready="solver warm-up finished"))
        servers.append(start_server("bench.bench_load:floor_app()", floor_port, env))

        def visitors(page: str, count: int) -> list[Visitor]:
            if page == AUTOSAVE:
                return [Autosaver(chairs[n % len(chairs)]) for n in range(count)]
            return [Visitor(paths[page], tokens[n % len(tokens)]) for n in range(count)]

        # The floor's workers warm up as the app's do (below): measured the moment its port answered, one of its
        # two workers was often still starting, took every keep-alive connection, and the floor came out at
        # less than half its rate.
        time.sleep(2)
        load("floor warm-up", floor_port, [Visitor("/", None)] * 4, 1.0, None)
        load_before = os.getloadavg()
        results = [load(FLOOR, floor_port, [Visitor("/", None)] * users, seconds, None)]
        for page in pages:
            load(page, app_port, visitors(page, 4), 1.0, None)  # warm the workers
            results.append(load(page, app_port, visitors(page, users), seconds, queries[page]))
        # The floor again, after the stress rows: the ratio below uses the faster of its two runs (the stricter).
        results.append(load(FLOOR_AGAIN, floor_port, [Visitor("/", None)] * users, seconds, None))
        for page in pages:
            results.append(
                load(
                    f"{page}, people reading ({THINK:.0f} s pauses)",
                    app_port,
                    visitors(page, users),
                    seconds * 2,
                    queries[page],
                    think=THINK,
                )
            )
        for line in ratios(results):
            print(line, flush=True)
        for r in results:
            print(
                f"{r.name:28} {len(r.latencies):6} req {r.errors:3} err {r.throughput:7.0f}/s "
                f"p50 {r.percentile(0.5):6.0f} ms  p99 {r.percentile(0.99):6.0f} ms  queries {r.queries}"
            )
        print(f"load average before: {load_before}, after: {os.getloadavg()}", flush=True)
        if not args.only:
            write_section(results, users, seconds, open_cases, absent, in_process, load_before)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        drop_postgres_database(name)
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()
