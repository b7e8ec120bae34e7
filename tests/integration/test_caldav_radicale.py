"""scheduler.caldav against a real Radicale 3.9 server started by these tests.

The servers listen on 127.0.0.1, which the client refuses unless allowed (server-side request forgery,
issue 12 finding 7): these tests put 127.0.0.1 on the allow-list explicitly, as CONVENE_CALENDAR_ALLOWED_HOSTS
would for a calendar server inside the network.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypedDict

import pytest

from scheduler.caldav import (
    CalendarSource,
    CalendarUnavailable,
    Unknown,
    availability_for_person,
    fetch_events_busy,
    fetch_free_busy,
    fetch_ics_feed,
)
from scheduler.calendars import BusyResult

from .radicale_server import RadicaleServer, free_port

USERS = {"alice": "correct horse", "bob": "battery staple"}
CALENDAR = "alice/work/"
SUMMER = "alice/summer/"

LONDON_TZ = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def calendar(*bodies: str) -> str:
    text = "\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Convene tests//EN", *bodies, "END:VCALENDAR"])
    return text.replace("\n", "\r\n") + "\r\n"


def vevent(uid: str, *lines: str) -> str:
    return "\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z", *lines, "END:VEVENT"])


EVENTS = {
    "one-off.ics": calendar(vevent("one-off", "DTSTART:20261109T090000Z", "DTEND:20261109T100000Z")),
    "daily.ics": calendar(
        LONDON_TZ,
        vevent(
            "daily",
            "DTSTART;TZID=Europe/London:20261109T140000",
            "DTEND;TZID=Europe/London:20261109T143000",
            "RRULE:FREQ=DAILY;COUNT=5",
            "EXDATE;TZID=Europe/London:20261111T140000",
        ),
        vevent(
            "daily",
            "RECURRENCE-ID;TZID=Europe/London:20261112T140000",
            "DTSTART;TZID=Europe/London:20261112T160000",
            "DTEND;TZID=Europe/London:20261112T170000",
        ),
        vevent(
            "daily",
            "RECURRENCE-ID;TZID=Europe/London:20261113T140000",
            "DTSTART;TZID=Europe/London:20261113T140000",
            "DTEND;TZID=Europe/London:20261113T143000",
            "STATUS:CANCELLED",
        ),
    ),
    "transparent.ics": calendar(
        vevent("transparent", "DTSTART:20261110T100000Z", "DTEND:20261110T110000Z", "TRANSP:TRANSPARENT")
    ),
    "cancelled.ics": calendar(
        vevent("cancelled", "DTSTART:20261110T120000Z", "DTEND:20261110T130000Z", "STATUS:CANCELLED")
    ),
    "tentative.ics": calendar(
        vevent("tentative", "DTSTART:20261111T090000Z", "DTEND:20261111T103000Z", "STATUS:TENTATIVE")
    ),
    "overlapping.ics": calendar(vevent("overlapping", "DTSTART:20261111T100000Z", "DTEND:20261111T110000Z")),
}

WINDOW = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


EXPECTED_BUSY = (
    (at(9, 9), at(9, 10)),  # one-off
    (at(9, 14), at(9, 14, 30)),  # daily, first
    (at(10, 14), at(10, 14, 30)),  # daily; the transparent and the cancelled events of the 10th do not block
    (at(11, 9), at(11, 11)),  # tentative 9:00-10:30 merged with the overlapping 10:00-11:00; 11th 14:00 is EXDATE
    (at(12, 16), at(12, 17)),  # the override moved to 16:00; 13th: the cancelled instance
)
EXPECTED_TENTATIVE = ((at(11, 9), at(11, 10, 30)),)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    with RadicaleServer(tmp_path_factory.mktemp("radicale"), USERS) as running:
        running.make_calendar("alice", CALENDAR)
        for name, ics in EVENTS.items():
            running.put_event("alice", CALENDAR + name, ics)
        running.make_calendar("alice", SUMMER)
        running.put_event(
            "alice",
            SUMMER + "leave.ics",
            calendar(vevent("leave", "DTSTART;VALUE=DATE:20260701", "DTEND;VALUE=DATE:20260702")),
        )
        yield running


#: The test servers' host, allowed explicitly (the default allow-list is empty).
LOCAL = ("127.0.0.1",)


class Credentials(TypedDict):
    username: str
    password: str
    allowed_hosts: tuple[str, ...]


def alice(server: RadicaleServer) -> Credentials:
    return {"username": "alice", "password": USERS["alice"], "allowed_hosts": LOCAL}


def test_free_busy_query_gives_the_exact_busy_intervals(server: RadicaleServer) -> None:
    result = fetch_free_busy(server.url(CALENDAR), *WINDOW, **alice(server))

    assert result.busy == EXPECTED_BUSY
    assert result.tentative == EXPECTED_TENTATIVE


def test_calendar_query_of_the_events_gives_the_same_busy_intervals(server: RadicaleServer) -> None:
    result = fetch_events_busy(server.url(CALENDAR), *WINDOW, **alice(server))

    assert result.busy == EXPECTED_BUSY
    assert result.tentative == EXPECTED_TENTATIVE


def test_the_calendar_as_an_ics_feed_gives_the_same_busy_intervals(server: RadicaleServer) -> None:
    result = fetch_ics_feed(server.url(CALENDAR), *WINDOW, **alice(server))

    assert result.busy == EXPECTED_BUSY


def test_a_narrow_window_clips_the_busy_intervals(server: RadicaleServer) -> None:
    window = (at(11, 10), at(12, 16, 30))

    assert fetch_free_busy(server.url(CALENDAR), *window, **alice(server)).busy == (
        (at(11, 10), at(11, 11)),
        (at(12, 16), at(12, 16, 30)),
    )
    assert fetch_events_busy(server.url(CALENDAR), *window, **alice(server)).busy == (
        (at(11, 10), at(11, 11)),
        (at(12, 16), at(12, 16, 30)),
    )


def test_radicale_reads_all_day_events_as_utc_days_and_we_read_them_as_london_days(server: RadicaleServer) -> None:
    # A known difference, pinned here: Radicale's free-busy answer puts an all-day event on the UTC
    # day, while our own reading of the events uses the London day (BST in July: 23:00Z to 23:00Z).
    window = (datetime(2026, 6, 29, tzinfo=UTC), datetime(2026, 7, 4, tzinfo=UTC))

    from_server = fetch_free_busy(server.url(SUMMER), *window, **alice(server))
    from_events = fetch_events_busy(server.url(SUMMER), *window, **alice(server))

    assert from_server.busy == ((datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 2, tzinfo=UTC)),)
    assert from_events.busy == ((datetime(2026, 6, 30, 23, tzinfo=UTC), datetime(2026, 7, 1, 23, tzinfo=UTC)),)


def test_wrong_password_is_unavailable_with_status_401(server: RadicaleServer) -> None:
    with pytest.raises(CalendarUnavailable, match="refused access") as raised:
        fetch_free_busy(server.url(CALENDAR), *WINDOW, username="alice", password="wrong", allowed_hosts=LOCAL)

    assert raised.value.status == 401
    assert "wrong" not in raised.value.message


def test_another_users_calendar_is_refused(server: RadicaleServer) -> None:
    with pytest.raises(CalendarUnavailable) as raised:
        fetch_free_busy(server.url(CALENDAR), *WINDOW, username="bob", password=USERS["bob"], allowed_hosts=LOCAL)

    assert raised.value.status == 403


def test_missing_calendar_is_unavailable(server: RadicaleServer) -> None:
    with pytest.raises(CalendarUnavailable) as raised:
        fetch_events_busy(server.url("alice/no-such-calendar/"), *WINDOW, **alice(server))

    assert raised.value.status is not None and raised.value.status >= 400


def test_dead_port_is_unavailable() -> None:
    with pytest.raises(CalendarUnavailable, match="cannot be reached"):
        fetch_free_busy(f"http://127.0.0.1:{free_port()}/alice/work/", *WINDOW, timeout=2, allowed_hosts=LOCAL)


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/alice/work/"

        with pytest.raises(CalendarUnavailable, match="did not answer within 0.3 seconds"):
            fetch_free_busy(url, *WINDOW, timeout=0.3, allowed_hosts=LOCAL)


def test_feed_larger_than_the_cap_is_refused(server: RadicaleServer) -> None:
    with pytest.raises(CalendarUnavailable, match="larger than 200 bytes"):
        fetch_ics_feed(server.url(CALENDAR), *WINDOW, max_bytes=200, **alice(server))


def test_feed_url_must_be_http(tmp_path: Path) -> None:
    feed = tmp_path / "feed.ics"
    feed.write_text(EVENTS["one-off.ics"])

    with pytest.raises(CalendarUnavailable, match="must start with https://"):
        fetch_ics_feed(feed.as_uri(), *WINDOW)


def test_availability_for_person_combines_sources(server: RadicaleServer) -> None:
    sources = [
        CalendarSource("caldav", server.url(CALENDAR), "alice", USERS["alice"]),
        CalendarSource("ics", server.url(SUMMER), "alice", USERS["alice"]),
    ]
    window = (datetime(2026, 6, 29, tzinfo=UTC), WINDOW[1])

    availability = availability_for_person(sources, *window, allowed_hosts=LOCAL)

    assert isinstance(availability, BusyResult)
    assert availability.busy[0] == (datetime(2026, 6, 30, 23, tzinfo=UTC), datetime(2026, 7, 1, 23, tzinfo=UTC))
    assert availability.busy[1:] == EXPECTED_BUSY


def test_availability_is_unknown_not_free_when_any_source_fails(server: RadicaleServer) -> None:
    sources = [
        CalendarSource("caldav", server.url(CALENDAR), "alice", USERS["alice"]),
        CalendarSource("caldav", server.url(CALENDAR), "alice", "wrong"),
    ]

    availability = availability_for_person(sources, *WINDOW, allowed_hosts=LOCAL)

    assert isinstance(availability, Unknown)
    assert "refused access" in availability.reason
    assert availability_for_person([], *WINDOW) == Unknown("No calendar is linked for this person.")


# --- A server without free-busy support (the fallback), and one that redirects --------------------

MULTISTATUS = f"""<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:response><D:href>/cal/a.ics</D:href><D:propstat>
  <D:prop><C:calendar-data>{EVENTS["one-off.ics"]}</C:calendar-data></D:prop>
  <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
 <D:response><D:href>/cal/b.ics</D:href><D:propstat>
  <D:prop><C:calendar-data/></D:prop>
  <D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>
