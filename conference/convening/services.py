"""Convening use cases: ask for a meeting, find options, send invitations, keep the board up to date.

Each public function is one user action: it changes the rows, writes the outbox messages (one per
invitee), the audit row and the timeline event in the caller's transaction, and only flushes. The
request (or ``db.unit_of_work()``) commits once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import Case, CaseAgency
from conference.cases.services import add_case_event
from conference.convening import availability, queries
from conference.convening.invitation_models import ConferenceArrangement, InvitationLink, ReplyRecord
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.dashboard import decisions_adapter
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import db
from conference.invitations import calendar as ical
from conference.invitations import imip
from conference.invitations.privacy import neutral_summary, new_meeting_reference, new_uid
from conference.invitations.replies import ReplyOutcome
from conference.outbox.models import OutboxMessage
from rules.clock import LONDON, add_working_days
from rules.timescales import (
    MeetingWindow,
    StrategyDiscussionHeld,
    TimescaleError,
    close_of_business_at,
    default_window,
    enquiries_started_at,
)
from rules.timescales import london_date as to_london_date
from rules.vocabulary import (
    CHAIR_IS_LEAD_SOCIAL_WORKER,
    AgencyKind,
    Circumstance,
    MeetingType,
    Seat,
    pilot_scope_problems,
    spec_for,
)
from scheduler import RequestError

log = logging.getLogger(__name__)

ACTIVE_RESPONSES = (
    ResponseStatus.NEEDS_ACTION,
    ResponseStatus.ACCEPTED,
    ResponseStatus.TENTATIVE,
    ResponseStatus.DECLINED,
    ResponseStatus.WRITTEN_SUBMISSION,
)


class ConveningError(ValueError):
    """An action cannot be done; the message says why, in words a coordinator can act on."""


# --- helpers -------------------------------------------------------------------------------------


def settings() -> Any:
    return current_app.config["SETTINGS"]


def arrangement_for(conference: Conference) -> ConferenceArrangement:
    found = db.session.scalars(
        select(ConferenceArrangement).where(ConferenceArrangement.conference_id == conference.id)
    ).first()
    if found is None:
        found = ConferenceArrangement(conference_id=conference.id)
        db.session.add(found)
        db.session.flush()
    return found


def withheld_for(case: Case) -> list[str]:
    """The case's identity values: none may appear in anything that leaves Convene."""
    values = [case.child_first_name, case.child_last_name, case.child_name, case.reference, case.nationality]
    if case.child_born_on is not None:
        born = case.child_born_on
        values += [born.isoformat(), f"{born.day} {born:%B %Y}", f"{born:%d/%m/%Y}", f"{born:%Y%m%d}"]
    return [v for v in values if v and v.strip()]


def circumstances_for(case: Case) -> set[Circumstance]:
    kinds = {link.agency.kind for link in db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id))}
    found: set[Circumstance] = set()
    if case.interpreter_needed:
        found.add(Circumstance.INTERPRETER_NEEDED)
    if AgencyKind.GUARDIAN_SERVICE in kinds:
        found.add(Circumstance.GUARDIAN_ALLOCATED)
    if AgencyKind.EDUCATION in kinds:
        found.add(Circumstance.IN_EDUCATION)
    if AgencyKind.HOME_OFFICE in kinds:
        found.add(Circumstance.HOME_OFFICE_INVOLVED)
    if AgencyKind.SINGLE_COMPETENT_AUTHORITY in kinds:
        found.add(Circumstance.NRM_REFERRAL_MADE)
    return found


def _unique_reference() -> str:
    for _ in range(20):
        reference = new_meeting_reference(6)
        if db.session.scalars(select(Conference.id).where(Conference.reference == reference)).first() is None:
            return reference
    raise ConveningError("Could not draw a free meeting reference; try again.")


def _strategy_discussions_held(case: Case) -> list[StrategyDiscussionHeld]:
    """The case's strategy discussions (and IRDs) that have taken place, with their signed enquiry decision."""
    types = (
        MeetingType.STRATEGY_DISCUSSION,
        MeetingType.STRATEGY_DISCUSSION_NI,
        MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
    )
    rows = db.session.execute(
        select(Conference.id, Conference.start_at).where(
            Conference.case_id == case.id,
            Conference.meeting_type.in_([t.value for t in types]),
            Conference.status.in_([ConferenceStatus.INVITED, ConferenceStatus.HELD]),
            Conference.start_at.is_not(None),
            Conference.start_at <= utcnow(),
        )
    ).all()
    decided = decisions_adapter.find_enquiry_decisions([row.id for row in rows])
    return [StrategyDiscussionHeld(row.start_at, decided.get(row.id)) for row in rows]


