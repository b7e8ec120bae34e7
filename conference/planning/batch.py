"""Plan the week, first step: the scheduler's batch (``docs/scheduling.md``) for the meetings waiting to be arranged
in the planner's scope and period, and for the invited ones a plan may move.

**Priority** (Convene's own choice; the scheduler only needs "higher is more urgent"): the meeting type gives
the base (strategy discussions and inter-agency referral discussions 4, initial child protection conferences 3,
pre-referral NRM meetings and NRM decision panels 2, reviews 1), and the child's missing-from-care risk adds 3
when high and 1 when medium. So a high-risk strategy discussion (7) is placed before a low-risk review (1).
The **deadline** is the meeting's own (set from the rules' timescales when it was requested), cut to the
period; an overdue meeting keeps the whole period as its window and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.models import Case, MissingRisk
from conference.cases.scope import case_scope
from conference.convening import availability
from conference.convening import services as convening
from conference.convening.models import Conference, ConferenceStatus, ResponseStatus
from conference.convening.options import earliest_start_now, notice_for
from conference.db import utcnow
from conference.extensions import db
from rules.clock import LONDON
from rules.notice import earliest_start_with_notice
from rules.vocabulary import MeetingType

TIME_LIMIT_SECONDS = 10
TYPE_PRIORITY = {
    MeetingType.STRATEGY_DISCUSSION: 4,
    MeetingType.STRATEGY_DISCUSSION_NI: 4,
    MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION: 4,
    MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE: 3,
    MeetingType.PRE_REFERRAL_NRM_MEETING: 2,
    MeetingType.DEVOLVED_NRM_DECISION_PANEL: 2,
    MeetingType.REVIEW: 1,
}
RISK_PRIORITY = {MissingRisk.HIGH: 3, MissingRisk.MEDIUM: 1, MissingRisk.LOW: 0}


def priority_of(conference: Conference) -> int:
    return TYPE_PRIORITY.get(conference.meeting_type, 1) + RISK_PRIORITY.get(conference.case.missing_risk, 0)


def period_bounds(from_on: date, to_on: date) -> tuple[datetime, datetime]:
    start = datetime.combine(from_on, time(), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(to_on + timedelta(days=1), time(), tzinfo=LONDON).astimezone(UTC)
    return start, end


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _grain_ceil(value: datetime, minutes: int = 15) -> datetime:
    value = value.astimezone(UTC)
    if value.second or value.microsecond:  # a ceiling: 10:14:30 is 10:15, never 10:14
        value = value.replace(second=0, microsecond=0) + timedelta(minutes=1)
    extra = value.minute % minutes
    return value + timedelta(minutes=minutes - extra) if extra else value


def find_waiting(user: User, from_on: date, to_on: date) -> list[Conference]:
    """Drafts in the user's scope with roles set and a window that reaches into the period."""
    start, end = period_bounds(from_on, to_on)
    rows = db.session.scalars(
        select(Conference)
        .join(Case, Case.id == Conference.case_id)
        .where(
            case_scope(user),
            Conference.status == ConferenceStatus.DRAFT,
            Conference.earliest_start_at.is_not(None),
            Conference.deadline_at.is_not(None),
            Conference.earliest_start_at < end,
        )
        .order_by(Conference.deadline_at, Conference.reference)
    ).unique()
    return [c for c in rows if c.roles and any(seat.candidate_ids for seat in c.roles)]


def find_invited(user: User, from_on: date, to_on: date) -> list[Conference]:
    start, end = period_bounds(from_on, to_on)
    return list(
        db.session.scalars(
            select(Conference)
            .join(Case, Case.id == Conference.case_id)
            .where(
                case_scope(user),
                Conference.status == ConferenceStatus.INVITED,
                Conference.start_at >= start,
                Conference.start_at < end,
            )
            .order_by(Conference.start_at)
        ).unique()
    )


@dataclass
class BuiltBatch:
    batch: dict[str, Any]
    meetings: list[dict[str, Any]]
    key_parts: list[str]


def _merge_people(into: dict[str, Any], people: dict[str, Any]) -> None:
    for person_id, entry in people.items():
        if person_id not in into:
            into[person_id] = {**entry, "busy": [list(b) for b in entry.get("busy", [])]}
            continue
        known = into[person_id]
        for interval in entry.get("busy", []):
            if list(interval) not in known["busy"]:
                known["busy"].append(list(interval))


