"""Busy time read from iCalendar data (RFC 5545), for the scheduler's ``busy`` intervals.

:func:`busy_from_ics` turns a calendar file, a feed or a CalDAV answer into the busy intervals of
one person inside a window, as aware UTC datetimes, merged, sorted and clipped to the window.
:func:`to_request_busy` writes them in the request format of ``docs/scheduling.md``.

Rules, chosen so that we never call someone free who may not be:

* VEVENT blocks its time, recurring events included (RRULE, RDATE, EXDATE, RECURRENCE-ID
  overrides). ``TRANSP:TRANSPARENT``, ``STATUS:CANCELLED`` and Outlook's
  ``X-MICROSOFT-CDO-BUSYSTATUS:FREE`` do not block. ``STATUS:TENTATIVE`` blocks (and is also
  reported in :attr:`BusyResult.tentative`).
* All-day events (DATE values) block whole local days in Europe/London.
* Floating times (no ``Z``, no TZID) are read as Europe/London wall-clock times.
* VFREEBUSY: every FREEBUSY period blocks unless ``FBTYPE=FREE``; a missing FBTYPE means BUSY,
  and unknown types count as BUSY (RFC 5545 3.2.9). Both ``start/end`` and ``start/duration``
  periods are read. A VFREEBUSY without FREEBUSY lines but with an ``FBTYPE`` *property* and
  DTSTART/DTEND is one busy period: the shape some Radicale releases answer a free-busy query with.
* TZID: an IANA name is looked up in the tz database; any other name (Outlook's
  ``GMT Standard Time``...) is read from the VTIMEZONE embedded in the same data, else mapped
  from Windows to IANA (:mod:`scheduler.windows_zones`), else read as Europe/London with a
  warning. Zones are resolved per call, so one calendar's VTIMEZONE never leaks into another's.
* Anything we cannot read raises :class:`CalendarError`: the caller must then treat the
  person's availability as unknown, never as free.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events

from scheduler.windows_zones import iana_for_windows

Interval = tuple[dt.datetime, dt.datetime]

LOCAL_ZONE = ZoneInfo("Europe/London")
MAX_OCCURRENCES = 5_000
MIN_MINUTELY_INTERVAL = 15
_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
_BLOCKING_FBTYPES_TENTATIVE = frozenset({"BUSY-TENTATIVE"})
_UTC = dt.UTC


class CalendarError(ValueError):
    """The calendar data cannot be read; the person's availability is unknown."""


@dataclass(frozen=True)
class BusyResult:
    """Busy time of one person inside a window.

    ``busy`` holds every blocking interval, tentative ones included; ``tentative`` lists the
    tentative ones again (merged on their own) so a coordinator can be told "tentatively busy".
    All datetimes are aware UTC; intervals are half-open ``[start, end)``, merged and sorted.
    """

    busy: tuple[Interval, ...]
    tentative: tuple[Interval, ...] = ()
    warnings: tuple[str, ...] = ()


