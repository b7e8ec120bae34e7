"""The fast availability sweep and start-grain generator agree with their per-start definitions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.availability import (
    Calendar,
    Status,
    _day_starts,
    _disjoint,
    _regular_day_starts,
    build_calendar,
    start_grains,
    sweep,
)
from scheduler.model import Person, parse_request

DAY_BASES = [dt.date(2026, 3, 28), dt.date(2026, 10, 24), dt.date(2026, 11, 23)]  # clock changes, plain week
ZONES = ["Europe/London", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Apia"]


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("grain", [10, 15, 60, 90])
def test_regular_days_match_the_per_time_definition(zone_name: str, grain: int) -> None:
    zone = ZoneInfo(zone_name)
    regular = 0
    for offset in range(0, 800, 5):
        day_on = dt.date(2010, 1, 1) + dt.timedelta(days=offset)
        fast = _regular_day_starts(day_on, grain, zone, {})
        exact = sorted(set(_day_starts(day_on, grain, zone)))
        if fast is None:
            continue  # a clock-change day: the exact path is used
        regular += 1
        assert fast == exact, day_on
    assert regular > 120


def test_clock_change_just_after_midnight_keeps_the_repeated_hour() -> None:
    # St John's went back an hour at 00:01 on 7 November 2010, so 23:01-23:59 on the 6th happened twice.
    zone = ZoneInfo("America/St_Johns")
    day_on = dt.date(2010, 11, 6)
    assert _regular_day_starts(day_on, 15, zone, {}) is None
    request = parse_request(
        {
            "timezone": "America/St_Johns",
            "earliest_start": "2010-11-07T01:00:00Z",
            "deadline": "2010-11-07T05:00:00Z",
            "duration_minutes": 15,
            "grain_minutes": 15,
            "roles": [{"role": "chair", "required": True, "candidates": ["p1"]}],
            "people": {},
        }
    )
    locals_ = [
        dt.datetime.fromtimestamp(m * 60, dt.UTC).astimezone(zone).strftime("%H:%M") for m in start_grains(request)
    ]
    assert locals_.count("23:15") == 2 and locals_.count("23:00") == 1


@st.composite
def calendars(draw: st.DrawFn) -> tuple[Calendar, list[int], int]:
    zone = ZoneInfo("Europe/London")
    base = draw(st.sampled_from(DAY_BASES))
    origin = int(dt.datetime.combine(base, dt.time(), tzinfo=dt.UTC).timestamp()) // 60
    clocks = st.integers(0, 96).map(lambda q: q * 15)
    hours: list[tuple[tuple[int, int], ...]] = []
    for _ in range(7):
        cuts = sorted(set(draw(st.lists(clocks, max_size=4))))
        pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
        hours.append(tuple(pairs))
    busy = []
    for _ in range(draw(st.integers(0, 6))):
        start = origin + draw(st.integers(-120, 3 * 1440))
        busy.append((start, start + draw(st.integers(0, 600))))
    known = draw(st.integers(0, 9)) > 0
    person = Person("p", tuple(hours), draw(st.booleans()), (), availability_known=known)
    calendar = build_calendar(person, zone, origin, origin + 3 * 1440, busy)
    grain = draw(st.sampled_from([5, 15, 30, 60]))
    starts = sorted({origin + draw(st.integers(0, 3 * 1440 // grain)) * grain for _ in range(60)})
    return calendar, starts, draw(st.sampled_from([15, 30, 60, 90, 240]))


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_sweep_matches_per_start_status(case: tuple[Calendar, list[int], int]) -> None:
    calendar, starts, duration = case
    assert sweep(calendar, starts, duration) == tuple(calendar.status(s, s + duration) for s in starts)


def test_sweep_falls_back_when_windows_overlap() -> None:
    person = Person("p", tuple(() for _ in range(7)), False, ())
    calendar = Calendar(person, busy=(), windows=((0, 120), (60, 90)))
    starts = [0, 30, 60, 90]
    assert not _disjoint(calendar.windows)
    assert sweep(calendar, starts, 30)[:3] == (Status.FREE, Status.FREE, Status.FREE)
    assert sweep(calendar, starts, 30) == tuple(calendar.status(s, s + 30) for s in starts)