</D:multistatus>"""


class NoFreeBusyHandler(BaseHTTPRequestHandler):
    """Answers calendar-query REPORTs, refuses free-busy-query with 501, redirects /moved/."""

    queries: list[str] = []

    def do_REPORT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.queries.append("free-busy" if "free-busy-query" in body else "calendar-query")
        if self.path.startswith("/moved/"):
            self._answer(301, "", {"Location": "/cal/"})
        elif "free-busy-query" in body:
            self._answer(501, "not implemented")
        else:
            self._answer(207, MULTISTATUS, {"Content-Type": "application/xml; charset=utf-8"})

    def _answer(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture()
def no_free_busy_server() -> Iterator[str]:
    NoFreeBusyHandler.queries = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NoFreeBusyHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_availability_falls_back_to_the_events_when_free_busy_is_not_supported(no_free_busy_server: str) -> None:
    availability = availability_for_person(
        [CalendarSource("caldav", no_free_busy_server + "/cal/")], *WINDOW, allowed_hosts=LOCAL
    )

    assert NoFreeBusyHandler.queries == ["free-busy", "calendar-query"]
    assert availability == BusyResult(busy=((at(9, 9), at(9, 10)),))


def test_a_redirect_is_not_followed_but_reported(no_free_busy_server: str) -> None:
    with pytest.raises(CalendarUnavailable, match="has moved") as raised:
        fetch_events_busy(no_free_busy_server + "/moved/?token=secret", *WINDOW, allowed_hosts=LOCAL)

    assert raised.value.status == 301
    assert "secret" not in raised.value.message
