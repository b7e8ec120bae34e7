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
  person's availability as unknown, never as free. No other exception escapes
  :func:`busy_from_ics` for any data (a wrong *window* is the caller's error: ``ValueError``).

Work is bounded, because a 400-byte rule can describe millions of events (a "calendar bomb"):
data over :data:`MAX_CALENDAR_BYTES` or with more than :data:`MAX_EVENTS` events is refused before
it is parsed; every repeat rule is walked lazily, occurrence by occurrence, before anything is
expanded, and refused as soon as it passes :data:`MAX_OCCURRENCES` in the window or
:data:`MAX_RULE_STEPS` before it; and the whole reading runs under a wall-clock budget
(:data:`TIME_BUDGET_SECONDS`, a watchdog timer), so that even a rule that never matches
(``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`` makes dateutil search to the year 9999) ends in a
:class:`CalendarError`.

Why this module is long: it is one reader behind one function (:func:`busy_from_ics`), and its parts (the parse
with its size limits, the time zones, the lazy walk of repeat rules, the free-busy periods) share one error type,
the limits and the watchdog budget that keep a calendar bomb harmless. Split, each part would import the others'
private helpers and the bounds would no longer be read in one place, so it is left whole.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from dateutil import rrule as dateutil_rrule

from scheduler.windows_zones import iana_for_windows

Interval = tuple[dt.datetime, dt.datetime]

LOCAL_ZONE = ZoneInfo("Europe/London")
#: Calendar data larger than this is refused before it is parsed (parsing costs up to 3 s a megabyte).
MAX_CALENDAR_BYTES = 3_000_000
#: At most this many VEVENT and VFREEBUSY components in one calendar's data.
MAX_EVENTS = 10_000
#: At most this many event occurrences in the window (widened by a day each side).
MAX_OCCURRENCES = 5_000
#: At most this many occurrences of one repeat rule before the window (a rule from 1970 every hour is refused).
MAX_RULE_STEPS = 100_000
#: Wall-clock seconds for reading one calendar's data: parsing, walking and expanding its rules.
TIME_BUDGET_SECONDS = 10.0
MIN_MINUTELY_INTERVAL = 15
_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
_RULE_PROPERTIES = ("RRULE", "EXRULE")
_MARGIN = dt.timedelta(days=1)
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


def busy_from_ics(
    data: bytes | str,
    window_start_at: dt.datetime,
    window_end_at: dt.datetime,
    *,
    time_budget_seconds: float = TIME_BUDGET_SECONDS,
) -> BusyResult:
    """Read the busy time in ``[window_start_at, window_end_at)`` from iCalendar data.

    Raises :class:`CalendarError` with a readable message when the data is not iCalendar, an
    event's times cannot be read or the data is too big or repeats too much to read in the budget,
    and :class:`ValueError` when the window itself is wrong. Never any other exception.

    Read once per content (see :class:`ReadCache`): the same data asked for a window inside the span
    already read is answered from memory, clipped to the window, without parsing it again.
    """
    _check_window(window_start_at, window_end_at)
    began = time.monotonic()
    key = READ_CACHE.key(data)
    cached = READ_CACHE.get(key, window_start_at, window_end_at)
    if cached is not None:
        return cached
    span_start_at, span_end_at = READ_CACHE.span_for(window_start_at, window_end_at)
    try:
        result = _read_guarded(data, span_start_at, span_end_at, time_budget_seconds)
    except CalendarError:
        # The wider span may hold too many occurrences; the window alone may not. Within what is left of the budget.
        left = time_budget_seconds - (time.monotonic() - began)
        if left <= 0 or (span_start_at, span_end_at) == (window_start_at, window_end_at):
            raise
        return _read_guarded(data, window_start_at, window_end_at, left)
    READ_CACHE.put(key, span_start_at, span_end_at, result)
    return clip(result, window_start_at, window_end_at)


def _read_guarded(
    data: bytes | str, window_start_at: dt.datetime, window_end_at: dt.datetime, time_budget_seconds: float
) -> BusyResult:
    try:
        with _Budget(time_budget_seconds).guarding():
            return _busy_from_ics(data, window_start_at, window_end_at)
    except CalendarError:
        raise
    except _OutOfTime:
        raise CalendarError(
            f"The calendar took too long to read (more than {time_budget_seconds:g} seconds): "
            "it is too large or its repeating events are too complex."
        ) from None
    except RecursionError:
        raise CalendarError("The calendar data is nested too deeply to read.") from None
    except Exception as error:  # the reader of untrusted data: anything else is "cannot be read"
        raise CalendarError(f"The calendar data cannot be read ({_plain(error)}).") from error


def clip(result: BusyResult, window_start_at: dt.datetime, window_end_at: dt.datetime) -> BusyResult:
    """The busy time of ``result`` inside the window (warnings are about the data, not the window: kept)."""
    return BusyResult(
        busy=merge_intervals(result.busy, window_start_at, window_end_at),
        tentative=merge_intervals(result.tentative, window_start_at, window_end_at),
        warnings=result.warnings,
    )


class ReadCache:
    """What calendars were read, by the SHA-256 of their content: the busy time over a *span* (the window asked
    for, from the start of its day to at least :data:`SPAN` later), so that later windows inside it (every solve
    of a meeting, the other meetings of the week, the plan of the week) clip it instead of parsing the data
    again. Parsing and expanding 60 calendars took most of an options page (docs/benchmarks.md).

    Process-local, thread-safe, bounded (the least recently used go first). Exact: the busy time of a window
    inside the span is the span's busy time clipped to the window, as every interval is clipped anyway. Only
    successful reads are kept; what cannot be read is read again next time (it may have been a time-out).
    """

    #: How far a span reaches beyond the start of the window's first day. Convene's own choice: an options
    #: window is usually under a week, a plan at most 14 days.
    SPAN = dt.timedelta(days=15)

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[dt.datetime, dt.datetime, BusyResult]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(data: bytes | str) -> str:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        return hashlib.sha256(raw).hexdigest()

    def span_for(self, window_start_at: dt.datetime, window_end_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        start = window_start_at.astimezone(_UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return start, max(window_end_at.astimezone(_UTC), start + self.SPAN)

    def get(self, key: str, window_start_at: dt.datetime, window_end_at: dt.datetime) -> BusyResult | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or not (entry[0] <= window_start_at and window_end_at <= entry[1]):
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return clip(entry[2], window_start_at, window_end_at)

    def put(self, key: str, span_start_at: dt.datetime, span_end_at: dt.datetime, result: BusyResult) -> None:
        with self._lock:
            self._entries[key] = (span_start_at, span_end_at, result)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


READ_CACHE = ReadCache()


def _plain(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return text or type(error).__name__


def _busy_from_ics(data: bytes | str, window_start_at: dt.datetime, window_end_at: dt.datetime) -> BusyResult:
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
    if len(data) > MAX_CALENDAR_BYTES:
        raise CalendarError(
            f"The calendar data is larger than {MAX_CALENDAR_BYTES:,} bytes; Convene reads smaller calendars only."
        )
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
    upper = text.upper()
    if "BEGIN:VCALENDAR" not in upper:
        raise CalendarError(f"This is not iCalendar data (no BEGIN:VCALENDAR); it starts with {text[:40]!r}.")
    if upper.count("BEGIN:VEVENT") + upper.count("BEGIN:VFREEBUSY") > MAX_EVENTS:
        raise CalendarError(f"The calendar has more than {MAX_EVENTS:,} events; Convene reads at most {MAX_EVENTS:,}.")
    try:
        components = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise CalendarError(f"The calendar data cannot be read: {_plain(error)}") from error
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
            if name in (*_TIME_PROPERTIES, *_RULE_PROPERTIES, "DURATION", "FREEBUSY"):
                uid = component.get("UID", "without UID")
                raise CalendarError(f"A {component.name} ({uid}) has an unreadable {name}: {message}.")
        if component.name == "VEVENT" and "DTSTART" not in component:
            raise CalendarError(f"A VEVENT ({component.get('UID', 'without UID')}) has no DTSTART.")
        for name in ("DTSTART", "DTEND"):
            if name in component and not isinstance(_value(component, name), dt.date):
                uid = component.get("UID", "without UID")
                raise CalendarError(f"A {component.name} ({uid}) has a {name} that is not a date or a date and time.")


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


# --- the time budget ---------------------------------------------------------------------------


class _OutOfTime(BaseException):
    """Raised inside the expansion when the budget is spent; a BaseException so no library swallows it."""


class _Budget:
    """A wall-clock deadline for one call, enforced while :meth:`guarding` by a watchdog timer.

    When the deadline passes, the watchdog raises :class:`_OutOfTime` asynchronously in the reading
    thread (CPython's ``PyThreadState_SetAsyncExc``), which interrupts even a library loop that
    searches millions of days without returning. Nothing is paid while the deadline is not reached.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    @contextmanager
    def guarding(self) -> Iterator[None]:
        thread_id = threading.get_ident()
        lock = threading.Lock()
        state = {"done": False, "fired": False}

        def expire() -> None:
            with lock:
                if not state["done"]:
                    state["fired"] = True
                    _raise_in_thread(thread_id, _OutOfTime)

        watchdog = threading.Timer(self.seconds, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            yield
        finally:
            watchdog.cancel()
            with lock:
                state["done"] = True
                if state["fired"]:
                    _raise_in_thread(thread_id, None)  # clear it if it has not been raised yet


def _raise_in_thread(thread_id: int, exception: type[BaseException] | None) -> None:
    target = ctypes.py_object(exception) if exception is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)


# --- events ------------------------------------------------------------------------------------


def _event_intervals(
    calendar: icalendar.Calendar, window_start_at: dt.datetime, window_end_at: dt.datetime
) -> Iterator[tuple[Interval, bool]]:
    """Yield (interval, tentative) for every blocking event occurrence overlapping the window.

    The query is widened by a day on each side so that all-day and floating events near the edges
    are found whatever their zone; the intervals are clipped to the window afterwards. Every rule
    is walked lazily first (:func:`_walk_rules`), so nothing is expanded that would break the limits.
    """
    events = calendar.walk("VEVENT")
    if not events:
        return
    start_at, end_at = window_start_at.astimezone(_UTC) - _MARGIN, window_end_at.astimezone(_UTC) + _MARGIN
    _drop_one_off_events_outside(calendar, start_at, end_at)
    _walk_rules(calendar.walk("VEVENT"), start_at, end_at)
    query = recurring_ical_events.of(calendar, components=["VEVENT"])
    try:
        occurrences = query.between(start_at, end_at)
    except recurring_ical_events.InvalidCalendar as error:
        raise CalendarError(f"A repeating event cannot be expanded: {_plain(error)}") from error
    if len(occurrences) > MAX_OCCURRENCES:
        raise _too_many_occurrences()
    for occurrence in occurrences:
        blocks, tentative = _event_blocks(occurrence)
        if blocks:
            yield _occurrence_interval(occurrence), tentative


def _too_many_occurrences() -> CalendarError:
    return CalendarError(f"The calendar repeats too often: more than {MAX_OCCURRENCES:,} events in the window.")


def _drop_one_off_events_outside(calendar: icalendar.Calendar, start_at: dt.datetime, end_at: dt.datetime) -> None:
    """Remove single events that cannot touch the window, so that a year's feed expands quickly."""
    repeating = ("RRULE", "RDATE", "RECURRENCE-ID")

    def keep(component: icalendar.Component) -> bool:
        if component.name != "VEVENT" or any(name in component for name in repeating):
            return True
        begin_at, finish_at = _occurrence_interval(component)
        return begin_at < end_at and finish_at > start_at

    calendar.subcomponents[:] = [component for component in calendar.subcomponents if keep(component)]


def _walk_rules(events: list[icalendar.Component], start_at: dt.datetime, end_at: dt.datetime) -> None:
    """Check every repeat rule and count its occurrences lazily, stopping at the first limit passed.

    Raises :class:`CalendarError` for a rule Convene cannot read (an unknown FREQ, RSCALE, a bad
    BYDAY...), one repeating every few seconds or minutes, one with more than
    :data:`MAX_RULE_STEPS` occurrences before the window, or more than :data:`MAX_OCCURRENCES`
    occurrences in the window over all rules. Never builds a list of occurrences.
    """
    in_window = 0
    for event in events:
        rules = [rule for name in _RULE_PROPERTIES for rule in _as_list(event.get(name))]
        if not rules:
            continue
        uid = str(event.get("UID", "without UID"))
        first = _rule_start(_value(event, "DTSTART"), uid)
        low, horizon = _like(start_at - _event_length(event), first), _like(end_at, first)
        for rule in rules:
            until = _rule_until(rule, first)
            steps = 0
            for occurrence in _lazy_rule(rule, first, uid):
                if occurrence > horizon or (until is not None and occurrence > until):
                    break
                steps += 1
                if occurrence >= low:
                    in_window += 1
                    if in_window > MAX_OCCURRENCES:
                        raise _too_many_occurrences()
                elif steps > MAX_RULE_STEPS:
                    raise CalendarError(
                        f"A VEVENT ({uid}) repeats too often: more than {MAX_RULE_STEPS:,} times before the window."
                    )


def _rule_start(start: Any, uid: str) -> dt.datetime:
    if isinstance(start, dt.datetime):
        return start
    if isinstance(start, dt.date):
        return dt.datetime.combine(start, dt.time(0))
    raise CalendarError(f"A VEVENT ({uid}) has a repeat rule but its DTSTART is not a date or time.")


def _like(value: dt.datetime, model: dt.datetime) -> dt.datetime:
    """``value`` made comparable with ``model``: aware in its zone, or naive London wall-clock time."""
    if model.tzinfo is None:
        return value.astimezone(LOCAL_ZONE).replace(tzinfo=None) if value.tzinfo else value
    return value if value.tzinfo else value.replace(tzinfo=model.tzinfo)


def _event_length(event: icalendar.Component) -> dt.timedelta:
    """How long one occurrence lasts (0 if it cannot be told), so long events started before the window count."""
    try:
        start_at, end_at = _occurrence_interval(event)
    except Exception:
        return dt.timedelta(0)
    return max(end_at - start_at, dt.timedelta(0))


def _rule_until(rule: Any, first: dt.datetime) -> dt.datetime | None:
    until = _first(rule.get("UNTIL"))
    if isinstance(until, dt.datetime):
        return _like(until, first)
    if isinstance(until, dt.date):
        return _like(dt.datetime.combine(until, dt.time.max), first)
    return None


def _lazy_rule(rule: Any, first: dt.datetime, uid: str) -> Iterator[dt.datetime]:
    """The rule's occurrences one by one (dateutil's generator; UNTIL is applied by the caller)."""
    where = f"A VEVENT ({uid})"
    if not isinstance(rule, icalendar.vRecur):
        raise CalendarError(f"{where} has a repeat rule Convene cannot read.")
    scale = str(_first(rule.get("RSCALE")) or "GREGORIAN").upper()
    if scale != "GREGORIAN":
        raise CalendarError(
            f"{where} repeats by the {scale.title()} calendar (RSCALE), which Convene cannot read; "
            "only the Gregorian calendar is supported."
        )
    for name in ("RSCALE", "SKIP"):  # RSCALE=GREGORIAN is the plain rule; dateutil does not know these parts
        rule.pop(name, None)
    frequency = str(_first(rule.get("FREQ")) or "").upper()
    try:
        interval = int(_first(rule.get("INTERVAL")) or 1)
    except (TypeError, ValueError):
        raise CalendarError(f"{where} has a repeat rule with an unreadable INTERVAL.") from None
    if interval < 1:
        raise CalendarError(f"{where} has a repeat rule with INTERVAL={interval}; it must be 1 or more.")
    if frequency == "SECONDLY" or (frequency == "MINUTELY" and interval < MIN_MINUTELY_INTERVAL):
        raise CalendarError(
            f"{where} repeats every {interval} {'second' if frequency == 'SECONDLY' else 'minute'}(s): "
            "the calendar repeats too often."
        )
    parts = icalendar.vRecur({name: value for name, value in rule.items() if name != "UNTIL"})
    text = bytes(parts.to_ical()).decode("ascii", "replace")  # type: ignore[no-untyped-call]
    try:
        walker = dateutil_rrule.rrulestr(text, dtstart=first, cache=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise CalendarError(f"{where} has a repeat rule Convene cannot read ({text}: {_plain(error)}).") from None
    yield from walker


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
