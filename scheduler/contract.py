"""Typed, immutable form of the scheduling contract (``docs/scheduling.md``): people, roles, one conference's
request, a region's batch.

Times are kept as aware UTC datetimes (``*_at``); the engine works in whole UTC minutes since the epoch. The JSON
parsing that builds these, checking every field, is ``scheduler.model``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_WINDOW_DAYS = 62
DEFAULT_MAX_PROPOSALS = 5

Window = tuple[int, int]
"""A working-hours window as minutes after local midnight, half-open ``[start, end)``."""


@dataclass(frozen=True)
class Person:
    """One person's availability as the request gives it.

    ``availability_known`` is False for ``"availability": "unknown"`` and for a candidate with no
    entry in ``people``: such a person is never treated as free.
    """

    id: str
    working_hours: tuple[tuple[Window, ...], ...]  # index 0 = Monday
    on_call: bool
    busy: tuple[tuple[dt.datetime, dt.datetime], ...]
    availability_known: bool = True
    name: str | None = None

    def label(self) -> str:
        """How a coordinator sees this person: "Sam Okafor (p3)", or just "p3"."""
        return f"{self.name} ({self.id})" if self.name else self.id


def unknown_person(person_id: str) -> Person:
    """A candidate the request gives no availability for."""
    return Person(person_id, tuple(() for _ in WEEKDAYS), False, (), availability_known=False)


@dataclass(frozen=True)
class Role:
    role: str
    required: bool
    written_submission: bool
    candidates: tuple[str, ...]

    @property
    def may_write(self) -> bool:
        """A written submission can cover this role (required roles only, per the contract)."""
        return self.required and self.written_submission


@dataclass(frozen=True)
class ConferenceRequest:
    """One conference to place: the contract's request, parsed."""

    timezone: str
    earliest_start_at: dt.datetime
    deadline_at: dt.datetime
    duration_minutes: int
    grain_minutes: int
    max_proposals: int
    roles: tuple[Role, ...]
    people: Mapping[str, Person]
    allow_unknown: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def person(self, person_id: str) -> Person:
        return self.people.get(person_id) or unknown_person(person_id)


@dataclass(frozen=True)
class FixedBooking:
    """A booking already sent to invitees: ``person`` None means a written submission or an empty role."""

    start_at: dt.datetime
    assignments: Mapping[str, str | None]
    written: frozenset[str]


@dataclass(frozen=True)
class Conference:
    id: str
    priority: int
    earliest_start_at: dt.datetime
    deadline_at: dt.datetime
    duration_minutes: int
    roles: tuple[Role, ...]
    fixed: FixedBooking | None


@dataclass(frozen=True)
class Batch:
    """A regional plan request: the contract's batch, parsed."""

    timezone: str
    grain_minutes: int
    time_limit_seconds: float
    people: Mapping[str, Person]
    conferences: tuple[Conference, ...]
    allow_unknown: bool = False

    def request_for(self, conference: Conference, people: Mapping[str, Person] | None = None) -> ConferenceRequest:
        """The one-conference request that books ``conference`` on its own."""
        return ConferenceRequest(
            timezone=self.timezone,
            earliest_start_at=conference.earliest_start_at,
            deadline_at=conference.deadline_at,
            duration_minutes=conference.duration_minutes,
            grain_minutes=self.grain_minutes,
            max_proposals=1,
            roles=conference.roles,
            people=self.people if people is None else people,
            allow_unknown=self.allow_unknown,
        )