def _previous_conference(case: Case) -> tuple[datetime | None, MeetingType | None]:
    query = (
        select(Conference.start_at, Conference.meeting_type)
        .where(
            Conference.case_id == case.id,
            Conference.meeting_type.in_(
                [MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE.value, MeetingType.REVIEW.value]
            ),
            Conference.status.in_([ConferenceStatus.INVITED, ConferenceStatus.HELD]),
            Conference.start_at.is_not(None),
        )
        .order_by(Conference.start_at.desc())
    )
    row = db.session.execute(query).first()
    return (row.start_at, MeetingType(row.meeting_type)) if row else (None, None)


def suggested_window(case: Case, meeting_type: MeetingType) -> MeetingWindow | str:
    """The default window, or a sentence saying what the coordinator must enter instead.

    An initial conference counts from the held strategy discussion that started the enquiries (Working Together
    2023); a devolved panel from the NRM referral itself; a review from the previous conference (3 months after
    the initial conference, then 6 months between reviews).
    """
    strategy = enquiries_started_at(_strategy_discussions_held(case))
    previous, previous_type = _previous_conference(case)
    referred_on = decisions_adapter.find_referred_on(case.id)
    referral = datetime.combine(referred_on, time(9), tzinfo=LONDON) if referred_on else None
    try:
        return default_window(
            meeting_type=meeting_type,
            nation=case.nation,
            identified_at=case.identified_at,
            at_risk_of_going_missing=str(case.missing_risk) == "high",
            strategy_discussion_at=strategy,
            previous_meeting_at=previous,
            previous_meeting_type=previous_type,
            referred_at=referral,
            now_at=utcnow(),
        )
    except TimescaleError as error:
        return str(error)


# --- step 1: ask for a meeting -------------------------------------------------------------------


def pilot_scope(case: Case, on: date | None = None) -> tuple[list[str], list[str]]:
    """Why the case's child is outside the devolved pilot (refusals), and what to check (warnings)."""
    return pilot_scope_problems(
        age_disputed=case.age_disputed,
        born_on=case.child_born_on,
        estimated_age=case.child_estimated_age,
        on=on or to_london_date(utcnow()),
    )


def start_conference(user: User, case: Case, meeting_type: MeetingType) -> Conference:
    spec = spec_for(meeting_type, case.nation)
    pilot_warnings: list[str] = []
    if meeting_type is MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        refusals, pilot_warnings = pilot_scope(case)
        if refusals:
            raise ConveningError(refusals[0])
    conference = Conference(
        case_id=case.id,
        reference=_unique_reference(),
        meeting_type=meeting_type,
        nation=case.nation,
        ical_uid=new_uid(),
        created_by_id=user.id,
        duration_minutes=60,
    )
    window = suggested_window(case, meeting_type)
    basis = ""
    if isinstance(window, MeetingWindow):
        conference.earliest_start_at = window.earliest_at
        conference.deadline_at = max(window.deadline_at, window.earliest_at + timedelta(hours=2))
        basis = window.basis
    else:
        conference.earliest_start_at = utcnow()
        basis = window
    basis = " ".join([basis, *pilot_warnings]).strip()
    db.session.add(conference)
    db.session.flush()
    for position, requirement in enumerate(spec.roles_for(circumstances_for(case))):
        candidates = availability.find_candidates(requirement.role, case.local_authority)
        db.session.add(
            ConferenceRole(
                conference_id=conference.id,
                role=requirement.role,
                required=requirement.required,
                written_submission_allowed=requirement.written_submission_allowed,
                position=position,
                candidate_ids=[str(p.id) for p in candidates],
            )
        )
    db.session.add(
        ConferenceArrangement(conference_id=conference.id, window_basis=basis, organiser_name=user.display_name)
    )
    db.session.flush()
    db.session.refresh(conference)
    record_event(
        db.session,
        "conference.start",
        object_type="conference",
        object_id=conference.id,
        detail={"case_id": str(case.id), "meeting_type": meeting_type.value},
    )
    add_case_event(case, "conference", f"Meeting {conference.reference} requested: {meeting_type.label}", user)
    return conference


def draft_required(conference: Conference) -> None:
    if conference.status is not ConferenceStatus.DRAFT:
        raise ConveningError("The invitations for this meeting have been sent. Use the meeting page to change it.")


