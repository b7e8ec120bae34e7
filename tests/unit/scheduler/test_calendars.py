"""Busy time read from real-world iCalendar data (scheduler.calendars)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.calendars import BusyResult, CalendarError, busy_from_ics, combine, merge_intervals, to_request_busy

FIXTURES = Path(__file__).parent / "calendar_fixtures"


def at(text: str) -> datetime:
    """An aware UTC datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def spans(*pairs: tuple[str, str]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((at(start), at(end)) for start, end in pairs)


def read(name: str, start: str, end: str) -> BusyResult:
    return busy_from_ics((FIXTURES / name).read_bytes(), at(start), at(end))


def wrap(body: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body.strip()}\r\nEND:VCALENDAR\r\n"


def event(uid: str, start: str, end: str, extra: str = "") -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", start, end, *extra.split("\n"), "END:VEVENT"]
    return "\r\n".join(line for line in lines if line)


# --- Outlook ------------------------------------------------------------------------------------


def test_outlook_export_with_windows_zones_and_busy_status() -> None:
    result = read("outlook_windows_zones.ics", "2026-06-08 00:00", "2026-06-20 00:00")

    assert result.busy == spans(
        ("2026-06-10 08:00", "2026-06-10 09:00"),  # 09:00 GMT Standard Time in summer = BST
        ("2026-06-10 12:00", "2026-06-10 13:00"),  # 14:00 Romance Standard Time in summer = CEST
        ("2026-06-11 14:00", "2026-06-11 15:00"),  # Outlook tentative
        ("2026-06-11 23:00", "2026-06-12 23:00"),  # all-day leave: the whole London day
        ("2026-06-15 04:30", "2026-06-15 05:30"),  # 10:00 in Outlook's "Customized Time Zone" (+05:30)
    )
    assert result.tentative == spans(("2026-06-11 14:00", "2026-06-11 15:00"))
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("tzid", "expected_start"),
    [
        ("GMT Standard Time", "2026-01-15 09:00"),
        ("W. Europe Standard Time", "2026-01-15 08:00"),
        ("Romance Standard Time", "2026-01-15 08:00"),
        ("Eastern Standard Time", "2026-01-15 14:00"),
        ("gmt standard time", "2026-01-15 09:00"),
    ],
)
def test_windows_zone_without_vtimezone_is_mapped_to_iana(tzid: str, expected_start: str) -> None:
    data = wrap(event("w@test", f"DTSTART;TZID={tzid}:20260115T090000", f"DTEND;TZID={tzid}:20260115T100000"))

    result = busy_from_ics(data, at("2026-01-15 00:00"), at("2026-01-16 00:00"))

    start = at(expected_start)
    assert result.busy == ((start, start.replace(hour=start.hour + 1)),)
    assert result.warnings == ()


def test_unknown_time_zone_falls_back_to_london_with_a_warning() -> None:
    data = wrap(
        event(
            "m@test", "DTSTART;TZID=Mars Standard Time:20260715T090000", "DTEND;TZID=Mars Standard Time:20260715T100000"
        )
    )

    result = busy_from_ics(data, at("2026-07-15 00:00"), at("2026-07-16 00:00"))

    assert result.busy == spans(("2026-07-15 08:00", "2026-07-15 09:00"))
    assert len(result.warnings) == 1
    assert "Mars Standard Time" in result.warnings[0]
    assert "Europe/London" in result.warnings[0]


def custom_zone_calendar(offset: str) -> str:
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE"
    )
    body = event(
        "c@test",
        "DTSTART;TZID=Customized Time Zone:20260115T120000",
        "DTEND;TZID=Customized Time Zone:20260115T130000",
    )
    return wrap(zone + "\r\n" + body)


