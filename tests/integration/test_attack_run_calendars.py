"""A scripted attack run for issue 12, findings 6 and 7: calendar bombs, broken real calendars and SSRF.

Each step prints what the attack did and what Convene answered (run with ``-s`` to read the log), and asserts it:

1. A 431-byte calendar bomb uploaded to the directory is refused with a clear message, and nothing is stored.
2. Each real-world calendar that used to break the reader is either read or refused with a message.
3. A calendar feed pointing at a listener on 127.0.0.1 is refused on the person page; the listener sees nothing.
4. Calendars stored before these checks (a feed on loopback, a bomb file) do not stop the coordinator: the options
   page answers, the listener still sees nothing, and those people are shown as "availability unknown".
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conference.auth.models import Role
from conference.directory.models import AvailabilitySource, Person
from conference.extensions import db
from tests.integration.convening.conftest import build_area, convene_until_options, soup
from tests.support.factories import EMPTY_ICS, csrf_token

FIXTURES = Path(__file__).parents[1] / "unit" / "scheduler" / "calendar_fixtures"
HOURS = ",".join(str(n) for n in range(24))
SIXTY = ",".join(str(n) for n in range(60))
BOMB = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:b@x\r\n"
    "DTSTART:20261109T000000Z\r\nDURATION:PT1S\r\n"
    f"RRULE:FREQ=DAILY;BYHOUR={HOURS};BYMINUTE={SIXTY};BYSECOND={SIXTY}\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
BROKEN_CALENDARS = [
    "vtimezone_after_events.ics",
    "fiji.ics",
    "mixed_zones_and_dates.ics",
    "invalid_frequency.ics",
    "byday_with_space.ics",
    "rscale_hebrew.ics",
]


class CountingListener:
    """An HTTP server on 127.0.0.1 standing in for an internal service: it counts every request it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_REPORT = do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/internal/calendar.ics"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture()
def listener() -> Iterator[CountingListener]:
    running = CountingListener()
    running.thread.start()
    try:
        yield running
    finally:
        running.httpd.shutdown()
        running.httpd.server_close()
        running.thread.join(timeout=5)


def _person_form(client, path: str, **overrides: str) -> dict:
    data = {
        "csrf_token": csrf_token(client, path),
        "name": "Avery Example",
        "job_title": "Designated nurse",
        "email": "avery@example.test",
        "role_tags": "designated_nurse",
        "hours_mon": "09:00-17:00",
        "hours_tue": "",
        "hours_wed": "",
        "hours_thu": "",
        "hours_fri": "",
        "hours_sat": "",
        "hours_sun": "",
        "on_call": "no",
        "availability_source": "ics_upload",
        "availability_url": "",
    }
    data.update(overrides)
    return data


def _errors(response) -> str:
    summary = soup(response).select_one(".govuk-error-summary")
    return " ".join(summary.get_text().split()) if summary else ""


def test_attack_run_calendar_bombs_broken_calendars_and_ssrf(client, factories, listener, capsys):
    log: list[str] = []
    admin_agency = factories.agency(factories.area("WA", "Westarea"))
    admin = factories.user(admin_agency, Role.ADMINISTRATOR)
    factories.sign_in(client, admin)
    path = f"/directory/agencies/{admin_agency.id}/people/new"

    # 1. The bomb upload.
    data = _person_form(client, path)
    data["availability_ics"] = (io.BytesIO(BOMB), "diary.ics")
    response = client.post(path, data=data, content_type="multipart/form-data")
    log.append(f"1. bomb upload ({len(BOMB)} bytes): HTTP {response.status_code}: {_errors(response)}")
    assert len(BOMB) < 600
    assert response.status_code == 400
    assert "repeats too often" in _errors(response)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0

    # 2. Real calendars that broke the reader: read, or refused with a message; never a 500.
    for name in BROKEN_CALENDARS:
        data = _person_form(client, path, email=f"{name.split('.')[0]}@example.test")
        data["availability_ics"] = (io.BytesIO((FIXTURES / name).read_bytes()), name)
        response = client.post(path, data=data, content_type="multipart/form-data")
        outcome = "read and saved" if response.status_code == 302 else f"refused: {_errors(response)}"
        log.append(f"2. {name}: HTTP {response.status_code}, {outcome}")
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert "not a calendar file (.ics) Convene can read" in _errors(response)
    saved = db.session.scalar(select(func.count()).select_from(Person))
    assert saved == 3  # the VTIMEZONE-after, Fiji and mixed-zones calendars are read; the three bad rules refused

    # 3. A feed on loopback, typed on the person page.
    data = _person_form(
        client, path, email="feed@example.test", availability_source="ics_url", availability_url=listener.url
    )
    response = client.post(path, data=data, content_type="multipart/form-data")
    log.append(
        f"3. feed at {listener.url}: HTTP {response.status_code}: {_errors(response)}; "
        f"listener hits: {len(listener.hits)}"
    )
    assert response.status_code == 400
    assert "does not read calendars from local or private network addresses" in _errors(response)
    assert listener.hits == []
    assert db.session.scalar(select(func.count()).select_from(Person)) == saved

    # 4. Stored before the checks: a loopback feed for the police lead, a bomb for the health lead.
    area = build_area(factories)
    police, health = area.people["police"], area.people["health"]
    police.availability_source, police.availability_url = AvailabilitySource.ICS_URL, listener.url
    health.availability_source, health.availability_ics = AvailabilitySource.ICS_UPLOAD, BOMB.decode()
    deputy = area.people["health2"]  # the health deputy's (empty) diary is known, so health can be covered
    deputy.availability_source, deputy.availability_ics = AvailabilitySource.ICS_UPLOAD, EMPTY_ICS
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    started = datetime.now(UTC)
    options = client.get(f"/conferences/{conference_id}/options")
    took = datetime.now(UTC) - started
    page = soup(options)
    unknown = page.select_one("#unknown-availability")
    log.append(
        f"4. options page: HTTP {options.status_code} in {took.total_seconds():.1f}s; listener hits: "
        f"{len(listener.hits)}; shown: {' '.join(unknown.get_text().split()) if unknown else None}"
    )
    assert options.status_code == 200
    assert listener.hits == []
    assert unknown is not None
    text = " ".join(unknown.get_text().split())
    assert "availability is unknown and they are not booked as if free" in text
    assert "Rowan Police: The calendar address" in text and "local or private network (127.0.0.1)" in text
    assert "Kit Health: The uploaded calendar cannot be read:" in text and "repeats too often" in text
    assert page.select('input[name="proposal"]'), "the coordinator still gets times (from the deputies)"

    with capsys.disabled():
        print("\n" + "\n".join(log))
