"""The availability picture: a timeline over a meeting's window, per role and candidate, with the proposed slots.

Pure: it takes the scheduler's request dict (``docs/scheduling.md``) and the proposals of its answer, and
returns geometry and words; ``templates/components/availability_picture.html`` draws it as server-side SVG (no
scripts) with a text alternative that says the same. Each candidate's time is one of:

* ``free``: inside their working hours and not busy;
* ``busy``: a busy interval from their calendar;
* ``unknown``: no calendar could be read, so not treated as free (the scheduler's rule);
* ``out_of_hours``: outside their working hours, and not on call (they cannot be booked then);
* ``on_call``: outside their working hours, but on call and on-call staff are included: they may be booked then,
  out of hours (the scheduler's meaning of ``on_call``, the same as the options' and the board's);
* ``outside``: outside the meeting's window (before the earliest start or after the deadline).

Readable for 10 roles over 7 days: each day shows the hours that matter (the whole search window, night included,
the candidates' working hours and the proposals, 8am to 6pm at least), so a week fits 960 pixels; rows are 22
pixels.

Usage (the convening options page)::

    from conference.availability_picture import build_picture
    picture = build_picture(request_dict, response["proposals"], names={"p1": "Sam Okafor"},
                            role_labels={"police": "Police"})
    {% from "components/availability_picture.html" import availability_picture %}
    {{ availability_picture(picture) }}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rules.display import day_and_month, time_of_day
from scheduler.availability import build_calendar, from_minute, to_minute, wall_to_minute
from scheduler.model import ConferenceRequest, parse_instant, parse_request

KINDS = ("free", "busy", "unknown", "on_call", "out_of_hours", "outside")
KIND_LABELS = {
    "free": "Free",
    "busy": "Busy",
    "unknown": "Availability unknown",
    "on_call": "On call (out of hours)",
    "out_of_hours": "Out of hours",
    "outside": "Outside the window",
}
LABEL_WIDTH = 280
ROLE_COLUMN_CHARS = 15  # the role's name wraps over its candidates' rows, this many characters a line
PERSON_COLUMN_CHARS = 21
ROW_HEIGHT = 22
HEADER_HEIGHT = 58  # day names, hours, then the numbered badges of the proposed times
ROLE_GAP = 6
MIN_TICK_SPACING = 32  # pixels between hour labels, so that "10am" and "12pm" never touch
MIN_FIRST_HOUR, MIN_LAST_HOUR = 8, 18


@dataclass(frozen=True)
class Segment:
    kind: str
    start_at: dt.datetime
    end_at: dt.datetime
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    role: str
    person_id: str
    person_label: str  # "Sam Okafor (deputy 1)"
    y: float
    segments: tuple[Segment, ...]
    summary: tuple[str, ...]  # one line per day, for the text alternative
    attends: tuple[int, ...]  # option numbers this person attends
    first_in_role: bool
    role_lines: tuple[str, ...] = ()  # the role's name wrapped, drawn beside its candidates' rows
    short_name: str = ""  # the person's name, shortened to fit the label column


@dataclass(frozen=True)
class Day:
    on: dt.date
    label: str  # "Mon 30 Nov"
    full_label: str  # "Monday 30 November"
    x: float
    width: float


@dataclass(frozen=True)
class Slot:
    number: int
    start_at: dt.datetime
    end_at: dt.datetime
    x: float
    width: float
    label: str  # "Option 1: Monday 30 November, 9am to 10am"


@dataclass(frozen=True)
class AvailabilityPicture:
    width: int
    height: int
    label_width: int
    first_hour: int
    last_hour: int
    days: tuple[Day, ...]
    rows: tuple[Row, ...]
    slots: tuple[Slot, ...]
    legend: tuple[tuple[str, str], ...]
    window_label: str

    @property
    def hour_ticks(self) -> list[tuple[float, str]]:
        """x positions and labels of the hours shown under each day, spaced so that the labels never touch."""
        span = self.last_hour - self.first_hour
        per_hour = (self.days[0].width / span) if self.days and span else 0.0
        step = next((s for s in (1, 2, 3, 4, 6, 12) if s * per_hour >= MIN_TICK_SPACING), 24)
        ticks: list[tuple[float, str]] = []
        for day in self.days:
            for hour in range(self.first_hour, self.last_hour, step):
                x = day.x + (hour - self.first_hour) / span * day.width
                ticks.append((x, _hour_label(hour)))
        return ticks


def _hour_label(hour: int) -> str:
    return {0: "12am", 12: "12pm"}.get(hour, f"{hour % 12}{'am' if hour < 12 else 'pm'}")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: int, max_lines: int) -> tuple[str, ...]:
    """Words into lines of at most ``width`` characters; the last line shortened with "…" if it overflows."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return tuple(_shorten(line, width) for line in lines)