# --- step 2: timescale ---------------------------------------------------------------------------


def set_window(conference: Conference, earliest_at: datetime, deadline_at: datetime, duration_minutes: int) -> None:
    draft_required(conference)
    conference.earliest_start_at = earliest_at
    conference.deadline_at = deadline_at
    conference.duration_minutes = duration_minutes
    _forget_options(conference)
    record_event(db.session, "conference.window", object_type="conference", object_id=conference.id)


def _forget_options(conference: Conference) -> None:
    arrangement = arrangement_for(conference)
    arrangement.proposals = []
    arrangement.no_slot_reasons = []
    arrangement.suggestions = []
    arrangement.solved_at = None
    arrangement.solved_request = None
    arrangement.unknown_reasons = None
    arrangement.chosen_start_at = None
    arrangement.chosen_end_at = None
    arrangement.chosen_assignments = {}
    arrangement.chosen_conflicts = []


# --- step 3: who is needed -----------------------------------------------------------------------


@dataclass(frozen=True)
class SeatChange:
    role_id: uuid.UUID
    required: bool
    written_submission_allowed: bool


def update_roles(conference: Conference, changes: Iterable[SeatChange]) -> None:
    draft_required(conference)
    seats = {s.id: s for s in conference.roles}
    for change in changes:
        seat = seats.get(change.role_id)
        if seat is None:
            continue
        seat.required = change.required
        seat.written_submission_allowed = change.written_submission_allowed
    _forget_options(conference)
    record_event(db.session, "conference.roles", object_type="conference", object_id=conference.id)


def move_candidate_up(conference: Conference, seat: ConferenceRole, person_id: str) -> None:
    draft_required(conference)
    ids = list(seat.candidate_ids)
    if person_id not in ids:
        raise ConveningError("That person is not a candidate for this role.")
    index = ids.index(person_id)
    if index > 0:
        ids[index - 1], ids[index] = ids[index], ids[index - 1]
    seat.candidate_ids = ids
    _forget_options(conference)


def add_candidate(conference: Conference, seat: ConferenceRole, person: Person) -> None:
    draft_required(conference)
    if str(person.id) in seat.candidate_ids:
        raise ConveningError(f"{person.name} is already a candidate for this role.")
    seat.candidate_ids = [*seat.candidate_ids, str(person.id)]
    _forget_options(conference)
    record_event(
        db.session,
        "conference.candidate.add",
        object_type="conference",
        object_id=conference.id,
        detail={"person_id": str(person.id), "role": seat.role.value},
    )


# --- step 4: options -----------------------------------------------------------------------------


def solve(request: dict[str, Any]) -> dict[str, Any]:
    """Run the scheduling engine. OR-Tools is imported on the first solve, not at start-up."""
    from scheduler.api import solve as engine_solve

    return engine_solve(request)


def _solved(conference: Conference) -> tuple[dict[str, Any], dict[str, str]] | None:
    arrangement = arrangement_for(conference)
    if arrangement.solved_at is None or conference.earliest_start_at is None or conference.deadline_at is None:
        return None
    if arrangement.solved_request is not None:
        return arrangement.solved_request, dict(arrangement.unknown_reasons or {})
    # options found before the request was kept on the arrangement: build it again (reads, changes nothing)
    return availability.build_request_with_reasons(conference, include_on_call=arrangement.include_on_call)


def solved_request(conference: Conference) -> dict[str, Any] | None:
    """The scheduler request behind the arrangement's current options (never solves).

    Kept on the arrangement when the options were found, so every process of a served app draws the same
    picture. None when no options have been looked for yet.
    """
    solved = _solved(conference)
    return solved[0] if solved is not None else None


def unknown_availability(conference: Conference) -> list[tuple[str, str]]:
    """(name, reason) of each candidate behind the current options whose availability is unknown."""
    solved = _solved(conference)
    if solved is None:
        return []
    request, unknown = solved
    people = request.get("people", {})
    return [
        (str(people.get(pid, {}).get("name") or "A person no longer in the directory"), why)
        for pid, why in unknown.items()
    ]


