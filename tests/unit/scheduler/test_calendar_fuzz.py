"""Generated calendars: reading any of them ends in busy time or a CalendarError, never another exception.

Hypothesis builds calendars from the parts real clients write and get wrong: odd time zones (IANA, Windows,
custom VTIMEZONEs before or after their events, unknown names), repeat rules with random and invalid parts,
EXDATE/RDATE/RECURRENCE-ID exceptions, all-day events beside timed ones, missing or broken properties and junk
lines. Each read runs with a small time budget, so unbounded work shows up as a CalendarError (or as the
deadline failing), never as a hang. Deterministic: derandomized, so CI and developers see the same examples.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scheduler.calendars import CalendarError, busy_from_ics

WINDOW = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))

ZONES = [
    "Europe/London",
    "Pacific/Fiji",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "GMT Standard Time",
    "Fiji Standard Time",
    "Customized Time Zone",
    "Mars Standard Time",
    "/Europe/Paris",
    "",
]
FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "WEEKLY", "DAILY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY", "FORTNIGHTLY", ""]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU", "MO", "TU", "WE", "TH", "FR", "1MO", "-1FR", "53SU", "XX", " WE"]
DATE_TEXT = st.dates(min_value=datetime(1600, 1, 1).date(), max_value=datetime(2100, 12, 31).date()).map(
    lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"
)
NEAR_DATE = st.integers(min_value=-40, max_value=40).map(
    lambda n: (datetime(2026, 11, 15) + timedelta(days=n)).strftime("%Y%m%d")
)
TIME_TEXT = st.tuples(
    st.sampled_from([*range(24), 24]),
    st.sampled_from([0, 0, 0, 15, 30, 45, 59, 0, 0, 0, 15, 30, 45, 59, 61]),
    st.sampled_from([0] * 12 + [30, 60]),
).map(lambda t: f"{t[0]:02d}{t[1]:02d}{t[2]:02d}")
JUNK = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40)


@st.composite
def moment(draw: st.DrawFn, name: str) -> str:
    day = draw(st.one_of(NEAR_DATE, DATE_TEXT))
    kind = draw(st.sampled_from(["date", "utc", "utc", "floating", "zone", "zone", "zone", "junk"]))
    if kind == "date":
        return f"{name};VALUE=DATE:{day}"
    time = draw(TIME_TEXT)
    if kind == "utc":
        return f"{name}:{day}T{time}Z"
    if kind == "floating":
        return f"{name}:{day}T{time}"
    if kind == "zone":
        return f"{name};TZID={draw(st.sampled_from(ZONES))}:{day}T{time}"
    return f"{name}:{draw(JUNK)}"


@st.composite
def rule(draw: st.DrawFn) -> str:
    parts = [f"FREQ={draw(st.sampled_from(FREQS))}"]
    optional = {
        "INTERVAL": st.integers(-2, 40).map(str),
        "COUNT": st.integers(-1, 10_000).map(str),
        "UNTIL": st.one_of(NEAR_DATE, NEAR_DATE.map(lambda d: d + "T120000Z"), NEAR_DATE.map(lambda d: d + "T1")),
        "BYDAY": st.lists(st.sampled_from(DAYS), min_size=1, max_size=4).map(",".join),
        "BYMONTH": st.lists(st.integers(0, 13), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v))),
        "BYMONTHDAY": st.lists(st.integers(-31, 32), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v))),
        "BYHOUR": st.lists(st.integers(0, 23), min_size=1, max_size=24).map(lambda v: ",".join(map(str, v))),
        "BYMINUTE": st.lists(st.integers(0, 59), min_size=1, max_size=60).map(lambda v: ",".join(map(str, v))),
        "BYSECOND": st.lists(st.integers(0, 60), min_size=1, max_size=60).map(lambda v: ",".join(map(str, v))),
        "BYSETPOS": st.lists(st.integers(-400, 400), min_size=1, max_size=2).map(lambda v: ",".join(map(str, v))),
        "BYWEEKNO": st.integers(-54, 54).map(str),
        "BYYEARDAY": st.integers(-367, 367).map(str),
        "WKST": st.sampled_from(DAYS),
        "RSCALE": st.sampled_from(["GREGORIAN", "HEBREW", "CHINESE"]),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=3)):
        parts.append(f"{name}={draw(optional[name])}")
    if draw(st.booleans()):
        parts = draw(st.permutations(parts))
    return "RRULE:" + ";".join(parts)


@st.composite
def vevent(draw: st.DrawFn, uid: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z"]
    if draw(st.integers(0, 19)):
        lines.append(draw(moment("DTSTART")))
    end = draw(st.sampled_from(["dtend", "duration", "none", "bad-duration"]))
    if end == "dtend":
        lines.append(draw(moment("DTEND")))
    elif end == "duration":
        lines.append(f"DURATION:{draw(st.sampled_from(['PT1H', 'PT15M', 'P1D', '-PT1H', 'P2W', 'PT0S']))}")
    elif end == "bad-duration":
        lines.append(f"DURATION:{draw(JUNK)}")
    lines += draw(st.lists(rule(), max_size=1 if draw(st.integers(0, 5)) else 2))
    lines += draw(st.lists(st.one_of(moment("EXDATE"), moment("RDATE")), max_size=3))
    if draw(st.booleans()):
        lines.append(f"STATUS:{draw(st.sampled_from(['TENTATIVE', 'CANCELLED', 'CONFIRMED', '']))}")
    if draw(st.booleans()):
        lines.append(f"TRANSP:{draw(st.sampled_from(['OPAQUE', 'TRANSPARENT', 'x']))}")
    lines.append("END:VEVENT")
    return lines


@st.composite
def override(draw: st.DrawFn, uid: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        draw(moment("RECURRENCE-ID")),
        draw(moment("DTSTART")),
        draw(moment("DTEND")),
        "END:VEVENT",
    ]


@st.composite
def vtimezone(draw: st.DrawFn) -> list[str]:
    offset = draw(st.sampled_from(["+1200", "+1300", "-0330", "+0545", "+1345", "+1200", "+0000", "+0100", "+9999"]))
    other = draw(st.sampled_from(["+1200", "+1300", "+0000", "-1100"]))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{draw(st.sampled_from(ZONES))}", "BEGIN:STANDARD"]
    lines += [f"DTSTART:{draw(DATE_TEXT)}T020000", f"TZOFFSETFROM:{other}", f"TZOFFSETTO:{offset}"]
    if draw(st.booleans()):
        lines.append(draw(rule()))
    lines += ["END:STANDARD"]
    if draw(st.booleans()):
        lines += ["BEGIN:DAYLIGHT", f"DTSTART:{draw(DATE_TEXT)}T030000", f"TZOFFSETFROM:{offset}"]
        lines += [f"TZOFFSETTO:{other}", draw(rule()), "END:DAYLIGHT"]
    return [*lines, "END:VTIMEZONE"]


@st.composite
def calendar(draw: st.DrawFn) -> str:
    blocks: list[list[str]] = []
    for n in range(draw(st.integers(0, 4))):
        uid = f"e{n}@fuzz"
        blocks.append(draw(vevent(uid)))
        if draw(st.integers(0, 3)) == 0:
            blocks.append(draw(override(uid)))
    blocks += draw(st.lists(vtimezone(), max_size=1 if draw(st.integers(0, 4)) else 2))
    if draw(st.integers(0, 4)) == 0:
        period = draw(st.one_of(st.sampled_from(["PT1H", "PT30M", "-PT1H"]), JUNK))
        blocks.append(["BEGIN:VFREEBUSY", f"FREEBUSY:{draw(NEAR_DATE)}T100000Z/{period}", "END:VFREEBUSY"])
    order = draw(st.permutations(blocks))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fuzz//EN", *(line for block in order for line in block)]
    lines.append("END:VCALENDAR")
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):  # junk lines anywhere, or a line lost
        position = draw(st.integers(0, len(lines)))
        if draw(st.booleans()):
            lines.insert(position, draw(JUNK))
        elif position < len(lines):
            del lines[position]
    return "\r\n".join(lines) + "\r\n"


@settings(
    max_examples=200,
    deadline=timedelta(seconds=5),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(calendar())
def test_any_calendar_is_read_or_refused_with_a_calendar_error(data: str) -> None:
    try:
        result = busy_from_ics(data, *WINDOW, time_budget_seconds=1.0)
    except CalendarError as error:
        assert str(error)
        event("refused with a CalendarError")
        return
    event("read")
    for start_at, end_at in result.busy:
        assert WINDOW[0] <= start_at < end_at <= WINDOW[1]