def build_batch(user: User, from_on: date, to_on: date, *, move_invited: bool, now_at: datetime) -> BuiltBatch:
    """The scheduler batch (docs/scheduling.md) for the period, from the same directory→request code as the
    options page (conference/convening/availability.build_request), so availability is identical."""
    start, end = period_bounds(from_on, to_on)
    start = max(start, _grain_ceil(now_at))
    people: dict[str, Any] = {}
    conferences: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    key_parts: list[str] = []
    for conference in find_waiting(user, from_on, to_on):
        assert conference.earliest_start_at is not None and conference.deadline_at is not None
        # The minimum notice (rules/notice.py), as on the options page: no planned start sooner than now plus the
        # meeting's notice (30 minutes urgent, 2 hours for a strategy discussion, 1 working day for a conference).
        earliest = max(_grain_ceil(earliest_start_now(conference, now_at)), start)
        overdue = conference.deadline_at <= earliest
        deadline = end if overdue else min(conference.deadline_at, end)
        if deadline - earliest < timedelta(minutes=conference.duration_minutes):
            continue
        arrangement = convening.arrangement_for(conference)
        # Availability over the window the plan uses (an overdue meeting's own window has passed).
        request = availability.build_request(
            conference, include_on_call=arrangement.include_on_call, window=(earliest, deadline)
        )
        _merge_people(people, request["people"])
        entry = {
            "id": conference.reference,
            "priority": priority_of(conference),
            "earliest_start": _iso(earliest),
            "deadline": _iso(deadline),
            "duration_minutes": conference.duration_minutes,
            "roles": request["roles"],
            "fixed": None,
        }
        conferences.append(entry)
        meetings.append(_meeting_entry(conference, entry, overdue=overdue))
        key_parts.append(f"{conference.id}:{conference.version}")
    for conference in find_invited(user, from_on, to_on):
        assert conference.start_at is not None and conference.end_at is not None
        invited = _invited_entry(conference, people, move_invited=move_invited, start=start, end=end, now_at=now_at)
        if invited is None:
            continue
        conferences.append(invited)
        meetings.append(_meeting_entry(conference, invited, overdue=False))
        key_parts.append(f"{conference.id}:{conference.version}")
    batch = {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": TIME_LIMIT_SECONDS,
        "people": people,
        "conferences": conferences,
    }
    return BuiltBatch(batch, meetings, key_parts)


def _invited_entry(
    conference: Conference,
    people: dict[str, Any],
    *,
    move_invited: bool,
    start: datetime,
    end: datetime,
    now_at: datetime,
) -> dict[str, Any] | None:
    """An invited meeting: ``fixed`` (kept exactly), or, when the manager lets the plan move invited meetings,
    movable with the people already invited (a move is then a reschedule, so it needs the minimum notice too)."""
    assert conference.start_at is not None and conference.end_at is not None
    attendees = convening.active_attendees(conference)
    if not attendees:
        return None
    if move_invited:
        with_notice = earliest_start_with_notice(now_at, notice_for(conference), conference.nation)
        earliest = max(start, _grain_ceil(utcnow()), _grain_ceil(with_notice))
        if end - earliest < timedelta(minutes=conference.duration_minutes):
            return None
        window_start, window_end = earliest, end
    else:
        window_start = min(conference.start_at, conference.earliest_start_at or conference.start_at)
        window_end = max(conference.end_at, conference.deadline_at or conference.end_at)
    roles: list[dict[str, Any]] = []
    assignments: dict[str, Any] = {}
    ids: list[str] = []
    for attendee in attendees:
        role = attendee.seat.role.value
        if role in assignments:
            continue
        written = attendee.response is ResponseStatus.WRITTEN_SUBMISSION
        person_id = str(attendee.person_id)
        ids.append(person_id)
        roles.append(
            {"role": role, "required": attendee.seat.required, "written_submission": written, "candidates": [person_id]}
        )
        assignments[role] = {"written_submission": True} if written else {"person": person_id}
    found = availability.people_by_id(ids)
    for person_id in ids:
        person = found.get(person_id)
        if person is None:
            people.setdefault(person_id, {"availability": "unknown"})
            continue
        read = availability.read_availability(person, window_start, window_end)
        entry: dict[str, Any] = {"name": person.name, "working_hours": person.working_hours or {}, "on_call": False}
        if not read.known:
            entry["availability"] = "unknown"
        entry["busy"] = read.busy
        _merge_people(people, {person_id: entry})
    return {
        "id": conference.reference,
        "priority": priority_of(conference),
        "earliest_start": _iso(window_start),
        "deadline": _iso(window_end),
        "duration_minutes": conference.duration_minutes,
        "roles": roles,
        "fixed": None if move_invited else {"start": _iso(conference.start_at), "assignments": assignments},
    }


def _meeting_entry(conference: Conference, entry: dict[str, Any], *, overdue: bool) -> dict[str, Any]:
    return {
        "id": entry["id"],
        "conference_id": str(conference.id),
        "reference": conference.reference,
        "case_reference": conference.case.reference,
        "meeting_type": conference.meeting_type.label,
        "risk": conference.case.missing_risk.label if conference.case.missing_risk else "",
        "priority": entry["priority"],
        "deadline": entry["deadline"],
        "own_deadline": _iso(conference.deadline_at) if conference.deadline_at else None,
        "overdue": overdue,
        "invited": conference.status is ConferenceStatus.INVITED,
        "fixed": entry["fixed"] is not None,
        "start": _iso(conference.start_at) if conference.start_at else None,
        "sequence": conference.ical_sequence,
        "version": conference.version,
    }
