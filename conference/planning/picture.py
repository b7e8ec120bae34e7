"""The week per shared person: a server-rendered timeline (SVG drawn by templates/planning/_timeline.html) with
a text alternative. Pure geometry from a plan run's proposals: one row per person in two meetings or more (the
shared, scarce people), one band per day (8am to 6pm), one block per meeting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from conference.planning.services import ProposedMeeting
from rules.clock import LONDON

FIRST_HOUR, LAST_HOUR = 8, 18
LABEL_WIDTH, DAY_WIDTH, ROW_HEIGHT, HEADER = 200, 110, 26, 30


@dataclass(frozen=True)
class Block:
    label: str
    x: float
    y: float
    width: float
    invited: bool
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class PersonRow:
    name: str
    y: float
    blocks: list[Block]


@dataclass(frozen=True)
class Day:
    on: date
    x: float


@dataclass(frozen=True)
class Timeline:
    rows: list[PersonRow]
    days: list[Day]
    width: int
    height: int
    day_width: int
    row_height: int
    label_width: int


def build_timeline(
    proposals: Sequence[ProposedMeeting],
    names: Mapping[str, str],
    from_on: date,
    to_on: date,
    *,
    shared_only: bool = True,
) -> Timeline:
    days = [from_on + timedelta(days=n) for n in range((to_on - from_on).days + 1)][:14]
    by_person: dict[str, list[ProposedMeeting]] = {}
    for p in proposals:
        if p.start_at is None:
            continue
        for cover in p.assignments.values():
            person = cover.get("person")
            if person:
                by_person.setdefault(str(person), []).append(p)
    people = [pid for pid, found in by_person.items() if len(found) >= 2 or not shared_only]
    people.sort(key=lambda pid: (-len(by_person[pid]), names.get(pid, "")))
    minutes_wide = (LAST_HOUR - FIRST_HOUR) * 60
    rows: list[PersonRow] = []
    for index, pid in enumerate(people):
        y = HEADER + index * ROW_HEIGHT
        blocks: list[Block] = []
        for p in sorted(by_person[pid], key=lambda m: m.start_at or datetime.min):
            assert p.start_at is not None and p.end_at is not None
            local = p.start_at.astimezone(LONDON)
            if local.date() not in days:
                continue
            day_index = days.index(local.date())
            offset = (local.hour - FIRST_HOUR) * 60 + local.minute
            length = (p.end_at - p.start_at).total_seconds() / 60
            offset = min(max(offset, 0), minutes_wide - 15)
            x = LABEL_WIDTH + day_index * DAY_WIDTH + offset / minutes_wide * DAY_WIDTH
            width = max(length / minutes_wide * DAY_WIDTH, 3.0)
            blocks.append(Block(p.id, x, y + 3, width, bool(p.meeting.get("invited")), p.start_at, p.end_at))
        rows.append(PersonRow(names.get(pid, "Unknown person"), y, blocks))
    return Timeline(
        rows,
        [Day(on, LABEL_WIDTH + n * DAY_WIDTH) for n, on in enumerate(days)],
        LABEL_WIDTH + len(days) * DAY_WIDTH + 4,
        HEADER + max(len(rows), 1) * ROW_HEIGHT + 4,
        DAY_WIDTH,
        ROW_HEIGHT,
        LABEL_WIDTH,
    )