def find_options(conference: Conference) -> ConferenceArrangement:
    """Run the scheduler over the window and keep its answer on the arrangement."""
    arrangement = arrangement_for(conference)
    if conference.earliest_start_at is None or conference.deadline_at is None:
        raise ConveningError("Enter the deadline for this meeting first.")
    request, unknown = availability.build_request_with_reasons(conference, include_on_call=arrangement.include_on_call)
    try:
        answer = solve(request)
    except RequestError as error:
        raise ConveningError(f"Convene could not look for a time: {error}") from None
    arrangement.proposals = list(answer.get("proposals", []))
    arrangement.no_slot_reasons = list(answer.get("reasons", []))
    arrangement.suggestions = list(answer.get("suggestions", []))
    arrangement.solved_at = utcnow()
    arrangement.solved_request = request
    arrangement.unknown_reasons = dict(unknown)
    return arrangement


RELAXATIONS = ("extend_deadline", "allow_written_submission", "use_on_call")


def relax(conference: Conference, kind: str, role_value: str | None = None) -> None:
    """One-click relaxations offered when no time works; the options are then found again."""
    draft_or_invited(conference)
    arrangement = arrangement_for(conference)
    if kind == "extend_deadline":
        assert conference.deadline_at is not None
        next_day = add_working_days(to_london_date(conference.deadline_at), 1, conference.nation)
        conference.deadline_at = max(close_of_business_at(next_day), conference.deadline_at + timedelta(hours=24))
    elif kind == "allow_written_submission":
        seats = [s for s in conference.roles if s.required and (role_value is None or s.role.value == role_value)]
        if not seats:
            raise ConveningError("There is no required role to allow a written submission for.")
        for seat in seats:
            seat.written_submission_allowed = True
    elif kind == "use_on_call":
        arrangement.include_on_call = True
    else:
        raise ConveningError("Choose one of the ways to find a time.")
    record_event(
        db.session, "conference.relax", object_type="conference", object_id=conference.id, detail={"kind": kind}
    )
    find_options(conference)


def draft_or_invited(conference: Conference) -> None:
    if conference.status not in (ConferenceStatus.DRAFT, ConferenceStatus.INVITED):
        raise ConveningError(f"This meeting is {conference.status.label.lower()}; it cannot be changed.")


def choose_option(conference: Conference, index: int) -> None:
    draft_or_invited(conference)
    arrangement = arrangement_for(conference)
    if not 0 <= index < len(arrangement.proposals):
        raise ConveningError("Select a time for the meeting")
    proposal = arrangement.proposals[index]
    arrangement.chosen_start_at = _parse_instant(proposal["start"])
    arrangement.chosen_end_at = _parse_instant(proposal["end"])
    arrangement.chosen_assignments = dict(proposal["assignments"])
    arrangement.chosen_conflicts = []


def choose_time(conference: Conference, start_at: datetime) -> list[str]:
    """Another time chosen by the coordinator: each role's primary, with the conflicts stated."""
    draft_or_invited(conference)
    arrangement = arrangement_for(conference)
    end_at = start_at + timedelta(minutes=conference.duration_minutes)
    assignments: dict[str, Any] = {}
    if conference.status is ConferenceStatus.INVITED:
        for attendee in active_attendees(conference):
            assignments[attendee.seat.role.value] = {"person": str(attendee.person_id)}
    else:
        for seat in conference.roles:
            first = seat.candidate_ids[0] if seat.candidate_ids else None
            assignments[seat.role.value] = {"person": first}
    conflicts = availability.conflicts_at(
        conference, start_at, end_at, assignments, include_on_call=arrangement.include_on_call
    )
    arrangement.chosen_start_at = start_at
    arrangement.chosen_end_at = end_at
    arrangement.chosen_assignments = assignments
    arrangement.chosen_conflicts = conflicts
    return conflicts


def _parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def set_place(conference: Conference, venue: str, video_link: str) -> None:
    draft_or_invited(conference)
    conference.venue = venue
    conference.video_link = video_link


# --- step 5: what each invitee will see ----------------------------------------------------------


def location_of(conference: Conference) -> str:
    return conference.video_link or conference.venue


def meeting_url(conference: Conference) -> str:
    return f"{settings().external_url}/conferences/{conference.id}"


def meeting_object(conference: Conference, start_at: datetime, end_at: datetime) -> ical.MeetingObject:
    organiser = ical.safe_name(arrangement_for(conference).organiser_name) or "Convene"
    return ical.MeetingObject(
        uid=conference.ical_uid,
        sequence=conference.ical_sequence,
        summary=neutral_summary(conference.reference, conference.meeting_type.invitation_label),
        start_at=start_at,
        end_at=end_at,
        location=location_of(conference),
        description_url=meeting_url(conference),
        organizer_email=settings().organiser_email,
        organizer_name=organiser,
    )


@dataclass(frozen=True)
class Planned:
    seat: ConferenceRole
    person: Person
    written: bool


