"""The first options page after a worker starts, and the ones after it: 10 roles x 6 candidates x 7 days, over HTTP.

    python bench/bench_first_options.py            # 10 meetings per server
    python bench/bench_first_options.py --quick    # 4

A served process warms the solver at start-up (conference/warmup.py). This starts a fresh gunicorn worker on
``wsgi:app`` (as production does) on a throwaway PostgreSQL database, waits until the worker's log says the
warm-up finished, then times the options page of each meeting in turn: the first request for a meeting's options
runs the solver ("Find times": a POST to /conferences/<id>/options, timed with the page it leads to). For contrast,
the same run on a fresh worker with the warm-up switched off (``CONVENE_WARM_SOLVER=0``).
Target: every options page, the first included, under 300 ms.
Writes its section of docs/benchmarks.md between ``<!-- first-options:start -->`` and ``<!-- first-options:end -->``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import platform
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import replace_section  # noqa: E402

START, END = "<!-- first-options:start -->", "<!-- first-options:end -->"
SECRET = secrets.token_urlsafe(48)
ROLES, CANDIDATES, DAYS = 10, 6, 7
TARGET_MS = 300.0
SHAPES = ("busy", "empty")
EMPTY_ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nEND:VCALENDAR\r\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def busy_ics(rng: random.Random, first_day: datetime) -> str:
    """One to three busy hours on each working day of the window, in UTC."""
    events = []
    for day in range(DAYS + 1):
        base = first_day + timedelta(days=day)
        for n in range(rng.randint(1, 3)):
            start = base.replace(hour=rng.randint(8, 16), minute=rng.choice((0, 30)))
            end = start + timedelta(minutes=rng.choice((30, 60, 90)))
            events.append(
                "BEGIN:VEVENT\r\n"
                f"UID:{day}-{n}-{rng.random()}@bench\r\nDTSTAMP:20300101T000000Z\r\n"
                f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
                "END:VEVENT\r\n"
            )
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def seed(url: str, meetings: int) -> tuple[str, dict[str, list[str]]]:
    """An area whose draft meetings each have 10 seats of 6 ranked candidates and a 7-day window; a signed-in
    coordinator's session token and the meetings' ids by calendar shape: ``busy`` (uploaded calendars with 1-3
    busy hours a day) and ``empty`` (uploaded calendars with nothing in them: the page without calendar parsing)."""
    from sqlalchemy import create_engine

    from conference import create_app, migrate
    from conference.auth.models import Role, User, UserSession
    from conference.cases.models import Case, Gender, MissingRisk
    from conference.config import Settings
    from conference.convening.models import Conference, ConferenceRole, ConferenceStatus
    from conference.directory.models import Agency, AvailabilitySource, LocalAuthority, Person
    from conference.extensions import db
    from rules.vocabulary import AgencyKind, MeetingType, Nation, Seat

    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(Settings(environment="test", secret_key=SECRET, database_url=url))
    rng = random.Random(7)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    first_day = (now + timedelta(days=1)).replace(hour=0, minute=0)
    hours = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    with app.app_context(), db.unit_of_work() as session:
        area = LocalAuthority(
            code="BN",
            name="Benchshire",
            nation=Nation.ENGLAND,
            contact_phone="01632 960000",
            contact_email="mash@bench.example",
        )
        session.add(area)
        session.flush()
        agency = Agency(
            name="Benchshire Children's Services",
            kind=AgencyKind.CHILDREN_SOCIAL_CARE,
            local_authority_id=area.id,
            secure_email="csc@bench.example",
        )
        session.add(agency)
        session.flush()
        seats = list(Seat)[:ROLES]
        people: dict[tuple[str, Seat], list[Person]] = {}
        for shape in SHAPES:
            for seat in seats:
                people[shape, seat] = [
                    Person(
                        agency_id=agency.id,
                        name=f"{seat.label} {n}",
                        job_title="Officer",
                        email=f"{shape}.{seat.value}{n}@bench.example",
                        working_hours=hours,
                        availability_source=AvailabilitySource.ICS_UPLOAD,
                        availability_ics=busy_ics(rng, first_day) if shape == "busy" else EMPTY_ICS,
                    )
                    for n in range(CANDIDATES)
                ]
                session.add_all(people[shape, seat])
        user = User(
            email="coordinator@bench.example",
            display_name="Coordinator",
            password_hash="x",
            role=Role.COORDINATOR,
            agency_id=agency.id,
        )
        session.add(user)
        session.flush()
        ids: dict[str, list[str]] = {shape: [] for shape in SHAPES}
        for m in range(meetings * len(SHAPES)):
            shape = SHAPES[m % len(SHAPES)]
            case = Case(
                reference=f"BN-2030-{m + 1:04d}",
                local_authority_id=area.id,
                nation=Nation.ENGLAND,
                child_first_name="Bench",
                child_last_name=f"Child {m}",
                child_estimated_age=15,
                gender=Gender.NOT_KNOWN,
                identified_at=now - timedelta(hours=2),
                missing_risk=MissingRisk.HIGH,
                created_by_id=user.id,
            )
            session.add(case)
            session.flush()
            meeting = Conference(
                case_id=case.id,
                reference=f"MTG-B{m:03d}",
                meeting_type=MeetingType.STRATEGY_DISCUSSION,
                nation=Nation.ENGLAND,
                status=ConferenceStatus.DRAFT,
                earliest_start_at=first_day,
                deadline_at=first_day + timedelta(days=DAYS),
                duration_minutes=60,
                ical_uid=f"bench-{m}@bench.example",
                created_by_id=user.id,
            )
            session.add(meeting)
            session.flush()
            for k, seat in enumerate(seats):
                ranked = [str(p.id) for p in people[shape, seat]]
                rng.shuffle(ranked)
                session.add(ConferenceRole(conference_id=meeting.id, role=seat, position=k, candidate_ids=ranked))
            ids[shape].append(str(meeting.id))
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
    return token, ids


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int, float]:
    """A fresh gunicorn worker on wsgi:app; returns it, its port and the seconds until it accepted connections."""
    port = free_port()
    began = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-k",
                "gthread",
                "-w",
                "1",
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{port}",
                "--chdir",
                str(ROOT),
                "wsgi:app",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port, time.perf_counter() - began
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


def wait_for(log: Path, text: str, seconds: float) -> float | None:
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        if text in log.read_text():
            return time.perf_counter() - began
        time.sleep(0.02)
    return None


def time_options(port: int, token: str, ids: list[str]) -> list[float]:
    """Milliseconds from pressing "Find times" to the options page shown (the POST that runs the solver and the
    page it redirects to), for each meeting: no options exist yet. Opening the page first is not timed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"__Host-convene={token}", "X-Forwarded-Proto": "https"}
    timings = []
    for conference_id in ids:
        path = f"/conferences/{conference_id}/options"
        connection.request("GET", path, headers=headers)
        page = connection.getresponse().read().decode()
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, page[:2000]
        form = urllib.parse.urlencode({"csrf_token": match.group(1), "action": "find"})
        began = time.perf_counter()
        connection.request(
            "POST",
            path,
            body=form,
            headers={
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://127.0.0.1",
                "Referer": f"https://127.0.0.1{path}",
            },
        )
        response = connection.getresponse()
        response.read()
        assert response.status in (302, 303), response.status
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status == 200, (response.status, body[:500])
        assert b"Select a time" in body or b"proposal" in body, body[:2000]
    connection.close()
    return timings