def _span(start_at: dt.datetime, end_at: dt.datetime) -> str:
    return f"{time_of_day(start_at)} to {time_of_day(end_at)}"


class _Geometry:
    """Maps UTC minutes to x within each day's shown hours."""

    def __init__(
        self, request: ConferenceRequest, days: list[dt.date], first_hour: int, last_hour: int, width: int
    ) -> None:
        self.zone = request.zone
        self.days = days
        self.first_hour, self.last_hour = first_hour, last_hour
        self.day_width = (width - LABEL_WIDTH) / len(days)

    def day_bounds(self, index: int) -> tuple[int, int]:
        day_on = self.days[index]
        return (
            wall_to_minute(day_on, self.first_hour * 60, self.zone),
            wall_to_minute(day_on, self.last_hour * 60, self.zone),
        )

    def x(self, index: int, minute: int) -> float:
        start, end = self.day_bounds(index)
        fraction = (min(max(minute, start), end) - start) / max(end - start, 1)
        return LABEL_WIDTH + index * self.day_width + fraction * self.day_width


def _window_days(request: ConferenceRequest) -> list[dt.date]:
    first = request.earliest_start_at.astimezone(request.zone).date()
    last = (request.deadline_at - dt.timedelta(minutes=1)).astimezone(request.zone).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _shown_hours(request: ConferenceRequest, proposals: Sequence[tuple[dt.datetime, dt.datetime]]) -> tuple[int, int]:
    first, last = MIN_FIRST_HOUR, MIN_LAST_HOUR
    for role in request.roles:
        for person_id in role.candidates:
            for windows in request.person(person_id).working_hours:
                for start, end in windows:
                    first, last = min(first, start // 60), max(last, -(-end // 60))
    # The whole search window, night included: a window that runs past midnight needs every hour of the day
    # (the evening of its first day and the early morning of the next); one within a day needs its own hours.
    local_start = request.earliest_start_at.astimezone(request.zone)
    local_end = (request.deadline_at - dt.timedelta(minutes=1)).astimezone(request.zone)
    if local_end.date() != local_start.date():
        first, last = 0, 24
    else:
        first, last = min(first, local_start.hour), max(last, local_end.hour + 1)
    for start_at, end_at in proposals:
        local_start, local_end = start_at.astimezone(request.zone), end_at.astimezone(request.zone)
        first = min(first, local_start.hour)
        end_hour = local_end.hour + (1 if local_end.minute else 0)
        last = max(last, end_hour if local_end.date() == local_start.date() else 24)
    return max(first, 0), min(last, 24)


def _classify(calendar: Any, minute: int, window: tuple[int, int]) -> str:
    if not window[0] <= minute < window[1]:
        return "outside"
    if not calendar.person.availability_known:
        return "unknown"
    if calendar.busy_block(minute, minute + 1) is not None:
        return "busy"
    if calendar.in_hours(minute, minute + 1):
        return "free"
    return "on_call" if calendar.person.on_call else "out_of_hours"


def _day_segments(calendar: Any, start: int, end: int, window: tuple[int, int]) -> list[tuple[str, int, int]]:
    """(kind, start, end) pieces of one day's shown hours, cut at every busy, working-hours and window edge."""
    cuts = {start, end, *window}
    for a, b in (*calendar.busy, *calendar.windows):
        cuts.update((a, b))
    points = sorted(c for c in cuts if start <= c <= end)
    pieces: list[tuple[str, int, int]] = []
    for a, b in zip(points, points[1:], strict=False):
        if b <= a:
            continue
        kind = _classify(calendar, a, window)
        if pieces and pieces[-1][0] == kind and pieces[-1][2] == a:
            pieces[-1] = (kind, pieces[-1][1], b)
        else:
            pieces.append((kind, a, b))
    return pieces


def _summary(day_label: str, pieces: list[tuple[str, int, int]]) -> str:
    said = [
        f"{KIND_LABELS[k].lower()} {_span(from_minute(a), from_minute(b))}"
        for k, a, b in pieces
        if k in ("free", "busy", "unknown", "on_call")
    ]
    if not said:
        return f"{day_label}: out of hours or outside the window all day"
    return f"{day_label}: " + ", ".join(said) + "; other times out of hours or outside the window"


def build_picture(
    request: Mapping[str, Any],
    proposals: Sequence[Mapping[str, Any]] = (),
    *,
    names: Mapping[str, str] | None = None,
    role_labels: Mapping[str, str] | None = None,
    width: int = 960,
) -> AvailabilityPicture:
    """The picture for one scheduler request and its proposals. Raises ``scheduler.RequestError`` on bad input."""
    parsed = parse_request(request)
    names = names or {}
    role_labels = role_labels or {}
    slots_at = [
        (parse_instant(p["start"], "proposal start"), parse_instant(p["end"], "proposal end")) for p in proposals
    ]
    days = _window_days(parsed)
    first_hour, last_hour = _shown_hours(parsed, slots_at)
    geometry = _Geometry(parsed, days, first_hour, last_hour, width)
    window = (to_minute(parsed.earliest_start_at), to_minute(parsed.deadline_at))
    horizon = (geometry.day_bounds(0)[0] - 1440, geometry.day_bounds(len(days) - 1)[1] + 1440)
    rows: list[Row] = []
    y = float(HEADER_HEIGHT)
    for role in parsed.roles:
        role_label = role_labels.get(role.role, role.role.replace("_", " ").capitalize())
        for rank, person_id in enumerate(role.candidates):
            calendar = build_calendar(parsed.person(person_id), parsed.zone, *horizon)
            segments: list[Segment] = []
            summary: list[str] = []
            for index, day_on in enumerate(days):
                start, end = geometry.day_bounds(index)
                pieces = _day_segments(calendar, start, end, window)
                segments += [
                    Segment(
                        k,
                        from_minute(a),
                        from_minute(b),
                        geometry.x(index, a),
                        geometry.x(index, b) - geometry.x(index, a),
                    )
                    for k, a, b in pieces
                ]
                summary.append(_summary(day_and_month(day_on), pieces))
            attends = tuple(
                n
                for n, p in enumerate(proposals, start=1)
                if (p.get("assignments", {}).get(role.role) or {}).get("person") == person_id
            )
            name = names.get(person_id, person_id)
            person_label = name + (f" (deputy {rank})" if rank else "")
            rows.append(
                Row(
                    role_label,
                    person_id,
                    person_label,
                    y,
                    tuple(segments),
                    tuple(summary),
                    attends,
                    rank == 0,
                    _wrap(role_label, ROLE_COLUMN_CHARS, len(role.candidates)) if rank == 0 else (),
                    _shorten(name, PERSON_COLUMN_CHARS),
                )
            )
            y += ROW_HEIGHT
        y += ROLE_GAP
    slots = tuple(
        _slot(number, start_at, end_at, parsed, days, geometry)
        for number, (start_at, end_at) in enumerate(slots_at, start=1)
    )
    day_cells = tuple(
        Day(
            d,
            f"{d:%a} {d.day} {d:%b}",
            f"{d:%A} {d.day} {d:%B}",
            LABEL_WIDTH + i * geometry.day_width,
            geometry.day_width,
        )
        for i, d in enumerate(days)
    )
    window_label = f"{_local_label(parsed.earliest_start_at, parsed)} to {_local_label(parsed.deadline_at, parsed)}"
    return AvailabilityPicture(
        width,
        int(y) + 4,
        LABEL_WIDTH,
        first_hour,
        last_hour,
        day_cells,
        tuple(rows),
        slots,
        tuple(
            (k, KIND_LABELS[k]) for k in KINDS if k != "on_call" or any(g.kind == k for r in rows for g in r.segments)
        ),
        window_label,
    )


def _local_label(moment: dt.datetime, request: ConferenceRequest) -> str:
    local = moment.astimezone(request.zone)
    return f"{day_and_month(local.date())} at {time_of_day(moment)}"


def _slot(
    number: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    request: ConferenceRequest,
    days: list[dt.date],
    geometry: _Geometry,
) -> Slot:
    local_on = start_at.astimezone(request.zone).date()
    index = days.index(local_on) if local_on in days else 0
    x = geometry.x(index, to_minute(start_at))
    width = max(geometry.x(index, to_minute(end_at)) - x, 3.0)
    label = f"Option {number}: {day_and_month(local_on)}, {_span(start_at, end_at)}"
    return Slot(number, start_at, end_at, x, width, label)