def planned_invitees(conference: Conference) -> list[Planned]:
    arrangement = arrangement_for(conference)
    people = availability.people_by_id(
        [a.get("person") for a in arrangement.chosen_assignments.values() if a.get("person")]
        + [s.candidate_ids[0] for s in conference.roles if s.candidate_ids]
    )
    planned: list[Planned] = []
    for seat in conference.roles:
        assignment = arrangement.chosen_assignments.get(seat.role.value, {})
        person_id = assignment.get("person")
        written = bool(assignment.get("written_submission"))
        if written and seat.candidate_ids:
            person_id = seat.candidate_ids[0]
        person = people.get(str(person_id)) if person_id else None
        if person is not None:
            planned.append(Planned(seat, person, written))
    return planned


def _invitee(seat: ConferenceRole, person: Person, written: bool) -> ical.Invitee:
    return ical.Invitee(
        email=person.email,
        name=person.name,
        role_label=seat.role.label,
        required=seat.required and not written,
        is_chair=seat.role is Seat.CHAIR,
    )


@dataclass(frozen=True)
class Preview:
    person: Person
    role_label: str
    required: bool
    written: bool
    subject: str
    summary: str
    location: str
    text_body: str


def preview(conference: Conference) -> list[Preview]:
    """Exactly what each invitee will see, with a placeholder for their personal link (made when sending)."""
    arrangement = arrangement_for(conference)
    if arrangement.chosen_start_at is None or arrangement.chosen_end_at is None:
        return []
    meeting = meeting_object(conference, arrangement.chosen_start_at, arrangement.chosen_end_at)
    updated = conference.status is ConferenceStatus.INVITED
    previews = []
    people = planned_invitees(conference)
    if updated:
        people = [
            Planned(a.seat, a.person, a.response is ResponseStatus.WRITTEN_SUBMISSION)
            for a in active_attendees(conference)
        ]
    for plan in people:
        text = imip.invitation_text(
            start_at=meeting.start_at,
            end_at=meeting.end_at,
            location=meeting.location,
            reply_url=f"{settings().external_url}/r/(personal-link)",
            meeting_url=meeting.description_url,
            updated=updated,
        )
        previews.append(
            Preview(
                plan.person,
                plan.seat.role.label,
                plan.seat.required,
                plan.written,
                _subject(meeting, updated),
                meeting.summary,
                meeting.location,
                text,
            )
        )
    return previews


def _subject(meeting: ical.MeetingObject, updated: bool = False, cancelled: bool = False) -> str:
    if cancelled:
        return f"Cancelled: {meeting.summary}"
    return f"Updated: {meeting.summary}" if updated else meeting.summary


# --- sending -------------------------------------------------------------------------------------


def _new_link(conference: Conference, attendee: Attendee, expires_at: datetime) -> str:
    """A fresh personal link for an attendee (any older link of theirs stops working). Returns the token."""
    token = secrets.token_urlsafe(32)
    digest = hash_token(token)
    link = db.session.scalars(select(InvitationLink).where(InvitationLink.attendee_id == attendee.id)).first()
    if link is None:
        db.session.add(
            InvitationLink(
                conference_id=conference.id, attendee_id=attendee.id, token_hash=digest, expires_at=expires_at
            )
        )
    else:
        link.token_hash = digest
        link.expires_at = expires_at
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _enqueue_request(
    conference: Conference, attendee: Attendee, meeting: ical.MeetingObject, *, updated: bool = False
) -> OutboxMessage:
    token = _new_link(conference, attendee, meeting.end_at)
    invitee = _invitee(attendee.seat, attendee.person, attendee.response is ResponseStatus.WRITTEN_SUBMISSION)
    withheld = withheld_for(conference.case)
    ics = ical.build_request(meeting, invitee, utcnow(), withheld=withheld)
    text = imip.invitation_text(
        start_at=meeting.start_at,
        end_at=meeting.end_at,
        location=meeting.location,
        reply_url=f"{settings().external_url}/r/{token}",
        meeting_url=meeting.description_url,
        updated=updated,
    )
    return _enqueue(conference, attendee, ical.Method.REQUEST, ics, meeting, _subject(meeting, updated), text, withheld)


