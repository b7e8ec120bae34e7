"""Plan the week: collect the meetings waiting to be arranged in a scope and period (drafts, and the meetings due by
their timescale that nobody has started: ``conference.planning.due``), queue a plan run, and accept
what the plan proposes as ordinary convenings (check answers, invitations; a move of an invited meeting is a
reschedule with SEQUENCE+1).

Building the scheduler's batch (which meetings, their priority and deadline) is ``conference.planning.batch``;
``find_waiting`` is importable from here too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.convening import invitations as convening_invitations
from conference.convening import services as convening
from conference.convening.models import Conference, ConferenceStatus
from conference.db import utcnow
from conference.extensions import db
from conference.invitations.calendar import PRODID, local_or_utc, london_vtimezone
from conference.planning.batch import build_batch
from conference.planning.batch import find_waiting as find_waiting  # re-exported for the planner's page
from conference.planning.due import find_due as find_due  # re-exported for the planner's page
from conference.planning.due import start_due_meetings
from conference.planning.models import PlanRun, PlanStatus
from rules.clock import LONDON


class PlanningError(ValueError):
    """Something the person can act on, in words."""


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
        actor=user,
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
        actor=user,
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
    record_event(db.session, "export.plan_csv", object_type="plan_run", object_id=run.id, actor=user)
    return plan_csv(run)


def export_person_calendar(user: User, run: PlanRun, person_id: str) -> bytes:
    """One person's week as an iCalendar file, audited as an export."""
    record_event(
        db.session,
        "export.plan_calendar",
        object_type="plan_run",
        object_id=run.id,
        actor=user,
        detail={"person_id": person_id},
    )
    return person_calendar(run, person_id)
