"""Plan the week: collect the meetings waiting to be arranged in a scope and period (drafts, and the meetings due by
their timescale that nobody has started: ``find_due``), queue a plan run, and accept
what the plan proposes as ordinary convenings (check answers, invitations; a move of an invited meeting is a
reschedule with SEQUENCE+1).

**Priority** (Convene's own choice; the scheduler only needs "higher is more urgent"): the meeting type gives
the base (strategy discussions and inter-agency referral discussions 4, initial child protection conferences 3,
pre-referral NRM meetings and NRM decision panels 2, reviews 1), and the child's missing-from-care risk adds 3
when high and 1 when medium. So a high-risk strategy discussion (7) is placed before a low-risk review (1).
The **deadline** is the meeting's own (set from conference/timescales.py when it was requested), cut to the
period; an overdue meeting keeps the whole period as its window and says so.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.cases.scope import case_scope
from conference.convening import availability
from conference.convening import invitations as convening_invitations
from conference.convening import request as convening_request
from conference.convening import services as convening
from conference.convening.models import Conference, ConferenceStatus, ResponseStatus
from conference.dashboard import decisions_adapter
from conference.db import utcnow
from conference.extensions import db
from conference.invitations.calendar import PRODID, local_or_utc, london_vtimezone
from conference.planning.models import PlanRun, PlanStatus
from rules.clock import LONDON
from rules.timescales import StrategyDiscussionHeld, TimescaleError, default_window, enquiries_started_at
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


class PlanningError(ValueError):
    """Something the person can act on, in words."""


def priority_of(conference: Conference) -> int:
    return TYPE_PRIORITY.get(conference.meeting_type, 1) + RISK_PRIORITY.get(conference.case.missing_risk, 0)


def period_bounds(from_on: date, to_on: date) -> tuple[datetime, datetime]:
    start = datetime.combine(from_on, time(), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(to_on + timedelta(days=1), time(), tzinfo=LONDON).astimezone(UTC)
    return start, end


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _grain_ceil(value: datetime, minutes: int = 15) -> datetime:
    value = value.astimezone(UTC).replace(second=0, microsecond=0)
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


#: A meeting due within this many days after the period is planned in it too. Convene's own choice: invitations
#: need notice, so a conference due early next week is best placed this week.
DUE_AHEAD_DAYS = 14
#: A meeting overdue by more than this many days is not collected. Convene's own choice: by then it was most
#: likely held outside Convene, or (for an initial conference) the enquiries found none was needed; the case
#: page is where to arrange it.
DUE_OVERDUE_DAYS = 14
_STRATEGY_TYPES = (
    MeetingType.STRATEGY_DISCUSSION,
    MeetingType.STRATEGY_DISCUSSION_NI,
    MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
)
_CONFERENCE_TYPES = (MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, MeetingType.REVIEW)
_PLACED = (ConferenceStatus.INVITED, ConferenceStatus.HELD)


@dataclass(frozen=True)
class DueMeeting:
    """A meeting a case is due to have and that nobody has started arranging: its default window from
    rules/timescales.py (whose constants cite their sources) and its priority (``TYPE_PRIORITY``, ``RISK_PRIORITY``)."""

    case_id: uuid.UUID
    case_reference: str
    meeting_type: MeetingType
    risk: MissingRisk | None
    priority: int
    earliest_at: datetime
    deadline_at: datetime
    basis: str
    overdue: bool


def find_due(user: User, from_on: date, to_on: date, *, now_at: datetime) -> list[DueMeeting]:
    """Meetings due but not yet started in the user's scope, whose window opens by the end of the period and whose
    deadline falls by ``DUE_AHEAD_DAYS`` after it (overdue ones included, up to ``DUE_OVERDUE_DAYS``), the most
    urgent first:

    * an **initial child protection conference** after a held strategy discussion (or IRD) whose signed decision
      started section 47 enquiries (a child protection investigation), when no initial conference has been
      requested or held since (Working Together to Safeguard Children 2023: within 15 working days; see
      ``rules.timescales.ICPC_WORKING_DAYS``);
    * a **review** conference after the latest initial conference or review held, when no review is being
      arranged (first within 3 months, then at most 6 months apart: ``rules.timescales.FIRST_REVIEW_MONTHS``).

    Read in three statements whatever the number of cases (conferences in scope, their enquiry decisions, the
    cases concerned)."""
    _start, end = period_bounds(from_on, to_on)
    horizon = end + timedelta(days=DUE_AHEAD_DAYS)
    rows = db.session.execute(
        select(Conference.id, Conference.case_id, Conference.meeting_type, Conference.status, Conference.start_at)
        .join(Case, Case.id == Conference.case_id)
        .where(
            case_scope(user),
            Case.status == CaseStatus.OPEN,
            Conference.status != ConferenceStatus.CANCELLED,
            Conference.meeting_type.in_([t.value for t in (*_STRATEGY_TYPES, *_CONFERENCE_TYPES)]),
        )
    ).all()
    by_case: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    held_strategy = [
        row.id
        for row in rows
        if MeetingType(row.meeting_type) in _STRATEGY_TYPES
        and row.status in _PLACED
        and row.start_at is not None
        and row.start_at <= now_at
    ]
    started = decisions_adapter.find_enquiry_decisions(held_strategy)
    wanted: dict[uuid.UUID, tuple[MeetingType, datetime | None, datetime | None, MeetingType | None]] = {}
    for case_id, meetings in by_case.items():
        anchor = enquiries_started_at(
            StrategyDiscussionHeld(m.start_at, started.get(m.id)) for m in meetings if m.id in started
        )
        conferences = [m for m in meetings if MeetingType(m.meeting_type) in _CONFERENCE_TYPES]
        drafted = {MeetingType(m.meeting_type) for m in conferences if m.status is ConferenceStatus.DRAFT}
        placed = sorted(
            (m for m in conferences if m.status in _PLACED and m.start_at is not None), key=lambda m: m.start_at
        )
        icpc = MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE
        if anchor is not None and icpc not in drafted and not any(m.start_at >= anchor for m in placed):
            wanted[case_id] = (icpc, anchor, None, None)
        elif placed and MeetingType.REVIEW not in drafted and icpc not in drafted:
            latest = placed[-1]
            wanted[case_id] = (MeetingType.REVIEW, None, latest.start_at, MeetingType(latest.meeting_type))
    if not wanted:
        return []
    cases = db.session.execute(
        select(Case.id, Case.reference, Case.nation, Case.identified_at, Case.missing_risk).where(
            Case.id.in_(list(wanted))
        )
    ).all()
    due: list[DueMeeting] = []
    for case in cases:
        meeting_type, anchor, previous_at, previous_type = wanted[case.id]
        try:
            window = default_window(
                meeting_type=meeting_type,
                nation=case.nation,
                identified_at=case.identified_at,
                at_risk_of_going_missing=case.missing_risk is MissingRisk.HIGH,
                strategy_discussion_at=anchor,
                previous_meeting_at=previous_at,
                previous_meeting_type=previous_type,
                now_at=now_at,
            )
        except TimescaleError:  # not used in the case's nation, or no anchor: nothing is due by a rule
            continue
        if window.deadline_at > horizon or window.earliest_at >= end:
            continue
        if window.deadline_at < now_at - timedelta(days=DUE_OVERDUE_DAYS):
            continue
        risk = MissingRisk(case.missing_risk) if case.missing_risk else None
        due.append(
            DueMeeting(
                case_id=case.id,
                case_reference=case.reference,
                meeting_type=meeting_type,
                risk=risk,
                priority=TYPE_PRIORITY.get(meeting_type, 1) + (RISK_PRIORITY.get(risk, 0) if risk else 0),
                earliest_at=window.earliest_at,
                deadline_at=window.deadline_at,
                basis=window.basis,
                overdue=window.deadline_at <= now_at,
            )
        )
    return sorted(due, key=lambda d: (-d.priority, d.deadline_at, d.case_reference))


def start_due_meetings(user: User, due: list[DueMeeting]) -> list[Conference]:
    """Start arranging each due meeting as a draft with its default window and the seats and candidates from the
    directory (the same service as "Arrange a meeting" on the case page), so the plan can place it."""
    started: list[Conference] = []
    for meeting in due:
        case = db.session.get(Case, meeting.case_id)
        if case is None:
            continue
        try:
            conference = convening_request.start_conference(user, case, meeting.meeting_type)
        except (convening.ConveningError, ValueError):
            continue  # a meeting type the case cannot have (its nation, the pilot): the case page says why
        if meeting.overdue:  # keep its own (passed) deadline, so the plan gives it the whole period, marked overdue
            assert conference.earliest_start_at is not None
            convening_request.set_window(
                conference, conference.earliest_start_at, meeting.deadline_at, conference.duration_minutes
            )
        started.append(conference)
    return started


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
        earliest = max(conference.earliest_start_at, start)
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
        invited = _invited_entry(conference, people, move_invited=move_invited, start=start, end=end)
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
    conference: Conference, people: dict[str, Any], *, move_invited: bool, start: datetime, end: datetime
) -> dict[str, Any] | None:
    """An invited meeting: ``fixed`` (kept exactly), or, when the manager lets the plan move invited meetings,
    movable with the people already invited (a move is then a reschedule)."""
    assert conference.start_at is not None and conference.end_at is not None
    attendees = convening.active_attendees(conference)
    if not attendees:
        return None
    if move_invited:
        earliest = max(start, _grain_ceil(utcnow()))
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


def _inputs_key(area_id: uuid.UUID, from_on: date, to_on: date, move_invited: bool, parts: list[str]) -> str:
    text = json.dumps([str(area_id), from_on.isoformat(), to_on.isoformat(), move_invited, sorted(parts)])
    return hashlib.sha256(text.encode()).hexdigest()


def request_plan(user: User, from_on: date, to_on: date, *, move_invited: bool) -> tuple[PlanRun, bool]:
    """Queue a plan run for the user's area and the period, or return the same one already queued or running
    (same scope, period and inputs). Returns the run and whether it is new."""
    area_id = user.agency.local_authority_id
    now_at = utcnow()
    start_due_meetings(user, find_due(user, from_on, to_on, now_at=now_at))
    built = build_batch(user, from_on, to_on, move_invited=move_invited, now_at=now_at)
    if not built.batch["conferences"]:
        raise PlanningError("There are no meetings waiting to be arranged in this period")
    key = _inputs_key(area_id, from_on, to_on, move_invited, built.key_parts)
    existing = db.session.scalars(
        select(PlanRun)
        .where(PlanRun.inputs_key == key, PlanRun.status.in_([PlanStatus.QUEUED, PlanStatus.RUNNING]))
        .order_by(PlanRun.created_at)
    ).first()
    if existing is not None:
        return existing, False
    run = PlanRun(
        local_authority_id=area_id,
        created_by_id=user.id,
        from_on=from_on,
        to_on=to_on,
        move_invited=move_invited,
        inputs_key=key,
        batch=built.batch,
        meetings=built.meetings,
        status=PlanStatus.QUEUED,
    )
    db.session.add(run)
    db.session.flush()
    record_event(
        db.session,
        "planning.request",
        object_type="plan_run",
        object_id=run.id,
        detail={"meetings": len(built.meetings), "from_on": from_on.isoformat(), "to_on": to_on.isoformat()},
    )
    return run, True


def get_run(user: User, run_id: uuid.UUID) -> PlanRun:
    """The run, if it is for the user's area (404 otherwise: raises LookupError)."""
    run = db.session.get(PlanRun, run_id)
    if run is None or run.local_authority_id != user.agency.local_authority_id:
        raise LookupError("plan run")
    return run