def run(url: str, token: str, ids: list[str], warm: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET, CONVENE_ENV="test", CONVENE_WARM_SOLVER="1" if warm else "0")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        process, port, up = serve(env, log)
        try:
            warmed = wait_for(log, "solver warm-up finished", 60) if warm else None
            if warm and warmed is None:
                raise RuntimeError(f"the warm-up did not finish: {log.read_text()[-2000:]}")
            timings = time_options(port, token, ids)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return {"up": up, "warmed": warmed, "first": timings[0], "later": timings[1:]}


def write_section(results: dict[str, dict[str, object]], meetings: int) -> None:
    def row(name: str, r: dict[str, object]) -> str:
        later = sorted(r["later"])  # type: ignore[type-var,arg-type]
        worst = max([r["first"], *later])  # type: ignore[type-var,list-item]
        warmed = f"{r['warmed'] * 1000:.0f} ms" if r["warmed"] is not None else "—"  # type: ignore[operator]
        median = later[len(later) // 2] if later else float("nan")
        verdict = "yes" if worst < TARGET_MS else "no"
        return f"| {name} | {warmed} | {r['first']:.0f} ms | {median:.0f} ms | {worst:.0f} ms | {verdict} |"

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        START,
        "## First options page after a worker starts",
        "",
        f"`bench/bench_first_options.py`: a fresh gunicorn worker (`wsgi:app`, gthread) on PostgreSQL; {ROLES} roles x "
        f"{CANDIDATES} ranked candidates x {DAYS} days, 60-minute meeting; {meetings} "
        "meetings per row, each options page over HTTP runs the solver. The warm-up (`conference/warmup.py`) "
        "imports OR-Tools, solves a tiny request, reads a tiny calendar and compiles the templates in a background "
        "thread at start-up. "
        f"Target: every page under {TARGET_MS:.0f} ms.",
        "",
        "| worker | warm-up finished after start | first page | later pages (median) | slowest | under target |",
        "| --- | --- | --- | --- | --- | --- |",
        row("warmed at start-up (default), busy calendars", results["warm busy"]),
        row("no warm-up (`CONVENE_WARM_SOLVER=0`), busy calendars", results["cold busy"]),
        row("warmed at start-up (default), empty calendars", results["warm empty"]),
        row("no warm-up (`CONVENE_WARM_SOLVER=0`), empty calendars", results["cold empty"]),
        "",
        "Each calendar is read once per content (the calendar read cache, `scheduler.calendars.ReadCache`), and",
        "the warm-up reads the directory's uploaded calendars at start-up, so no page parses the 60 calendars",
        "(before that cache, parsing them on every solve was most of a busy page: 461 ms first, 490 ms later on a",
        "quiet machine). What is left of the difference between busy and empty calendars is the solve itself;",
        "see the in-process section below.",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs shared with other work (load average {load}).",
        END,
    ]
    replace_section("\n".join(lines), START, END)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    meetings = 4 if args.quick else 10
    from tests.support.database import create_postgres_database, drop_postgres_database

    name, url = create_postgres_database()
    try:
        token, ids = seed(url, 2 * meetings)
        results = {}
        for shape in SHAPES:
            results[f"warm {shape}"] = run(url, token, ids[shape][:meetings], warm=True)
            results[f"cold {shape}"] = run(url, token, ids[shape][meetings:], warm=False)
        for key, r in results.items():
            print(
                f"{key}: first {r['first']:.0f} ms, later {[round(x) for x in r['later']]} ms, "  # type: ignore[attr-defined]
                f"warm-up {r['warmed']}"
            )
        write_section(results, meetings)
    finally:
        drop_postgres_database(name)


if __name__ == "__main__":
    main()