def _enqueue_cancel(
    conference: Conference, attendee: Attendee, meeting: ical.MeetingObject, *, replaced: bool
) -> OutboxMessage:
    invitee = _invitee(attendee.seat, attendee.person, False)
    withheld = withheld_for(conference.case)
    ics = ical.build_cancel(meeting, invitee, utcnow(), withheld=withheld)
    text = imip.cancellation_text(
        start_at=meeting.start_at, end_at=meeting.end_at, meeting_url=meeting.description_url, replaced=replaced
    )
    return _enqueue(
        conference, attendee, ical.Method.CANCEL, ics, meeting, _subject(meeting, cancelled=True), text, withheld
    )


def _enqueue(
    conference: Conference,
    attendee: Attendee,
    method: ical.Method,
    ics: bytes,
    meeting: ical.MeetingObject,
    subject: str,
    text: str,
    withheld: list[str],
) -> OutboxMessage:
    message = imip.build_message(
        method=method,
        ics=ics,
        to_email=attendee.person.email,
        to_name=ical.safe_name(attendee.person.name),
        from_email=meeting.organizer_email,
        from_name=meeting.organizer_name,
        subject=subject,
        text_body=text,
        message_id_domain=settings().organiser_domain,
        withheld=withheld,
    )
    row = OutboxMessage(
        conference_id=conference.id,
        attendee_id=attendee.id,
        method=method.value,
        to_email=attendee.person.email,
        from_email=meeting.organizer_email,
        ical_uid=meeting.uid,
        ical_sequence=meeting.sequence,
        body=message.as_bytes(),
    )
    db.session.add(row)
    return row


def default_cutoff(now_at: datetime, start_at: datetime) -> datetime:
    """An hour before the meeting; for a meeting sooner than that, halfway there, so that invitees have time to
    answer before the board offers the next candidate (an immediate cut-off would flag everyone at once)."""
    return max(now_at + (start_at - now_at) / 2, start_at - timedelta(hours=1))


def send_invitations(user: User, conference: Conference) -> int:
    """Check answers -> "Send invitations": attendees, links, one outbox message each, audit and timeline."""
    if conference.status is ConferenceStatus.INVITED:
        return reschedule(user, conference)
    draft_required(conference)
    arrangement = arrangement_for(conference)
    if arrangement.chosen_start_at is None or arrangement.chosen_end_at is None:
        raise ConveningError("Choose a time for the meeting before sending invitations.")
    if not location_of(conference):
        raise ConveningError("Enter the venue or the video link before sending invitations.")
    planned = planned_invitees(conference)
    if not planned:
        raise ConveningError("Nobody would be invited. Add people to the roles first.")
    if conference.meeting_type is MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        refusals, _warnings = pilot_scope(conference.case)
        if refusals:
            raise ConveningError(refusals[0])
        chairs = {p.person.id for p in planned if p.seat.role is Seat.CHAIR}
        social_workers = {p.person.id for p in planned if p.seat.role is Seat.SOCIAL_CARE}
        if chairs & social_workers:
            raise ConveningError(CHAIR_IS_LEAD_SOCIAL_WORKER)
    conference.start_at = arrangement.chosen_start_at
    conference.end_at = arrangement.chosen_end_at
    conference.status = ConferenceStatus.INVITED
    meeting = meeting_object(conference, conference.start_at, conference.end_at)
    for plan in planned:
        rank = (
            plan.seat.candidate_ids.index(str(plan.person.id))
            if str(plan.person.id) in plan.seat.candidate_ids
            else len(plan.seat.candidate_ids)
        )
        attendee = Attendee(
            conference_id=conference.id,
            conference_role_id=plan.seat.id,
            person_id=plan.person.id,
            deputy_rank=rank,
            response=ResponseStatus.NEEDS_ACTION,
        )
        attendee.seat = plan.seat
        attendee.person = plan.person
        if plan.written:
            attendee.response = ResponseStatus.WRITTEN_SUBMISSION
        if plan.seat.role is Seat.CHAIR:
            conference.chair_person_id = plan.person.id
        db.session.add(attendee)
        db.session.flush()
        _enqueue_request(conference, attendee, meeting)
    if arrangement.reply_cutoff_at is None:
        arrangement.reply_cutoff_at = default_cutoff(utcnow(), conference.start_at)
    db.session.flush()
    record_event(
        db.session,
        "conference.invite",
        object_type="conference",
        object_id=conference.id,
        detail={"invitees": len(planned), "sequence": conference.ical_sequence},
    )
    add_case_event(
        conference.case,
        "conference",
        f"Invitations sent for meeting {conference.reference} ({len(planned)} people)",
        user,
    )
    return len(planned)