def test_embedded_vtimezone_of_one_calendar_does_not_leak_into_the_next() -> None:
    # icalendar caches custom VTIMEZONEs process-wide by TZID; two people's Outlook exports
    # may both say "Customized Time Zone" and mean different zones.
    first = busy_from_ics(custom_zone_calendar("+0300"), at("2026-01-15 00:00"), at("2026-01-16 00:00"))
    second = busy_from_ics(custom_zone_calendar("-0500"), at("2026-01-15 00:00"), at("2026-01-16 00:00"))

    assert first.busy == spans(("2026-01-15 09:00", "2026-01-15 10:00"))
    assert second.busy == spans(("2026-01-15 17:00", "2026-01-15 18:00"))


# --- Google and Apple ---------------------------------------------------------------------------


def test_google_export_with_rrule_exdate_rdate_and_overrides() -> None:
    result = read("google_recurring.ics", "2026-11-01 00:00", "2026-12-08 00:00")

    assert result.busy == spans(
        ("2026-11-02 10:00", "2026-11-02 11:00"),
        ("2026-11-04 15:30", "2026-11-04 17:00"),  # one-off in UTC
        ("2026-11-09 10:00", "2026-11-09 11:00"),
        # 16 November: EXDATE
        ("2026-11-23 14:00", "2026-11-23 15:00"),  # RECURRENCE-ID override moved to the afternoon
        ("2026-11-26 10:00", "2026-11-26 11:00"),  # RDATE
        # 30 November: the cancelled instance
        ("2026-12-01 00:00", "2026-12-03 00:00"),  # two days' leave; the transparent birthday does not block
        ("2026-12-07 10:00", "2026-12-07 11:00"),
    )
    assert result.tentative == ()


def test_apple_export_with_duration_floating_time_and_tentative() -> None:
    result = read("apple_calendar.ics", "2026-09-01 00:00", "2026-09-10 00:00")

    assert result.busy == spans(
        ("2026-09-02 08:30", "2026-09-02 09:15"),  # 09:30 BST for 45 minutes
        ("2026-09-03 12:30", "2026-09-03 14:00"),  # 13:30-14:30 BST merged with floating 14:00-15:00 (London)
        ("2026-09-04 11:00", "2026-09-04 12:00"),
    )
    assert result.tentative == spans(("2026-09-04 11:00", "2026-09-04 12:00"))


def test_cancelled_and_transparent_do_not_block_tentative_does_and_window_clips() -> None:
    result = read("status_mix.ics", "2026-11-09 00:00", "2026-11-10 00:00")

    assert result.busy == spans(
        ("2026-11-09 00:00", "2026-11-09 01:00"),  # clipped at the window start
        ("2026-11-09 09:00", "2026-11-09 10:00"),
        ("2026-11-09 12:00", "2026-11-09 13:30"),  # tentative 12-13 merged with the adjacent 13:00-13:30
    )
    assert result.tentative == spans(("2026-11-09 12:00", "2026-11-09 13:00"))


# --- Clock changes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour_of_nine_local"),
    [
        ("2026-03-28", 9),  # Saturday: still GMT
        ("2026-03-29", 8),  # clocks go forward at 01:00 GMT: BST from here
        ("2026-03-30", 8),
        ("2026-10-24", 8),  # Saturday: still BST
        ("2026-10-25", 9),  # clocks go back at 02:00 BST: GMT from here
        ("2026-10-26", 9),
    ],
)
def test_recurring_nine_oclock_moves_in_utc_at_the_clock_changes(day: str, utc_hour_of_nine_local: int) -> None:
    result = read("clock_change.ics", f"{day} 00:00", f"{day} 23:59")

    # The same local 9:00 (IANA zone), 10:00 (Outlook Windows zone) and 11:00 (floating) every day.
    assert result.busy == tuple(
        (at(f"{day} {hour:02d}:00"), at(f"{day} {hour:02d}:30"))
        for hour in (utc_hour_of_nine_local, utc_hour_of_nine_local + 1, utc_hour_of_nine_local + 2)
    )