def find_recent_runs(user: User, limit: int = 5) -> list[PlanRun]:
    return list(
        db.session.scalars(
            select(PlanRun)
            .where(PlanRun.local_authority_id == user.agency.local_authority_id)
            .order_by(PlanRun.created_at.desc())
            .limit(limit)
        )
    )


# --- reading a finished run ----------------------------------------------------------------------------


def parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class ProposedMeeting:
    id: str
    meeting: dict[str, Any]
    booked: bool
    start_at: datetime | None
    end_at: datetime | None
    assignments: dict[str, Any]
    reasons: list[str]
    greedy_start_at: datetime | None

    @property
    def moves_invited(self) -> bool:
        """An invited meeting the plan puts at another time: accepting it is a reschedule."""
        current = self.meeting.get("start")
        return bool(
            self.meeting.get("invited") and self.start_at and current and parse_instant(current) != self.start_at
        )

    @property
    def acceptable(self) -> bool:
        if not self.booked:
            return False
        return not self.meeting.get("invited") or self.moves_invited


@dataclass(frozen=True)
class Comparison:
    label: str
    placed: int
    unscheduled_priority: int
    weighted_wait_minutes: int


def proposed_meetings(run: PlanRun) -> list[ProposedMeeting]:
    greedy = {b["id"]: b for b in run.greedy.get("bookings", [])}
    meetings = {m["id"]: m for m in run.meetings}
    found: list[ProposedMeeting] = []
    for booking in run.result.get("bookings", []):
        meeting = meetings.get(booking["id"])
        if meeting is None:
            continue
        other = greedy.get(booking["id"], {})
        booked = booking.get("status") == "booked"
        found.append(
            ProposedMeeting(
                id=booking["id"],
                meeting=meeting,
                booked=booked,
                start_at=parse_instant(booking["start"]) if booked else None,
                end_at=parse_instant(booking["end"]) if booked else None,
                assignments=dict(booking.get("assignments", {})),
                reasons=list(booking.get("reasons", [])),
                greedy_start_at=parse_instant(other["start"]) if other.get("status") == "booked" else None,
            )
        )
    return sorted(found, key=lambda p: (not p.booked, p.start_at or datetime.max.replace(tzinfo=UTC), p.id))


