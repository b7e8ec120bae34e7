"""Meetings waiting to be arranged in the coming week, for the demo area (and the tests): drafts with their
roles and candidates from the directory and a window in the next working days, so that "Plan the week" has
something to place after ``make run``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from conference.auth.models import User
from conference.cases.models import Case, CaseStatus
from conference.convening import request as convening_request
from conference.convening import services as convening
from conference.convening.models import Conference, ConferenceStatus
from conference.directory.models import LocalAuthority
from conference.extensions import db
from rules.clock import LONDON
from rules.vocabulary import MeetingType

DEMO_NOTE = "Waiting to be arranged (demo)"
TYPES = (MeetingType.STRATEGY_DISCUSSION, MeetingType.REVIEW, MeetingType.STRATEGY_DISCUSSION)


def next_working_morning(today: date) -> datetime:
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=LONDON)


def add_waiting_meetings(
    area: LocalAuthority,
    coordinator: User,
    today: date,
    count: int = 12,
    types: tuple[MeetingType, ...] = TYPES,
) -> int:
    """Up to ``count`` drafts marked as demo, one per open case with no meeting being arranged or invited.
    Idempotent: counts the drafts already made. Returns how many were added."""
    made = db.session.scalar(
        select(func.count())
        .select_from(Conference)
        .join(Case, Case.id == Conference.case_id)
        .where(Case.local_authority_id == area.id, Conference.notes == DEMO_NOTE)
    )
    wanted = count - int(made or 0)
    if wanted <= 0:
        return 0
    with_meeting = select(Conference.case_id).where(
        Conference.status.in_([ConferenceStatus.DRAFT, ConferenceStatus.INVITED])
    )
    cases = db.session.scalars(
        select(Case)
        .where(Case.local_authority_id == area.id, Case.status == CaseStatus.OPEN, Case.id.not_in(with_meeting))
        .order_by(Case.reference)
        .limit(wanted)
    ).all()
    earliest = next_working_morning(today)
    added = 0
    for index, case in enumerate(cases):
        meeting_type = types[index % len(types)]
        try:
            meeting = convening_request.start_conference(coordinator, case, meeting_type)
        except (convening.ConveningError, ValueError):
            meeting = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
        deadline = earliest + timedelta(days=1 + index % 4, hours=8)
        convening_request.set_window(coordinator, meeting, earliest, deadline, 60)
        meeting.notes = DEMO_NOTE
        assert meeting.status is ConferenceStatus.DRAFT
        added += 1
    db.session.flush()
    return added