def test_clock_change_week_as_request_busy() -> None:
    result = read("clock_change.ics", "2026-03-28 00:00", "2026-03-30 00:00")

    assert to_request_busy(result)[:4] == [
        ["2026-03-28T09:00:00Z", "2026-03-28T09:30:00Z"],
        ["2026-03-28T10:00:00Z", "2026-03-28T10:30:00Z"],
        ["2026-03-28T11:00:00Z", "2026-03-28T11:30:00Z"],
        ["2026-03-29T08:00:00Z", "2026-03-29T08:30:00Z"],
    ]


# --- Free/busy ----------------------------------------------------------------------------------


def test_vfreebusy_with_freebusy_lines_and_mixed_fbtype() -> None:
    result = read("freebusy_mixed.ics", "2026-11-09 00:00", "2026-11-11 00:00")

    assert result.busy == spans(
        ("2026-11-09 09:00", "2026-11-09 10:30"),  # BUSY, start/duration form
        ("2026-11-09 12:00", "2026-11-09 13:00"),  # BUSY-UNAVAILABLE, start/end form
        ("2026-11-09 17:00", "2026-11-09 19:00"),  # second period on the same line
        ("2026-11-10 10:00", "2026-11-10 11:00"),  # BUSY-TENTATIVE
        ("2026-11-10 14:00", "2026-11-10 14:30"),  # no FBTYPE: BUSY
        ("2026-11-10 16:00", "2026-11-10 17:00"),  # unknown x-name: BUSY
    )
    assert result.tentative == spans(("2026-11-10 10:00", "2026-11-10 11:00"))


@pytest.mark.parametrize("name", ["radicale_per_period.ics", "radicale_merged.ics"])
def test_radicale_free_busy_answers_in_both_shapes(name: str) -> None:
    result = read(name, "2026-11-09 00:00", "2026-11-10 00:00")

    assert result.busy == spans(("2026-11-09 09:00", "2026-11-09 11:00"), ("2026-11-09 15:00", "2026-11-09 16:00"))
    assert result.tentative == spans(("2026-11-09 09:30", "2026-11-09 11:00"))


def test_vfreebusy_without_periods_or_fbtype_is_an_empty_answer_not_busy() -> None:
    data = wrap(
        "BEGIN:VFREEBUSY\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261109T000000Z\r\nDTEND:20261110T000000Z\r\nEND:VFREEBUSY"
    )

    result = busy_from_ics(data, at("2026-11-09 00:00"), at("2026-11-10 00:00"))

    assert result.busy == ()


# --- Output and combination ---------------------------------------------------------------------


def test_to_request_busy_writes_utc_z_pairs() -> None:
    result = read("outlook_windows_zones.ics", "2026-06-10 00:00", "2026-06-11 00:00")

    assert to_request_busy(result) == [
        ["2026-06-10T08:00:00Z", "2026-06-10T09:00:00Z"],
        ["2026-06-10T12:00:00Z", "2026-06-10T13:00:00Z"],
    ]


def test_combine_merges_several_calendars_of_one_person() -> None:
    first = BusyResult(busy=spans(("2026-11-09 09:00", "2026-11-09 10:00")), warnings=("a",))
    second = BusyResult(
        busy=spans(("2026-11-09 09:30", "2026-11-09 11:00")),
        tentative=spans(("2026-11-09 09:30", "2026-11-09 11:00")),
        warnings=("a", "b"),
    )

    both = combine([first, second])

    assert both.busy == spans(("2026-11-09 09:00", "2026-11-09 11:00"))
    assert both.tentative == spans(("2026-11-09 09:30", "2026-11-09 11:00"))
    assert both.warnings == ("a", "b")


def test_merge_keeps_separate_intervals_separate_and_joins_touching_ones() -> None:
    merged = merge_intervals(
        spans(("2026-11-09 12:00", "2026-11-09 13:00"), ("2026-11-09 09:00", "2026-11-09 10:00"))
        + spans(("2026-11-09 10:00", "2026-11-09 10:15"))
    )

    assert merged == spans(("2026-11-09 09:00", "2026-11-09 10:15"), ("2026-11-09 12:00", "2026-11-09 13:00"))