def comparison(run: PlanRun) -> list[Comparison]:
    rows: list[Comparison] = []
    for label, answer in (("Planned together", run.result), ("One at a time", run.greedy)):
        bookings = answer.get("bookings", [])
        summary = answer.get("summary", {})
        rows.append(
            Comparison(
                label,
                sum(1 for b in bookings if b.get("status") == "booked"),
                int(summary.get("unscheduled_priority", 0)),
                int(summary.get("weighted_wait_minutes", 0)),
            )
        )
    return rows


def people_names(run: PlanRun) -> dict[str, str]:
    return {pid: str(entry.get("name") or "Unknown person") for pid, entry in run.batch.get("people", {}).items()}


# --- accepting -----------------------------------------------------------------------------------------


def accept_meetings(user: User, run: PlanRun, ids: list[str], *, venue: str) -> tuple[int, int]:
    """Each selected meeting goes on as a normal convening: the plan's time and people chosen, then invitations
    (a draft) or a reschedule with SEQUENCE+1 (an invited meeting the plan moves). Returns (invited, moved)."""
    if run.status is not PlanStatus.DONE:
        raise PlanningError("This plan is not ready yet")
    chosen = {p.id: p for p in proposed_meetings(run) if p.acceptable}
    selected = [chosen[i] for i in ids if i in chosen]
    if not selected:
        raise PlanningError("Select at least one meeting to arrange")
    invited = moved = 0
    for proposal in selected:
        conference = db.session.get(Conference, uuid.UUID(proposal.meeting["conference_id"]))
        if conference is None or proposal.start_at is None or proposal.end_at is None:
            raise PlanningError(f"Meeting {proposal.id} no longer exists")
        if proposal.meeting.get("version") not in (None, conference.version):
            raise PlanningError(f"Meeting {proposal.id} has changed since the plan was made. Plan again.")
        arrangement = convening.arrangement_for(conference)
        if conference.status is ConferenceStatus.INVITED:
            if conference.ical_sequence != proposal.meeting.get("sequence"):
                raise PlanningError(f"Meeting {proposal.id} has changed since the plan was made. Plan again.")
            arrangement.chosen_start_at, arrangement.chosen_end_at = proposal.start_at, proposal.end_at
            convening_invitations.reschedule(user, conference)
            moved += 1
            continue
        if conference.status is not ConferenceStatus.DRAFT:
            raise PlanningError(f"Meeting {proposal.id} is {conference.status.label.lower()}. Plan again.")
        arrangement.chosen_start_at, arrangement.chosen_end_at = proposal.start_at, proposal.end_at
        arrangement.chosen_assignments = dict(proposal.assignments)
        arrangement.chosen_conflicts = []
        if not convening_invitations.location_of(conference):
            if not venue:
                raise PlanningError("Enter the venue or video link for the meetings that have none")
            convening_invitations.set_place(conference, venue[:300], "")
        convening_invitations.send_invitations(user, conference)
        invited += 1
    record_event(
        db.session,
        "planning.accept",
        object_type="plan_run",
        object_id=run.id,
        detail={"invited": invited, "moved": moved},
    )
    return invited, moved