def busy_from_ics(data: bytes | str, window_start_at: dt.datetime, window_end_at: dt.datetime) -> BusyResult:
    """Read the busy time in ``[window_start_at, window_end_at)`` from iCalendar data.

    Raises :class:`CalendarError` with a readable message when the data is not iCalendar or an
    event's times cannot be read, and :class:`ValueError` when the window itself is wrong.
    """
    _check_window(window_start_at, window_end_at)
    calendars = _parse(data)
    warnings: list[str] = []
    busy: list[Interval] = []
    tentative: list[Interval] = []
    for calendar in calendars:
        zones = _ZoneResolver(calendar, warnings)
        _localise_times(calendar, zones)
        for interval, is_tentative in _event_intervals(calendar, window_start_at, window_end_at):
            busy.append(interval)
            if is_tentative:
                tentative.append(interval)
        for interval, is_tentative in _freebusy_intervals(calendar):
            busy.append(interval)
            if is_tentative:
                tentative.append(interval)
    return BusyResult(
        busy=merge_intervals(busy, window_start_at, window_end_at),
        tentative=merge_intervals(tentative, window_start_at, window_end_at),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def combine(results: Iterable[BusyResult]) -> BusyResult:
    """Combine the busy time of several calendars of the same person (their union)."""
    listed = list(results)
    busy = [interval for result in listed for interval in result.busy]
    tentative = [interval for result in listed for interval in result.tentative]
    warnings = [warning for result in listed for warning in result.warnings]
    return BusyResult(
        busy=merge_intervals(busy),
        tentative=merge_intervals(tentative),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def to_request_busy(result: BusyResult) -> list[list[str]]:
    """The busy intervals as the scheduling request wants them: ``[["2026-11-27T16:00:00Z", ...], ...]``."""
    return [[_iso_z(start_at), _iso_z(end_at)] for start_at, end_at in result.busy]


def merge_intervals(
    intervals: Iterable[Interval],
    window_start_at: dt.datetime | None = None,
    window_end_at: dt.datetime | None = None,
) -> tuple[Interval, ...]:
    """Clip to the window (when given), then sort and merge overlapping or touching intervals, in UTC."""
    clipped: list[Interval] = []
    for start_at, end_at in intervals:
        start_at, end_at = start_at.astimezone(_UTC), end_at.astimezone(_UTC)
        if window_start_at is not None:
            start_at = max(start_at, window_start_at.astimezone(_UTC))
        if window_end_at is not None:
            end_at = min(end_at, window_end_at.astimezone(_UTC))
        if start_at < end_at:
            clipped.append((start_at, end_at))
    clipped.sort()
    merged: list[Interval] = []
    for start_at, end_at in clipped:
        if merged and start_at <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_at))
        else:
            merged.append((start_at, end_at))
    return tuple(merged)


def _iso_z(value: dt.datetime) -> str:
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _check_window(window_start_at: dt.datetime, window_end_at: dt.datetime) -> None:
    if window_start_at.tzinfo is None or window_end_at.tzinfo is None:
        raise ValueError("The availability window needs times with a time zone (aware datetimes), not naive ones.")
    if window_end_at <= window_start_at:
        raise ValueError(
            f"The availability window ends ({window_end_at.isoformat()}) "
            f"before it starts ({window_start_at.isoformat()})."
        )


# --- parsing -----------------------------------------------------------------------------------


def _parse(data: bytes | str) -> list[icalendar.Calendar]:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CalendarError(
                f"The calendar data is not UTF-8 text ({error.reason} at byte {error.start})."
            ) from error
    else:
        text = data
    if not text.strip():
        raise CalendarError("The calendar data is empty.")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise CalendarError(f"This is not iCalendar data (no BEGIN:VCALENDAR); it starts with {text[:40]!r}.")
    try:
        components = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as error:
        raise CalendarError(f"The calendar data cannot be read: {error}") from error
    calendars = [component for component in components if isinstance(component, icalendar.Calendar)]
    if not calendars:
        raise CalendarError("The calendar data has no complete VCALENDAR (is it cut short? END:VCALENDAR missing).")
    for calendar in calendars:
        _check_components(calendar)
    return calendars


def _check_components(calendar: icalendar.Calendar) -> None:
    for component in calendar.walk():
        if component.name not in ("VEVENT", "VFREEBUSY"):
            continue
        for name, message in getattr(component, "errors", ()):
            if name in (*_TIME_PROPERTIES, "DURATION", "FREEBUSY"):
                uid = component.get("UID", "without UID")
                raise CalendarError(f"A {component.name} ({uid}) has an unreadable {name}: {message}.")
        if component.name == "VEVENT" and "DTSTART" not in component:
            raise CalendarError(f"A VEVENT ({component.get('UID', 'without UID')}) has no DTSTART.")


# --- time zones --------------------------------------------------------------------------------


