"""Who can attend a meeting ``[s, e)``: start grains, working hours, busy time and on-call cover.

All instants are whole UTC minutes since the epoch. Working hours are local wall-clock times in
the request's zone, converted day by day through :mod:`zoneinfo`, so "09:00" follows the clock
changes. A meeting is *in hours* when it lies inside one working-hours window of the local day
it starts on; otherwise an ``on_call`` person attends *out of hours* and anyone else cannot.
Busy intervals are half-open: a meeting may start the minute a busy block ends.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from zoneinfo import ZoneInfo

from scheduler.model import ConferenceRequest, Person

Interval = tuple[int, int]


class Status(IntEnum):
    """A person's standing for one candidate meeting time."""

    FREE = 0
    OUT_OF_HOURS = 1
    BUSY = 2
    NOT_WORKING = 3
    UNKNOWN = 4


def to_minute(moment: dt.datetime) -> int:
    """Whole minutes since the epoch; seconds are dropped."""
    return int(moment.timestamp()) // 60


def minute_ceil(moment: dt.datetime) -> int:
    seconds = int(moment.timestamp())
    return -(-seconds // 60)


def from_minute(minute: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(minute * 60, dt.UTC)


def iso(minute: int) -> str:
    """The contract's time format: ISO 8601 in UTC with ``Z``."""
    return from_minute(minute).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_dates(first: int, last: int, zone: ZoneInfo) -> list[dt.date]:
    start_on = from_minute(first).astimezone(zone).date() - dt.timedelta(days=1)
    end_on = from_minute(last).astimezone(zone).date() + dt.timedelta(days=1)
    return [start_on + dt.timedelta(days=n) for n in range((end_on - start_on).days + 1)]


@functools.lru_cache(maxsize=4096)
def wall_to_minute(day_on: dt.date, minute_of_day: int, zone: ZoneInfo, fold: int = 0) -> int:
    """A local wall-clock time as a UTC minute (24:00 is the next midnight)."""
    wall = dt.datetime.combine(day_on, dt.time()) + dt.timedelta(minutes=minute_of_day)
    return to_minute(wall.replace(tzinfo=zone, fold=fold))


def _day_starts(day_on: dt.date, grain: int, zone: ZoneInfo) -> list[int]:
    """Every UTC minute whose local wall-clock time on ``day_on`` lies on the grain (the definition)."""
    found: list[int] = []
    for minute_of_day in range(0, 1440, grain):
        wall = dt.datetime.combine(day_on, dt.time(minute_of_day // 60, minute_of_day % 60))
        for fold in (0, 1):
            moment = wall.replace(tzinfo=zone, fold=fold)
            if moment.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != wall:
                continue  # in the spring-forward gap
            found.append(to_minute(moment))
    return found


def _steady_day(day_on: dt.date, grain: int, zone: ZoneInfo) -> tuple[int, dt.timedelta | None] | None:
    """Local midnight (a UTC minute) and its UTC offset, when every grain of the day keeps that offset."""
    midnight = dt.datetime.combine(day_on, dt.time()).replace(tzinfo=zone)
    if midnight.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != midnight.replace(tzinfo=None):
        return None
    origin, offset = to_minute(midnight), midnight.utcoffset()
    for k in range(grain, 1440, grain):
        if from_minute(origin + k).astimezone(zone).utcoffset() != offset:
            return None
    return origin, offset


def _regular_day_starts(
    day_on: dt.date, grain: int, zone: ZoneInfo, steady: dict[dt.date, tuple[int, dt.timedelta | None] | None]
) -> list[int] | None:
    """The grain starts of a day with no clock change near it, else None (then use :func:`_day_starts`).

    On such a day the starts are local midnight + k x grain. The UTC offset is checked at every grain
    of the day and of the next one (``steady`` memoises the days), so that a change during the day,
    or one just after it that repeats some of its wall-clock times (St John's, November 2010), sends
    the day to the exact per-time path. (A change undone within one grain would go unseen; no zone has one.)
    """
    after = day_on + dt.timedelta(days=1)
    for each in (day_on, after):
        if each not in steady:
            steady[each] = _steady_day(each, grain, zone)
    today, tomorrow = steady[day_on], steady[after]
    if today is None or tomorrow is None or tomorrow != (today[0] + 1440, today[1]):
        return None
    return [today[0] + k for k in range(0, 1440, grain)]


def start_grains(request: ConferenceRequest) -> list[int]:
    """Start times on the grain in local time, at or after ``earliest_start``, ending by ``deadline``.

    Local times that do not exist (the spring-forward gap) are skipped; local times that happen
    twice (the autumn fold) give two starts.
    """
    zone = request.zone
    first = minute_ceil(request.earliest_start_at)
    last = to_minute(request.deadline_at) - request.duration_minutes
    starts: set[int] = set()
    steady: dict[dt.date, tuple[int, dt.timedelta | None] | None] = {}
    for day_on in _local_dates(first, max(first, last), zone):
        found = _regular_day_starts(day_on, request.grain_minutes, zone, steady)
        if found is None:
            found = _day_starts(day_on, request.grain_minutes, zone)
        starts.update(minute for minute in found if first <= minute <= last)
    return sorted(starts)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, merged, non-empty half-open intervals; touching ones join (same minutes covered)."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Calendar:
    """One person's availability over the horizon, ready for fast look-ups."""

    person: Person
    busy: tuple[Interval, ...]
    windows: tuple[Interval, ...]  # working-hours windows as UTC minutes, sorted, disjoint

    def busy_block(self, start: int, end: int) -> Interval | None:
        """The last busy block overlapping ``[start, end)``, if any."""
        index = bisect.bisect_left(self.busy, (end, end)) - 1
        if index >= 0 and self.busy[index][1] > start:
            return self.busy[index]
        return None

    def in_hours(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.windows, (start, 1 << 62)) - 1
        return index >= 0 and self.windows[index][0] <= start and end <= self.windows[index][1]

    def status(self, start: int, end: int) -> Status:
        if not self.person.availability_known:
            return Status.UNKNOWN
        if self.busy_block(start, end) is not None:
            return Status.BUSY
        if self.in_hours(start, end):
            return Status.FREE
        return Status.OUT_OF_HOURS if self.person.on_call else Status.NOT_WORKING


def build_calendar(
    person: Person, zone: ZoneInfo, first: int, last: int, extra_busy: Sequence[Interval] = ()
) -> Calendar:
    """Working-hours windows for every local day that can touch ``[first, last]``, and merged busy time."""
    windows: list[Interval] = []
    for day_on in _local_dates(first, last, zone):
        for start, end in person.working_hours[day_on.weekday()]:
            windows.append((wall_to_minute(day_on, start, zone), wall_to_minute(day_on, end, zone)))
    busy = merge([(to_minute(s), minute_ceil(e)) for s, e in person.busy] + list(extra_busy))
    return Calendar(person, tuple(busy), tuple(sorted(windows)))


@dataclass(frozen=True)
class Grid:
    """Every start grain of one conference, and each candidate's status at each of them."""

    request: ConferenceRequest
    starts: tuple[int, ...]
    calendars: Mapping[str, Calendar]
    status: Mapping[str, tuple[Status, ...]]
    usable: Mapping[str, tuple[bool, ...]]  # may fill a role: free, out of hours on call, or allowed unknown

    @property
    def duration(self) -> int:
        return self.request.duration_minutes

    def attendable(self, person_id: str, index: int) -> bool:
        return self.usable[person_id][index]


def can_fill(status: Status, allow_unknown: bool) -> bool:
    return status <= Status.OUT_OF_HOURS or (status == Status.UNKNOWN and allow_unknown)


def candidate_ids(request: ConferenceRequest) -> list[str]:
    """Every candidate of every role, each once, in first-mention order."""
    return list(dict.fromkeys(person for role in request.roles for person in role.candidates))


def _disjoint(windows: Sequence[Interval]) -> bool:
    """Sorted windows that neither overlap nor run backwards (a clock change can make either happen)."""
    return all(start < end for start, end in windows) and all(
        end <= start for (_, end), (start, _) in zip(windows, windows[1:], strict=False)
    )


def sweep(calendar: Calendar, starts: Sequence[int], duration: int) -> tuple[Status, ...]:
    """``calendar.status(s, s + duration)`` for every start in the sorted ``starts``, by ranges not by start.

    A meeting at ``s`` overlaps a busy block ``[a, b)`` exactly when ``a - duration < s < b``, and
    lies in a working-hours window ``[w, v)`` exactly when ``w <= s <= v - duration``; each block
    and window therefore marks one run of starts found by bisection. Windows that overlap (possible
    only around a clock change) fall back to the per-start definition.
    """
    count = len(starts)
    if not calendar.person.availability_known:
        return (Status.UNKNOWN,) * count
    if not _disjoint(calendar.windows):
        return tuple(calendar.status(s, s + duration) for s in starts)
    statuses = [Status.OUT_OF_HOURS if calendar.person.on_call else Status.NOT_WORKING] * count
    for start, end in calendar.windows:
        low, high = bisect.bisect_left(starts, start), bisect.bisect_right(starts, end - duration)
        if low < high:
            statuses[low:high] = [Status.FREE] * (high - low)
    for start, end in calendar.busy:
        low, high = bisect.bisect_right(starts, start - duration), bisect.bisect_left(starts, end)
        if low < high:
            statuses[low:high] = [Status.BUSY] * (high - low)
    return tuple(statuses)


def usable_of(statuses: Sequence[Status], allow_unknown: bool) -> tuple[bool, ...]:
    fills = {status: can_fill(status, allow_unknown) for status in Status}
    return tuple(map(fills.__getitem__, statuses))


def build_grid(request: ConferenceRequest, extra_busy: Mapping[str, Sequence[Interval]] | None = None) -> Grid:
    """The sweep: statuses of all candidates at all start grains (O(grains x candidates))."""
    starts = start_grains(request)
    first = minute_ceil(request.earliest_start_at)
    last = to_minute(request.deadline_at)
    calendars: dict[str, Calendar] = {}
    status: dict[str, tuple[Status, ...]] = {}
    for person_id in candidate_ids(request):
        extra = (extra_busy or {}).get(person_id, ())
        calendar = build_calendar(request.person(person_id), request.zone, first, last, extra)
        calendars[person_id] = calendar
        status[person_id] = sweep(calendar, starts, request.duration_minutes)
    usable = {p: usable_of(statuses, request.allow_unknown) for p, statuses in status.items()}
    return Grid(request, tuple(starts), calendars, status, usable)


def overlay(grid: Grid, extra_busy: Mapping[str, Sequence[Interval]]) -> Grid:
    """The same grid with more busy time for some people (recomputes only those people)."""
    calendars = dict(grid.calendars)
    status = dict(grid.status)
    usable = dict(grid.usable)
    for person_id, extra in extra_busy.items():
        if person_id not in calendars or not extra:
            continue
        old = calendars[person_id]
        calendar = Calendar(old.person, tuple(merge([*old.busy, *extra])), old.windows)
        calendars[person_id] = calendar
        status[person_id] = sweep(calendar, grid.starts, grid.duration)
        usable[person_id] = usable_of(status[person_id], grid.request.allow_unknown)
    return Grid(grid.request, grid.starts, calendars, status, usable)