def active_attendees(conference: Conference) -> list[Attendee]:
    rows = db.session.scalars(
        select(Attendee).where(Attendee.conference_id == conference.id, Attendee.response.in_(ACTIVE_RESPONSES))
    )
    return sorted(rows, key=lambda a: (a.seat.position, a.deputy_rank))


def all_attendees(conference: Conference) -> list[Attendee]:
    rows = db.session.scalars(select(Attendee).where(Attendee.conference_id == conference.id))
    return sorted(rows, key=lambda a: (a.seat.position, a.created_at))


def reschedule(user: User | None, conference: Conference) -> int:
    """A new time (or place): REQUEST with SEQUENCE+1 to everyone still invited; answers start again."""
    if conference.status is not ConferenceStatus.INVITED:
        raise ConveningError("Only a meeting whose invitations were sent can be rescheduled.")
    arrangement = arrangement_for(conference)
    assert conference.start_at is not None and conference.end_at is not None
    start_at = arrangement.chosen_start_at or conference.start_at
    end_at = arrangement.chosen_end_at or conference.end_at
    current = meeting_object(conference, conference.start_at, conference.end_at)
    changed = ical.rescheduled(current, start_at=start_at, end_at=end_at, location=location_of(conference))
    if changed.sequence == current.sequence:
        changed = _bump(changed)  # sent again on purpose: still a new version for every client
    conference.start_at, conference.end_at = start_at, end_at
    conference.ical_sequence = changed.sequence
    people = active_attendees(conference)
    for attendee in people:
        if attendee.response is not ResponseStatus.WRITTEN_SUBMISSION:
            attendee.response = ResponseStatus.NEEDS_ACTION
            attendee.responded_at = None
        _enqueue_request(conference, attendee, changed, updated=True)
    arrangement.chosen_start_at = arrangement.chosen_end_at = None
    for counter in _open_counters(conference):
        counter.resolved_at = utcnow()
    record_event(
        db.session,
        "conference.reschedule",
        object_type="conference",
        object_id=conference.id,
        detail={"sequence": conference.ical_sequence, "invitees": len(people)},
    )
    add_case_event(conference.case, "conference", f"Meeting {conference.reference} moved; updates sent", user)
    return len(people)


def _bump(meeting: ical.MeetingObject) -> ical.MeetingObject:
    from dataclasses import replace

    return replace(meeting, sequence=meeting.sequence + 1)


def cancel_conference(user: User | None, conference: Conference) -> int:
    """CANCEL (same UID, higher SEQUENCE, STATUS:CANCELLED) to everyone still invited."""
    if conference.status is not ConferenceStatus.INVITED:
        raise ConveningError("Only a meeting whose invitations were sent can be cancelled.")
    assert conference.start_at is not None and conference.end_at is not None
    meeting = ical.cancelled(meeting_object(conference, conference.start_at, conference.end_at))
    conference.ical_sequence = meeting.sequence
    conference.status = ConferenceStatus.CANCELLED
    people = active_attendees(conference)
    for attendee in people:
        _enqueue_cancel(conference, attendee, meeting, replaced=False)
    record_event(
        db.session,
        "conference.cancel",
        object_type="conference",
        object_id=conference.id,
        detail={"sequence": conference.ical_sequence, "invitees": len(people)},
    )
    add_case_event(conference.case, "conference", f"Meeting {conference.reference} cancelled", user)
    return len(people)


def next_candidates(conference: Conference, attendee: Attendee) -> list[Person]:
    """The role's other candidates, in order, who are not already invited to this meeting."""
    taken = {str(a.person_id) for a in all_attendees(conference)}
    people = availability.people_by_id(attendee.seat.candidate_ids)
    return [people[c] for c in attendee.seat.candidate_ids if c not in taken and c in people]