def test_crlf_and_lf_line_endings_read_the_same() -> None:
    raw = (FIXTURES / "google_recurring.ics").read_text()
    window = (at("2026-11-01 00:00"), at("2026-12-08 00:00"))

    assert busy_from_ics(raw.replace("\n", "\r\n"), *window) == busy_from_ics(raw, *window)


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><body>Please sign in</body></html>", "not iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20261109T090000Z\r\n", "no complete VCALENDAR"),
        (wrap(event("bad@test", "DTSTART:20261325T090000Z", "DTEND:20261109T100000Z")).encode(), "unreadable DTSTART"),
        (wrap("BEGIN:VEVENT\r\nUID:nostart@test\r\nDTSTAMP:20260101T000000Z\r\nEND:VEVENT").encode(), "no DTSTART"),
        (b"\xff\xfeB\x00E\x00", "not UTF-8"),
        (
            wrap("BEGIN:VFREEBUSY\r\nFREEBUSY:20261109T100000Z/20261109T090000Z\r\nEND:VFREEBUSY").encode(),
            "Start time is greater than end time",
        ),
        (
            wrap(
                "BEGIN:VFREEBUSY\r\nDTSTART:20261109T100000Z\r\nDTEND:20261109T090000Z\r\nFBTYPE:BUSY\r\nEND:VFREEBUSY"
            ).encode(),
            "ends .* before it starts",
        ),
    ],
)
def test_malformed_data_raises_calendar_error_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        busy_from_ics(data, at("2026-11-09 00:00"), at("2026-11-10 00:00"))


def test_naive_or_backwards_window_is_rejected() -> None:
    data = wrap(event("x@test", "DTSTART:20261109T090000Z", "DTEND:20261109T100000Z"))
    with pytest.raises(ValueError, match="time zone"):
        busy_from_ics(data, datetime(2026, 11, 9), at("2026-11-10 00:00"))
    with pytest.raises(ValueError, match="before it starts"):
        busy_from_ics(data, at("2026-11-10 00:00"), at("2026-11-09 00:00"))


def test_runaway_recurrence_is_refused_rather_than_hanging() -> None:
    data = wrap(event("spam@test", "DTSTART:20261109T000000Z", "DTEND:20261109T000001Z", "RRULE:FREQ=SECONDLY"))

    with pytest.raises(CalendarError, match="repeats too often"):
        busy_from_ics(data, at("2026-11-09 00:00"), at("2026-11-10 00:00"))


def test_a_long_event_that_started_before_the_window_still_blocks() -> None:
    data = wrap(
        event("leave@test", "DTSTART;VALUE=DATE:20261019", "DTEND;VALUE=DATE:20261111", "SUMMARY:Three weeks' leave")
    )

    result = busy_from_ics(data, at("2026-11-09 00:00"), at("2026-11-14 00:00"))

    assert result.busy == spans(("2026-11-09 00:00", "2026-11-11 00:00"))


def test_too_many_occurrences_in_the_window_are_refused() -> None:
    every_quarter_hour = "\r\n".join(
        event(f"q{n}@test", "DTSTART:20261109T000000Z", "DURATION:PT5M", "RRULE:FREQ=MINUTELY;INTERVAL=15")
        for n in range(5)
    )

    with pytest.raises(CalendarError, match="more than 5,000 events"):
        busy_from_ics(wrap(every_quarter_hour), at("2026-11-09 00:00"), at("2026-11-23 00:00"))


# --- Real calendars that used to break the reader (issue 12, finding 6) ----------------------------


def test_a_vtimezone_defined_after_the_events_that_use_it() -> None:
    result = read("vtimezone_after_events.ics", "2026-11-08 00:00", "2026-11-22 00:00")

    assert result.busy == spans(
        ("2026-11-10 06:00", "2026-11-10 07:00"),  # 10:00 in the custom +04:00 zone defined at the end
        ("2026-11-11 05:00", "2026-11-11 05:30"),
        ("2026-11-12 05:00", "2026-11-12 05:30"),
    )
    assert result.warnings == ()


