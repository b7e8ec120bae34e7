"""Step 1 to 3 of convening: ask for a meeting, its window, and who is needed (seats and candidates)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.services import add_case_event
from conference.convening import seats
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference, ConferenceRole, ConferenceStatus
from conference.convening.services import ConveningError, circumstances_for, forget_options
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import db
from conference.invitations.privacy import new_meeting_reference, new_uid
from rules.clock import LONDON
from rules.timescales import (
    MeetingWindow,
    StrategyDiscussionHeld,
    TimescaleError,
    default_window,
    enquiries_started_at,
)
from rules.timescales import london_date as to_london_date
from rules.vocabulary import (
    MeetingType,
    Seat,
    pilot_scope_problems,
    spec_for,
)


@dataclass(frozen=True)
class DecisionLookups:
    """What the suggested window reads of a later feature (decisions): the signed enquiry decision of each held
    strategy discussion, and the date the case was referred to the NRM. Convening comes before decisions in the
    journey and may not import them: the app factory hands these in (``app.extensions["convening.decisions"]``).
    """

    enquiry_decisions: Callable[[list[uuid.UUID]], dict[uuid.UUID, bool | None]]
    referred_on: Callable[[uuid.UUID], date | None]


#: Without decisions: nothing decided, nothing referred.
NO_DECISIONS = DecisionLookups(lambda conference_ids: {}, lambda case_id: None)


def _decisions() -> DecisionLookups:
    found = current_app.extensions.get("convening.decisions", NO_DECISIONS)
    assert isinstance(found, DecisionLookups)
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
    decided = _decisions().enquiry_decisions([row.id for row in rows])
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
    referred_on = _decisions().referred_on(case.id)
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
        candidates = seats.find_seat_candidates(requirement.role, case)
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
        actor=user,
    )
    add_case_event(case, "conference", f"Meeting {conference.reference} requested: {meeting_type.label}", user)
    return conference


def draft_required(conference: Conference) -> None:
    if conference.status is not ConferenceStatus.DRAFT:
        raise ConveningError("The invitations for this meeting have been sent. Use the meeting page to change it.")


# --- step 2: timescale ---------------------------------------------------------------------------


def set_window(
    user: User, conference: Conference, earliest_at: datetime, deadline_at: datetime, duration_minutes: int
) -> None:
    draft_required(conference)
    conference.earliest_start_at = earliest_at
    conference.deadline_at = deadline_at
    conference.duration_minutes = duration_minutes
    forget_options(conference)
    record_event(db.session, "conference.window", object_type="conference", object_id=conference.id, actor=user)


# --- step 3: who is needed -----------------------------------------------------------------------


@dataclass(frozen=True)
class SeatChange:
    role_id: uuid.UUID
    required: bool
    written_submission_allowed: bool


def update_roles(user: User, conference: Conference, changes: Iterable[SeatChange]) -> None:
    draft_required(conference)
    seats = {s.id: s for s in conference.roles}
    for change in changes:
        seat = seats.get(change.role_id)
        if seat is None:
            continue
        seat.required = change.required
        # The chair runs the meeting, so cannot take part by a written submission (Convene's own choice).
        seat.written_submission_allowed = change.written_submission_allowed and seat.role is not Seat.CHAIR
    forget_options(conference)
    record_event(db.session, "conference.roles", object_type="conference", object_id=conference.id, actor=user)


def move_candidate_up(conference: Conference, seat: ConferenceRole, person_id: str) -> None:
    draft_required(conference)
    ids = list(seat.candidate_ids)
    if person_id not in ids:
        raise ConveningError("That person is not a candidate for this role.")
    index = ids.index(person_id)
    if index > 0:
        ids[index - 1], ids[index] = ids[index], ids[index - 1]
    seat.candidate_ids = ids
    forget_options(conference)


def add_candidate(user: User, conference: Conference, seat: ConferenceRole, person: Person) -> None:
    draft_required(conference)
    if str(person.id) in seat.candidate_ids:
        raise ConveningError(f"{person.name} is already a candidate for this role.")
    seat.candidate_ids = [*seat.candidate_ids, str(person.id)]
    forget_options(conference)
    record_event(
        db.session,
        "conference.candidate.add",
        object_type="conference",
        object_id=conference.id,
        detail={"person_id": str(person.id), "role": seat.role.value},
        actor=user,
    )