# --- exports -------------------------------------------------------------------------------------------

CSV_HEADER = ["Meeting", "Case", "Type", "Priority", "Status", "Start", "End", "People", "Reasons"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _local(value: datetime | None) -> str:
    return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if value else ""


def plan_csv(run: PlanRun) -> str:
    names = people_names(run)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for p in proposed_meetings(run):
        people = "; ".join(
            f"{role}: " + ("written submission" if a.get("written_submission") else names.get(str(a.get("person")), ""))
            for role, a in p.assignments.items()
        )
        status = (
            "Already invited"
            if p.meeting.get("invited") and not p.moves_invited
            else ("Proposed" if p.booked else "Not placed")
        )
        writer.writerow(
            [
                neutralise(str(v))
                for v in (
                    p.id,
                    p.meeting.get("case_reference", ""),
                    p.meeting.get("meeting_type", ""),
                    p.meeting["priority"],
                    status,
                    _local(p.start_at),
                    _local(p.end_at),
                    people,
                    " ".join(p.reasons),
                )
            ]
        )
    return buffer.getvalue()


def person_ids_in(run: PlanRun) -> list[str]:
    ids: list[str] = []
    for p in proposed_meetings(run):
        for a in p.assignments.values():
            person = a.get("person")
            if person and person not in ids:
                ids.append(str(person))
    return ids


def person_calendar(run: PlanRun, person_id: str) -> bytes:
    """One person's week as METHOD:PUBLISH: neutral titles, no child identity, no case reference."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(london_vtimezone())
    stamp = run.finished_at or utcnow()
    for p in proposed_meetings(run):
        if p.start_at is None or p.end_at is None:
            continue
        if not any(str(a.get("person")) == person_id for a in p.assignments.values()):
            continue
        event = Event()
        event.add("uid", f"plan-{run.id}-{p.id}@convene")
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("dtstart", local_or_utc(p.start_at))
        event.add("dtend", local_or_utc(p.end_at))
        event.add("summary", f"Multi-agency meeting – {p.id}")
        event.add("status", "CONFIRMED" if p.meeting.get("invited") and not p.moves_invited else "TENTATIVE")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def find_current_meetings(run: PlanRun) -> dict[str, Conference]:
    """The plan's meetings as they are now, by reference (to see which were arranged since the plan was made)."""
    ids = [uuid.UUID(m["conference_id"]) for m in run.meetings]
    if not ids:
        return {}
    found = db.session.scalars(select(Conference).where(Conference.id.in_(ids))).unique()
    return {c.reference: c for c in found}


def export_plan_csv(user: User, run: PlanRun) -> str:
    """The plan as CSV, audited as an export."""
    record_event(db.session, "export.plan_csv", object_type="plan_run", object_id=run.id, actor_user_id=user.id)
    return plan_csv(run)


def export_person_calendar(user: User, run: PlanRun, person_id: str) -> bytes:
    """One person's week as an iCalendar file, audited as an export."""
    record_event(
        db.session,
        "export.plan_calendar",
        object_type="plan_run",
        object_id=run.id,
        actor_user_id=user.id,
        detail={"person_id": person_id},
    )
    return person_calendar(run, person_id)
