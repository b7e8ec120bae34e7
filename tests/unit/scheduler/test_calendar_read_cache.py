"""The calendar read cache (scheduler.calendars.ReadCache): a calendar is parsed once per content, and what it
answers from memory is exactly what reading the data again would answer."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler import calendars
from scheduler.calendars import READ_CACHE, CalendarError, ReadCache, busy_from_ics

FIXTURES = Path(__file__).parent / "calendar_fixtures"
RECURRING = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/London:20260105T093000\r\n"
    "DTEND;TZID=Europe/London:20260105T100000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR\r\nEXDATE;TZID=Europe/London:"
    "20260309T093000\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:leave\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260312\r\n"
    "DTEND;VALUE=DATE:20260314\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:maybe\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T140000Z\r\nDTEND:20260310T153000Z\r\n"
    "STATUS:TENTATIVE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture(autouse=True)
def _empty() -> None:
    READ_CACHE.clear()


def uncached(data: bytes | str, start: datetime, end: datetime) -> calendars.BusyResult:
    return calendars._read_guarded(data, start, end, calendars.TIME_BUDGET_SECONDS)


def test_a_second_read_of_the_same_calendar_does_not_parse_it(monkeypatch) -> None:
    parses: list[int] = []
    real = calendars._parse

    def counting(data: bytes | str) -> list[object]:
        parses.append(1)
        return real(data)  # type: ignore[return-value]

    monkeypatch.setattr(calendars, "_parse", counting)
    start = datetime(2026, 3, 9, 8, tzinfo=UTC)
    first = busy_from_ics(RECURRING, start, start + timedelta(days=5))
    second = busy_from_ics(RECURRING, start + timedelta(hours=3), start + timedelta(days=4))
    assert len(parses) == 1
    assert READ_CACHE.hits == 1
    assert first.busy and second.busy and second.busy != first.busy
    assert second == uncached(RECURRING, start + timedelta(hours=3), start + timedelta(days=4))


def test_other_content_is_read_afresh() -> None:
    start = datetime(2026, 3, 9, tzinfo=UTC)
    busy_from_ics(RECURRING, start, start + timedelta(days=5))
    changed = RECURRING.replace("STATUS:TENTATIVE", "STATUS:CONFIRMED")
    result = busy_from_ics(changed, start, start + timedelta(days=5))
    assert result.tentative == () and READ_CACHE.hits == 0


def test_what_the_cache_answers_is_what_reading_again_answers() -> None:
    """Random windows inside and across earlier spans, over every readable fixture and a recurring calendar."""
    rng = random.Random(14)
    sources: list[bytes | str] = [RECURRING]
    for path in sorted(FIXTURES.glob("*.ics")):
        data = path.read_bytes()
        try:
            uncached(data, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
        except CalendarError:
            continue
        sources.append(data)
    assert len(sources) > 3
    checked = 0
    for data in sources:
        base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 200))
        for _ in range(6):  # mostly inside the span of the first read, sometimes across or beyond it
            start = base + timedelta(minutes=15 * rng.randrange(0, 4 * 24 * 14))
            end = start + timedelta(minutes=15 * rng.randrange(1, 4 * 24 * 4))
            assert busy_from_ics(data, start, end) == uncached(data, start, end), (data[:60], start, end)
            checked += 1
    assert READ_CACHE.hits > 0 and checked == 6 * len(sources)


def test_a_window_longer_than_the_span_is_read_whole() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=40)
    assert busy_from_ics(RECURRING, start, end) == uncached(RECURRING, start, end)
    assert busy_from_ics(RECURRING, start + timedelta(days=20), end) == uncached(
        RECURRING, start + timedelta(days=20), end
    )
    assert READ_CACHE.hits == 1


def test_what_cannot_be_read_is_not_kept() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    cut_short = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"
    for _ in range(2):
        with pytest.raises(CalendarError):
            busy_from_ics(cut_short, start, start + timedelta(days=1))
    assert len(READ_CACHE) == 0


def test_the_cache_is_bounded() -> None:
    cache = ReadCache(max_entries=3)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    result = calendars.BusyResult(busy=())
    for n in range(5):
        cache.put(f"k{n}", start, start + timedelta(days=1), result)
    assert len(cache) == 3
    assert cache.get("k0", start, start + timedelta(hours=1)) is None
    assert cache.get("k4", start, start + timedelta(hours=1)) == result
