"""Pure pieces of convening: backoff, working-hours check for "another time", form moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conference.convening.availability import _within_hours
from conference.convening.forms import parse_moment
from conference.forms import FormErrors
from conference.outbox.worker import MAX_BACKOFF, backoff

NINE_TO_FIVE = tuple(((9 * 60, 17 * 60),) if d < 5 else () for d in range(7))


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert backoff(50) == MAX_BACKOFF


def test_within_hours_follows_london_clock_changes():
    summer = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 9am BST, a Monday
    assert _within_hours(NINE_TO_FIVE, summer, summer + timedelta(hours=1))
    winter = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 8am GMT
    assert not _within_hours(NINE_TO_FIVE, winter, winter + timedelta(hours=1))
    saturday = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)
    assert not _within_hours(NINE_TO_FIVE, saturday, saturday + timedelta(hours=1))


def test_parse_moment_reads_local_time_and_reports_errors():
    errors = FormErrors()
    moment = parse_moment({"m-day": "1", "m-month": "July", "m-year": "2026", "m-time": "2:30pm"}, "m", "x", errors)
    assert not errors and moment == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    errors = FormErrors()
    assert parse_moment({"m-day": "1", "m-month": "7", "m-year": "2026", "m-time": "noonish"}, "m", "x", errors) is None
    assert errors.get("m-time") == "Enter a real time, for example 2:30pm or 14:30"
