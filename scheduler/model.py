"""The JSON parsing that builds the typed scheduling contract (``scheduler.contract``), whose names are importable
from here too.

Everything here checks input against ``docs/scheduling.md`` and raises
:class:`scheduler.errors.RequestError` with a message a person can act on. Times are kept as
aware UTC datetimes (``*_at``); the engine works in whole UTC minutes since the epoch.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.contract import (
    DEFAULT_MAX_PROPOSALS,
    MAX_WINDOW_DAYS,
    WEEKDAY_NAMES,
    WEEKDAYS,
    Batch,
    Conference,
    ConferenceRequest,
    FixedBooking,
    Person,
    Role,
    Window,
    unknown_person,
)
from scheduler.errors import RequestError

__all__ = [
    "DEFAULT_MAX_PROPOSALS",
    "MAX_WINDOW_DAYS",
    "WEEKDAYS",
    "WEEKDAY_NAMES",
    "Batch",
    "Conference",
    "ConferenceRequest",
    "FixedBooking",
    "Person",
    "Role",
    "Window",
    "check_window",
    "parse_batch",
    "parse_conference",
    "parse_grain",
    "parse_instant",
    "parse_people",
    "parse_person",
    "parse_request",
    "parse_role",
    "parse_roles",
    "parse_timezone",
    "unknown_person",
]

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


# --- small field readers -------------------------------------------------------------------


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise RequestError(f"{where}: missing required field '{key}'")
    return data[key]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RequestError(f"{where} must be a JSON object")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise RequestError(f"{where} must be a JSON list")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise RequestError(f"{where} must be true or false, not {value!r}")
    return value


def _int(value: Any, where: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"{where} must be a whole number, not {value!r}")
    if value < minimum:
        raise RequestError(f"{where} must be at least {minimum}, not {value}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequestError(f"{where} must be a non-empty string")
    return value


def parse_instant(value: Any, where: str) -> dt.datetime:
    """An ISO 8601 time with an offset, as an aware UTC datetime. Naive times are refused."""
    if not isinstance(value, str):
        raise RequestError(f"{where} must be an ISO 8601 time such as 2026-11-27T16:40:00Z")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RequestError(f"{where}: '{value}' is not an ISO 8601 time such as 2026-11-27T16:40:00Z") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise RequestError(
            f"{where}: '{value}' has no UTC offset; add 'Z' for UTC or an offset such as '+01:00' "
            "(naive times are ambiguous around the clock changes)"
        )
    return parsed.astimezone(dt.UTC)


def parse_timezone(value: Any) -> str:
    name = _text(value, "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RequestError(f"timezone: '{name}' is not a known IANA time zone such as Europe/London") from None
    return name


def parse_grain(value: Any) -> int:
    grain = _int(value, "grain_minutes")
    if 1440 % grain:
        raise RequestError(
            f"grain_minutes: {grain} does not divide a day evenly; use a whole number of minutes that does, "
            "such as 5, 10, 15, 30 or 60"
        )
    return grain


def _clock(value: Any, where: str) -> int:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not match or minutes > 1440:
        raise RequestError(f'{where}: {value!r} is not a time of day such as "09:00" (24-hour clock, 00:00 to 24:00)')
    return minutes


def _day_windows(value: Any, where: str) -> tuple[Window, ...]:
    windows: list[Window] = []
    for index, pair in enumerate(_list(value, where)):
        spot = f"{where}[{index}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise RequestError(f'{spot} must be a pair of times such as ["09:00", "17:00"]')
        start, end = _clock(pair[0], spot), _clock(pair[1], spot)
        if end <= start:
            raise RequestError(f"{spot}: the window ends ({pair[1]}) before it starts ({pair[0]})")
        windows.append((start, end))
    windows.sort()
    for (_, end), (start, _) in zip(windows, windows[1:], strict=False):
        if start < end:
            raise RequestError(f"{where}: working-hours windows overlap; list each stretch of time once")
    return tuple(windows)


def _working_hours(value: Any, where: str) -> tuple[tuple[Window, ...], ...]:
    days = _object(value, where)
    for key in days:
        if key not in WEEKDAYS:
            raise RequestError(f"{where}: '{key}' is not a day; use {', '.join(WEEKDAYS)}")
    return tuple(_day_windows(days.get(key, []), f"{where}.{key}") for key in WEEKDAYS)


def _busy(value: Any, where: str) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    intervals = []
    for index, pair in enumerate(_list(value, where)):
        spot = f"{where}[{index}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise RequestError(f"{spot} must be a pair of times [start, end]")
        start_at, end_at = parse_instant(pair[0], f"{spot} start"), parse_instant(pair[1], f"{spot} end")
        if end_at < start_at:
            raise RequestError(f"{spot}: end {pair[1]} is before start {pair[0]}")
        intervals.append((start_at, end_at))
    return tuple(sorted(intervals))


def parse_person(person_id: str, value: Any) -> Person:
    where = f"people.{person_id}"
    data = _object(value, where)
    availability = data.get("availability", "known")
    if availability not in ("known", "unknown"):
        raise RequestError(f'{where}.availability must be "known" or "unknown", not {availability!r}')
    known = availability == "known"
    hours_value = data.get("working_hours", {}) if not known else _require(data, "working_hours", where)
    name = data.get("name")
    return Person(
        id=person_id,
        working_hours=_working_hours(hours_value, f"{where}.working_hours"),
        on_call=_bool(data.get("on_call", False), f"{where}.on_call"),
        busy=_busy(data.get("busy", []), f"{where}.busy"),
        availability_known=known,
        name=_text(name, f"{where}.name") if name is not None else None,
    )


def parse_people(value: Any) -> dict[str, Person]:
    data = _object(value, "people")
    return {_text(key, "people key"): parse_person(key, entry) for key, entry in data.items()}


def parse_role(value: Any, where: str) -> Role:
    data = _object(value, where)
    name = _text(_require(data, "role", where), f"{where}.role")
    spot = f"role '{name}'"
    candidates = tuple(
        _text(item, f"{spot} candidates[{i}]") for i, item in enumerate(_list(_require(data, "candidates", spot), spot))
    )
    if len(set(candidates)) != len(candidates):
        raise RequestError(f"{spot}: a candidate is listed twice; list each person once, primary first")
    return Role(
        role=name,
        required=_bool(_require(data, "required", spot), f"{spot}.required"),
        written_submission=_bool(data.get("written_submission", False), f"{spot}.written_submission"),
        candidates=candidates,
    )


def parse_roles(value: Any, where: str) -> tuple[Role, ...]:
    roles = tuple(parse_role(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where)))
    if not roles:
        raise RequestError(f"{where}: a conference needs at least one role")
    names = [role.role for role in roles]
    if len(set(names)) != len(names):
        raise RequestError(f"{where}: each role name must appear once")
    return roles


def check_window(earliest_start_at: dt.datetime, deadline_at: dt.datetime, duration_minutes: int, where: str) -> None:
    """End before start, an empty window and a meeting longer than its window are all refused."""
    if deadline_at < earliest_start_at:
        raise RequestError(
            f"{where}deadline {deadline_at.isoformat()} is before earliest_start {earliest_start_at.isoformat()}"
        )
    if deadline_at == earliest_start_at:
        raise RequestError(f"{where}the window is empty: deadline equals earliest_start")
    window_minutes = (deadline_at - earliest_start_at).total_seconds() / 60
    if window_minutes > MAX_WINDOW_DAYS * 1440:
        raise RequestError(f"{where}the window is longer than {MAX_WINDOW_DAYS} days; ask for a shorter one")
    if duration_minutes > window_minutes:
        raise RequestError(
            f"{where}a {duration_minutes}-minute meeting does not fit in the {math.floor(window_minutes)} minutes "
            "between earliest_start and deadline; move the deadline later or shorten the meeting"
        )


def parse_request(value: Any) -> ConferenceRequest:
    """Build a :class:`ConferenceRequest` from decoded JSON, or raise :class:`RequestError`."""
    data = _object(value, "the request")
    earliest = parse_instant(_require(data, "earliest_start", "request"), "earliest_start")
    deadline = parse_instant(_require(data, "deadline", "request"), "deadline")
    duration = _int(_require(data, "duration_minutes", "request"), "duration_minutes")
    check_window(earliest, deadline, duration, "")
    return ConferenceRequest(
        timezone=parse_timezone(data.get("timezone", "Europe/London")),
        earliest_start_at=earliest,
        deadline_at=deadline,
        duration_minutes=duration,
        grain_minutes=parse_grain(data.get("grain_minutes", 15)),
        max_proposals=_int(data.get("max_proposals", DEFAULT_MAX_PROPOSALS), "max_proposals"),
        roles=parse_roles(_require(data, "roles", "request"), "roles"),
        people=parse_people(data.get("people", {})),
        allow_unknown=_bool(data.get("allow_unknown", False), "allow_unknown"),
    )


def _parse_fixed(value: Any, roles: tuple[Role, ...], where: str) -> FixedBooking | None:
    if value is None:
        return None
    data = _object(value, where)
    start_at = parse_instant(_require(data, "start", where), f"{where}.start")
    by_name = {role.role: role for role in roles}
    assignments: dict[str, str | None] = {}
    written: set[str] = set()
    for name, entry in _object(_require(data, "assignments", where), f"{where}.assignments").items():
        if name not in by_name:
            raise RequestError(f"{where}.assignments: '{name}' is not one of this conference's roles")
        slot = _object(entry, f"{where}.assignments.{name}")
        person = slot.get("person")
        if person is not None and person not in by_name[name].candidates:
            raise RequestError(
                f"{where}.assignments.{name}: unknown candidate '{person}'; a booked person must be one of the "
                "role's candidates"
            )
        assignments[name] = person
        if slot.get("written_submission") is True:
            written.add(name)
    return FixedBooking(start_at, assignments, frozenset(written))


def parse_conference(value: Any, index: int) -> Conference:
    where = f"conferences[{index}]"
    data = _object(value, where)
    conference_id = _text(_require(data, "id", where), f"{where}.id")
    where = f"conference '{conference_id}'"
    earliest = parse_instant(_require(data, "earliest_start", where), f"{where} earliest_start")
    deadline = parse_instant(_require(data, "deadline", where), f"{where} deadline")
    duration = _int(_require(data, "duration_minutes", where), f"{where} duration_minutes")
    check_window(earliest, deadline, duration, f"{where}: ")
    roles = parse_roles(_require(data, "roles", where), f"{where} roles")
    return Conference(
        id=conference_id,
        priority=_int(_require(data, "priority", where), f"{where} priority"),
        earliest_start_at=earliest,
        deadline_at=deadline,
        duration_minutes=duration,
        roles=roles,
        fixed=_parse_fixed(data.get("fixed"), roles, f"{where} fixed"),
    )


def parse_batch(value: Any) -> Batch:
    """Build a :class:`Batch` from decoded JSON, or raise :class:`RequestError`."""
    data = _object(value, "the batch")
    limit = data.get("time_limit_seconds", 30)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit <= 3600:
        raise RequestError(f"time_limit_seconds must be a number of seconds between 0 and 3600, not {limit!r}")
    conferences = tuple(
        parse_conference(item, i) for i, item in enumerate(_list(_require(data, "conferences", "batch"), "conferences"))
    )
    ids = [conference.id for conference in conferences]
    if len(set(ids)) != len(ids):
        raise RequestError("conferences: each conference id must appear once")
    return Batch(
        timezone=parse_timezone(data.get("timezone", "Europe/London")),
        grain_minutes=parse_grain(data.get("grain_minutes", 15)),
        time_limit_seconds=float(limit),
        people=parse_people(data.get("people", {})),
        conferences=conferences,
        allow_unknown=_bool(data.get("allow_unknown", False), "allow_unknown"),
    )