def replace_attendee(
    conference: Conference, attendee: Attendee, person: Person, *, by_deputy_choice: bool, user: User | None = None
) -> Attendee:
    """REQUEST to the new person and CANCEL to the one replaced (SEQUENCE one higher, not stored)."""
    if conference.status is not ConferenceStatus.INVITED:
        raise ConveningError("This meeting is not open for changes.")
    if attendee.response not in ACTIVE_RESPONSES:
        raise ConveningError("This person has already been replaced.")
    if str(person.id) not in attendee.seat.candidate_ids or person.id == attendee.person_id:
        raise ConveningError("Choose one of the role's other candidates.")
    if any(a.person_id == person.id for a in all_attendees(conference)):
        raise ConveningError(f"{person.name} is already invited to this meeting.")
    assert conference.start_at is not None and conference.end_at is not None
    meeting = meeting_object(conference, conference.start_at, conference.end_at)
    deputy = Attendee(
        conference_id=conference.id,
        conference_role_id=attendee.seat.id,
        person_id=person.id,
        deputy_rank=attendee.seat.candidate_ids.index(str(person.id)),
        response=ResponseStatus.NEEDS_ACTION,
    )
    deputy.seat = attendee.seat
    deputy.person = person
    db.session.add(deputy)
    db.session.flush()
    attendee.response = ResponseStatus.SENDING_DEPUTY if by_deputy_choice else ResponseStatus.REPLACED
    attendee.responded_at = utcnow()
    attendee.replaced_by_id = deputy.id
    _enqueue_request(conference, deputy, meeting)
    _enqueue_cancel(conference, attendee, ical.for_removed_attendee(meeting), replaced=True)
    record_event(
        db.session,
        "conference.replace",
        object_type="conference",
        object_id=conference.id,
        detail={"replaced": str(attendee.id), "by": str(deputy.id), "deputy_choice": by_deputy_choice},
        actor_user_id=user.id if user else None,
    )
    return deputy


def set_cutoff(conference: Conference, cutoff_at: datetime) -> None:
    arrangement_for(conference).reply_cutoff_at = cutoff_at
    record_event(db.session, "conference.cutoff", object_type="conference", object_id=conference.id)


def _open_counters(conference: Conference) -> list[ReplyRecord]:
    return list(
        db.session.scalars(
            select(ReplyRecord).where(
                ReplyRecord.conference_id == conference.id,
                ReplyRecord.outcome == ReplyOutcome.COUNTER,
                ReplyRecord.resolved_at.is_(None),
            )
        )
    )


def accept_counter(conference: Conference, record: ReplyRecord) -> None:
    """Take a proposed time: it becomes the chosen time, confirmed on the check answers page."""
    if record.proposed_start_at is None or record.proposed_end_at is None:
        raise ConveningError("This proposal has no complete time.")
    choose_time(conference, record.proposed_start_at)
    arrangement = arrangement_for(conference)
    arrangement.chosen_end_at = record.proposed_end_at


def needs_attention(conference: Conference, attendee: Attendee) -> bool:
    """A required role that declined, or has not answered by the cut-off."""
    if not attendee.seat.required:
        return False
    if attendee.response is ResponseStatus.DECLINED:
        return True
    if attendee.response is ResponseStatus.WRITTEN_SUBMISSION and not attendee.seat.written_submission_allowed:
        return True
    cutoff = arrangement_for(conference).reply_cutoff_at
    return attendee.response is ResponseStatus.NEEDS_ACTION and cutoff is not None and utcnow() >= cutoff


# --- the board -----------------------------------------------------------------------------------


def send_invitations_or_nothing(user: User, conference: Conference) -> int:
    """Send the invitations (or updates); when one cannot be sent, nothing of the attempt is kept."""
    with db.session.begin_nested():
        return send_invitations(user, conference)


@dataclass(frozen=True)
class BoardPage:
    arrangement: ConferenceArrangement
    attendees: list[Attendee]
    offers: dict[uuid.UUID, list[Person]]
    outbox: dict[uuid.UUID | None, OutboxMessage]
    counters: list[ReplyRecord]
    held: list[ReplyRecord]
    replies: list[ReplyRecord]


def show_board(user: User, conference: Conference) -> BoardPage:
    """What the live board shows; the viewing is audited."""
    arrangement = arrangement_for(conference)
    attendees = all_attendees(conference) if conference.status is not ConferenceStatus.DRAFT else []
    offers = {a.id: next_candidates(conference, a) for a in attendees if needs_attention(conference, a)}
    outbox = {m.attendee_id: m for m in queries.find_outbox(conference)}
    record_event(
        db.session,
        "conference.board.view",
        object_type="conference",
        object_id=conference.id,
        detail={"case_id": str(conference.case_id)},
    )
    return BoardPage(
        arrangement=arrangement,
        attendees=attendees,
        offers=offers,
        outbox=outbox,
        counters=list(queries.find_open(conference, ReplyOutcome.COUNTER)),
        held=list(queries.find_open(conference, ReplyOutcome.HELD)),
        replies=list(queries.find_replies(conference, 20)),
    )


def dismiss_reply(user: User, conference: Conference, reply_id: uuid.UUID) -> None:
    """Take a held or counter reply off the board."""
    queries.get_reply(conference, reply_id).resolved_at = utcnow()