class _ZoneResolver:
    """Resolves TZIDs for one calendar, with its own VTIMEZONEs, without touching global state."""

    def __init__(self, calendar: icalendar.Calendar, warnings: list[str]) -> None:
        self._embedded = {
            str(tz["TZID"]).strip(): tz
            for tz in calendar.walk("VTIMEZONE")
            if isinstance(tz, icalendar.Timezone) and "TZID" in tz
        }
        self._resolved: dict[str, dt.tzinfo] = {}
        self._warnings = warnings

    def zone(self, tzid: str) -> dt.tzinfo:
        key = tzid.strip()
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key)
        return self._resolved[key]

    def _resolve(self, tzid: str) -> dt.tzinfo:
        iana = _iana_zone(tzid.strip("/"))
        if iana is not None:
            return iana
        embedded = self._embedded.get(tzid)
        if embedded is not None:
            try:
                tz: dt.tzinfo = embedded.to_tz(lookup_tzid=False)
                return tz
            except Exception as error:
                self._warnings.append(f"The VTIMEZONE {tzid!r} cannot be read ({error}); using the name instead.")
        mapped = iana_for_windows(tzid)
        if mapped is not None:
            return ZoneInfo(mapped)
        self._warnings.append(f"Unknown time zone {tzid!r}: its times were read as Europe/London times.")
        return LOCAL_ZONE


def _iana_zone(name: str) -> ZoneInfo | None:
    if not name or name.startswith(".") or " " in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _localise_times(calendar: icalendar.Calendar, zones: _ZoneResolver) -> None:
    """Give every datetime in VEVENT/VFREEBUSY our own zone: TZID resolved here, floating in London."""
    for component in calendar.walk():
        if component.name not in ("VEVENT", "VFREEBUSY"):
            continue
        for name in _TIME_PROPERTIES:
            for value in _as_list(component.get(name)):
                _localise_value(value, zones)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _localise_value(value: Any, zones: _ZoneResolver) -> None:
    params = getattr(value, "params", {})
    tzid = params.get("TZID")
    inner = getattr(value, "dts", None)
    items = inner if inner is not None else [value]
    for item in items:
        item_tzid = getattr(item, "params", {}).get("TZID", tzid)
        if hasattr(item, "dt"):
            item.dt = _localise(item.dt, item_tzid, zones)


def _localise(value: Any, tzid: str | None, zones: _ZoneResolver) -> Any:
    if isinstance(value, tuple):
        return tuple(_localise(part, tzid, zones) for part in value)
    if not isinstance(value, dt.datetime):
        return value
    if tzid:
        return value.replace(tzinfo=zones.zone(str(tzid)))
    if value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_ZONE)
    return value


# --- events ------------------------------------------------------------------------------------


def _event_intervals(
    calendar: icalendar.Calendar, window_start_at: dt.datetime, window_end_at: dt.datetime
) -> Iterator[tuple[Interval, bool]]:
    """Yield (interval, tentative) for every blocking event occurrence overlapping the window.

    The query is widened by a day on each side so that all-day and floating events near the edges
    are found whatever their zone; the intervals are clipped to the window afterwards.
    """
    events = calendar.walk("VEVENT")
    if not events:
        return
    _refuse_runaway_rules(events)
    margin = dt.timedelta(days=1)
    _drop_one_off_events_outside(calendar, window_start_at - margin, window_end_at + margin)
    query = recurring_ical_events.of(calendar, components=["VEVENT"])
    try:
        occurrences = query.between(window_start_at.astimezone(_UTC) - margin, window_end_at.astimezone(_UTC) + margin)
    except recurring_ical_events.InvalidCalendar as error:
        raise CalendarError(f"A repeating event cannot be expanded: {error}") from error
    if len(occurrences) > MAX_OCCURRENCES:
        raise CalendarError(f"The calendar repeats too often: more than {MAX_OCCURRENCES} events in the window.")
    for occurrence in occurrences:
        blocks, tentative = _event_blocks(occurrence)
        if blocks:
            yield _occurrence_interval(occurrence), tentative


def _drop_one_off_events_outside(calendar: icalendar.Calendar, start_at: dt.datetime, end_at: dt.datetime) -> None:
    """Remove single events that cannot touch the window, so that a year's feed expands quickly."""
    repeating = ("RRULE", "RDATE", "RECURRENCE-ID")

    def keep(component: icalendar.Component) -> bool:
        if component.name != "VEVENT" or any(name in component for name in repeating):
            return True
        begin_at, finish_at = _occurrence_interval(component)
        return begin_at < end_at and finish_at > start_at

    calendar.subcomponents[:] = [component for component in calendar.subcomponents if keep(component)]


