"""Calendar bombs: small files whose repeating rules would expand into millions of events (issue 12, finding 6).

The reader must refuse them with a :class:`CalendarError` naming the limit, after bounded work, instead of expanding
everything and checking the count afterwards. The assertions are on the outcome; a SIGALRM safety net
of 5 seconds (the unbounded reader took 18 s on the first bomb, the bounded one well under a second) turns a
regression into a failure instead of a long hang.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scheduler.calendars import MAX_CALENDAR_BYTES, MAX_EVENTS, MAX_OCCURRENCES, CalendarError, busy_from_ics

WINDOW = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
ALL_HOURS = ",".join(str(n) for n in range(24))
ALL_MINUTES = ",".join(str(n) for n in range(60))


def bomb(rule: str, dtstart: str = "DTSTART:20261109T000000Z") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//bomb//EN",
        "BEGIN:VEVENT",
        "UID:bomb@test",
        "DTSTAMP:20261101T000000Z",
        dtstart,
        "DURATION:PT1S",
        f"RRULE:{rule}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture(autouse=True)
def safety_net() -> Iterator[None]:
    """Fail (rather than hang for minutes) if the reader expands a bomb again. Not a speed assertion."""

    def expired(signum: int, frame: object) -> None:
        raise AssertionError("the calendar reader was still working after 5 seconds: it expanded the bomb")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(5)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "rule",
    [
        f"FREQ=DAILY;BYHOUR={ALL_HOURS};BYMINUTE={ALL_MINUTES};BYSECOND={ALL_MINUTES}",
        f"FREQ=YEARLY;BYHOUR={ALL_HOURS};BYMINUTE={ALL_MINUTES};BYSECOND={ALL_MINUTES}",
        f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR={ALL_HOURS};BYMINUTE={ALL_MINUTES}",
        f"FREQ=HOURLY;BYMINUTE={ALL_MINUTES}",
    ],
    ids=["daily-every-second", "yearly-every-second", "weekly-every-minute", "hourly-every-minute"],
)
def test_a_small_rule_expanding_to_millions_of_events_is_refused(rule: str) -> None:
    data = bomb(rule)
    assert len(data) < 700  # the 431-byte attack, give or take

    with pytest.raises(CalendarError, match=f"more than {MAX_OCCURRENCES:,} events"):
        busy_from_ics(data, *WINDOW)


def test_a_rule_that_started_decades_ago_and_repeats_often_is_refused() -> None:
    data = bomb("FREQ=HOURLY;BYMINUTE=0,15,30,45", dtstart="DTSTART:19700101T000000Z")

    with pytest.raises(CalendarError, match="repeats too often"):
        busy_from_ics(data, *WINDOW)


def test_a_daily_event_for_years_is_still_read() -> None:
    data = bomb("FREQ=DAILY", dtstart="DTSTART:20000101T090000Z")

    result = busy_from_ics(data, *WINDOW)

    assert len(result.busy) == 14


def test_data_over_the_size_cap_is_refused_before_parsing() -> None:
    padding = b"X-PAD:" + b"x" * MAX_CALENDAR_BYTES + b"\r\nEND:VCALENDAR"
    data = bomb("FREQ=DAILY;COUNT=1").replace(b"END:VCALENDAR", padding)

    with pytest.raises(CalendarError, match="larger than"):
        busy_from_ics(data, *WINDOW)


def test_too_many_events_are_refused() -> None:
    one = "BEGIN:VEVENT\r\nUID:e{n}\r\nDTSTART:20250110T090000Z\r\nDURATION:PT1M\r\nEND:VEVENT\r\n"
    body = "".join(one.format(n=n) for n in range(MAX_EVENTS + 1))
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n{body}END:VCALENDAR\r\n"

    with pytest.raises(CalendarError, match=f"more than {MAX_EVENTS:,}"):
        busy_from_ics(data, *WINDOW)


def test_a_rule_that_never_matches_is_stopped_by_the_time_budget() -> None:
    # dateutil searches day by day to the year 9999 for a 30 February: seconds of work, no occurrence.
    data = bomb("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")

    with pytest.raises(CalendarError, match="took too long to read"):
        busy_from_ics(data, *WINDOW, time_budget_seconds=0.2)

    # The budget's watchdog is gone: the next read is not interrupted.
    assert busy_from_ics(bomb("FREQ=DAILY;COUNT=2"), *WINDOW).busy


@pytest.mark.parametrize("rule", ["FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;INTERVAL=-3", "FREQ=MINUTELY;INTERVAL=1"])
def test_rules_that_repeat_without_end_in_no_time_are_refused(rule: str) -> None:
    with pytest.raises(CalendarError, match="INTERVAL|repeats too often|cannot read"):
        busy_from_ics(bomb(rule), *WINDOW)