def test_fiji_by_iana_name_by_its_own_vtimezone_and_by_windows_name() -> None:
    result = read("fiji.ics", "2026-11-08 00:00", "2026-11-22 00:00")

    assert result.busy == spans(
        ("2026-11-10 21:00", "2026-11-10 22:00"),  # Pacific/Fiji: the tz database (no summer time since 2022)
        ("2026-11-11 21:00", "2026-11-11 22:00"),  # "Fiji Islands Time": its VTIMEZONE, +12:00, weekly
        ("2026-11-12 21:00", "2026-11-12 22:00"),  # "Fiji Standard Time": the Windows name
        ("2026-11-18 21:00", "2026-11-18 22:00"),
    )
    assert result.warnings == ()


def test_several_zones_with_dates_and_times_mixed_in_one_event_or_recurrence_set() -> None:
    result = read("mixed_zones_and_dates.ics", "2026-11-08 00:00", "2026-11-22 00:00")

    assert result.busy == spans(
        ("2026-11-09 05:00", "2026-11-09 17:00"),  # DATE start, New York end: the start is read in the end's zone
        ("2026-11-10 09:00", "2026-11-10 10:00"),  # Berlin series; the 11th is taken out by a DATE EXDATE
        ("2026-11-12 09:00", "2026-11-12 10:00"),
        ("2026-11-13 09:00", "2026-11-13 10:00"),
        ("2026-11-14 23:00", "2026-11-15 00:00"),  # the DATE RDATE: midnight in Berlin
        ("2026-11-16 00:00", "2026-11-17 00:00"),  # all-day series; the 17th taken out by a timed EXDATE
        ("2026-11-17 22:00", "2026-11-17 23:00"),  # the 18th moved to 09:00 in Sydney
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid_frequency.ics", r"fortnightly@test.*unreadable RRULE.*FORTNIGHTLY"),
        ("byday_with_space.ics", r"byday-space@test.*unreadable RRULE.*WE"),
        ("rscale_hebrew.ics", r"rscale@test.*Hebrew calendar \(RSCALE\)"),
    ],
)
def test_repeat_rules_convene_cannot_read_are_a_calendar_error_naming_the_event(name: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        read(name, "2026-11-08 00:00", "2026-11-22 00:00")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (("DTSTART;VALUE=TIME:100000",), "DTSTART that is not a date"),
        (("DTSTART:20261110T100000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0"), "cannot read"),
        (("DTSTART:20261110T100000Z", "RRULE:FREQ=YEARLY;COUNT=99999999999999999999"), "unreadable RRULE"),
        (("DTSTART:99991231T100000Z", "DURATION:P3D", "RRULE:FREQ=DAILY"), "cannot be read"),
    ],
)
def test_odd_values_that_crashed_the_reader_are_a_calendar_error(lines: tuple[str, ...], message: str) -> None:
    data = wrap("\r\n".join(["BEGIN:VEVENT", "UID:odd@test", *lines, "END:VEVENT"]))

    with pytest.raises(CalendarError, match=message):
        busy_from_ics(data, at("2026-11-08 00:00"), at("2026-11-22 00:00"))


def test_an_rscale_gregorian_rule_is_the_plain_rule() -> None:
    data = wrap(
        event(
            "g@test",
            "DTSTART:20261109T090000Z",
            "DTEND:20261109T100000Z",
            "RRULE:RSCALE=GREGORIAN;FREQ=DAILY;COUNT=2;SKIP=OMIT",
        )
    )

    result = busy_from_ics(data, at("2026-11-09 00:00"), at("2026-11-12 00:00"))

    assert result.busy == spans(("2026-11-09 09:00", "2026-11-09 10:00"), ("2026-11-10 09:00", "2026-11-10 10:00"))