def _refuse_runaway_rules(events: list[icalendar.Component]) -> None:
    """Refuse rules repeating every few seconds or minutes before expanding them (they would exhaust memory)."""
    for event in events:
        for rule in _as_list(event.get("RRULE")):
            frequency = str(_first(rule.get("FREQ"))).upper()
            interval = int(_first(rule.get("INTERVAL")) or 1)
            if frequency == "SECONDLY" or (frequency == "MINUTELY" and interval < MIN_MINUTELY_INTERVAL):
                raise CalendarError(
                    f"A VEVENT ({event.get('UID', 'without UID')}) repeats every {interval} "
                    f"{'second' if frequency == 'SECONDLY' else 'minute'}(s): the calendar repeats too often."
                )


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else values


def _event_blocks(event: icalendar.Component) -> tuple[bool, bool]:
    """Whether an event occurrence blocks time, and whether it is only tentative."""
    transparency = str(event.get("TRANSP", "OPAQUE")).strip().upper()
    status = str(event.get("STATUS", "CONFIRMED")).strip().upper()
    outlook = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper()
    if transparency == "TRANSPARENT" or status == "CANCELLED" or outlook == "FREE":
        return False, False
    return True, status == "TENTATIVE" or outlook == "TENTATIVE"


def _value(component: icalendar.Component, name: str) -> Any:
    """The Python value (datetime, date, timedelta...) of a property; icalendar's types are too wide here."""
    return getattr(component[name], "dt", None)


def _occurrence_interval(event: icalendar.Component) -> Interval:
    start = _value(event, "DTSTART")
    if "DTEND" in event:
        end = _value(event, "DTEND")
    elif "DURATION" in event:
        end = start + _value(event, "DURATION")
    elif isinstance(start, dt.datetime):
        end = start
    else:
        end = start + dt.timedelta(days=1)
    return _instant(start), _instant(end)


def _instant(value: dt.date | dt.datetime) -> dt.datetime:
    """An aware UTC datetime: dates are local midnight in London, floating times are London time."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0), tzinfo=LOCAL_ZONE)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_ZONE)
    return value.astimezone(_UTC)


# --- free/busy ---------------------------------------------------------------------------------


def _freebusy_intervals(calendar: icalendar.Calendar) -> Iterator[tuple[Interval, bool]]:
    """Yield (interval, tentative) for every blocking period of every VFREEBUSY."""
    for component in calendar.walk("VFREEBUSY"):
        periods = _as_list(component.get("FREEBUSY"))
        if periods:
            for period in periods:
                fbtype = str(period.params.get("FBTYPE", "BUSY"))
                yield from _blocking_period(period.dt, fbtype)
        elif "FBTYPE" in component and "DTSTART" in component:
            yield from _blocking_period(_component_period(component), str(component["FBTYPE"]))


def _component_period(component: icalendar.Component) -> tuple[Any, Any]:
    start = _value(component, "DTSTART")
    if "DTEND" in component:
        return start, _value(component, "DTEND")
    if "DURATION" in component:
        return start, _value(component, "DURATION")
    raise CalendarError(f"A VFREEBUSY busy period starting {start} has neither DTEND nor DURATION.")


def _blocking_period(period: tuple[Any, Any], fbtype: str) -> Iterator[tuple[Interval, bool]]:
    kind = fbtype.strip().upper()
    if kind == "FREE":
        return
    start, end_or_duration = period
    start_at = _instant(start)
    if isinstance(end_or_duration, dt.timedelta):
        end_at = start_at + end_or_duration
    else:
        end_at = _instant(end_or_duration)
    if end_at < start_at:
        raise CalendarError(
            f"A free/busy period ends ({end_at.isoformat()}) before it starts ({start_at.isoformat()})."
        )
    yield (start_at, end_at), kind in _BLOCKING_FBTYPES_TENTATIVE
