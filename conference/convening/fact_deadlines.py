"""When a case's facts change, the deadlines of its open meetings are worked out again (and the person is told).

Registered with ``conference.cases.facts.register_fact_listener`` (cases come before convening in the journey).
A higher risk of going missing brings a strategy discussion's default deadline forward (rules/timescales.py:
within 8 hours, Convene's own default; the guidance says "as soon as possible"). The rule here is Convene's own
choice: a default deadline that is now earlier replaces the meeting's deadline (the stricter timescale wins); one
that is now later leaves the deadline as it was, since a coordinator may have set it on purpose, and says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.fact_models import CaseFactChange
from conference.cases.facts import register_fact_listener
from conference.cases.models import Case
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference, ConferenceStatus
from conference.convening.request import suggested_window
from conference.convening.services import forget_options
from conference.db import utcnow
from conference.extensions import db
from rules.display import date_and_time
from rules.timescales import MeetingWindow

#: The facts the default windows read (rules.timescales.default_window, convening.request.suggested_window).
TIMESCALE_FACTS = frozenset({"missing_risk"})
OPEN_STATUSES = (ConferenceStatus.DRAFT, ConferenceStatus.INVITED)


def find_open_conferences(case_id: object) -> list[Conference]:
    """The case's meetings not yet held nor cancelled (a meeting whose time has passed is no longer open)."""
    now = utcnow()
    query = (
        select(Conference)
        .where(Conference.case_id == case_id, Conference.status.in_(OPEN_STATUSES))
        .order_by(Conference.created_at)
    )
    return [c for c in db.session.scalars(query) if c.start_at is None or c.start_at > now]


def recompute_deadlines(user: User, case: Case, changes: list[CaseFactChange]) -> list[str]:
    """Work out the open meetings' deadlines again after ``changes``; the sentences say what moved."""
    if not TIMESCALE_FACTS.intersection(c.fact for c in changes):
        return []
    messages: list[str] = []
    for conference in find_open_conferences(case.id):
        window = suggested_window(case, conference.meeting_type)
        if not isinstance(window, MeetingWindow):
            continue
        # The same floor as when the meeting was started (convening.request.start_conference).
        new_deadline_at = max(window.deadline_at, window.earliest_at + timedelta(hours=2))
        old_deadline_at = conference.deadline_at
        if old_deadline_at is not None and new_deadline_at >= old_deadline_at:
            if new_deadline_at > old_deadline_at:
                messages.append(
                    f"Meeting {conference.reference}: the default deadline would now be "
                    f"{date_and_time(new_deadline_at)}; its deadline stays {date_and_time(old_deadline_at)}. "
                    "Change it on the meeting's pages if it should move."
                )
            continue
        _move_deadline(conference, old_deadline_at, new_deadline_at, window.basis)
        moved_from = f" from {date_and_time(old_deadline_at)}" if old_deadline_at else ""
        message = (
            f"The deadline of meeting {conference.reference} moved{moved_from} to {date_and_time(new_deadline_at)}."
        )
        if conference.start_at is not None and conference.start_at > new_deadline_at:
            message += f" The meeting is booked for {date_and_time(conference.start_at)}, after its new deadline."
        messages.append(message)
    return messages


def _move_deadline(conference: Conference, old_at: datetime | None, new_at: datetime, basis: str) -> None:
    conference.deadline_at = new_at
    if conference.status is ConferenceStatus.DRAFT:
        if conference.earliest_start_at is not None and conference.earliest_start_at >= new_at:
            conference.earliest_start_at = utcnow()
        forget_options(conference)  # options found for the old window may now be too late
    arrangement = db.session.scalars(
        select(ConferenceArrangement).where(ConferenceArrangement.conference_id == conference.id)
    ).first()
    if arrangement is not None:
        arrangement.window_basis = basis
    record_event(
        db.session,
        "conference.deadline_recomputed",
        object_type="conference",
        object_id=conference.id,
        detail={"from": old_at.isoformat() if old_at else None, "to": new_at.isoformat(), "reason": "case facts"},
    )


def find_meetings_with_dates(case_id: object) -> list[Conference]:
    """The case's meetings that have (or had) a time, not cancelled, oldest first."""
    query = (
        select(Conference)
        .where(
            Conference.case_id == case_id,
            Conference.status != ConferenceStatus.CANCELLED,
        )
        .order_by(Conference.start_at.asc().nulls_last(), Conference.created_at)
    )
    return list(db.session.scalars(query))


def last_meeting_at(meetings: list[Conference]) -> datetime | None:
    """When the latest meeting that has taken place started (invited or held, time passed)."""
    now = utcnow()
    held = [
        c.start_at
        for c in meetings
        if c.start_at is not None
        and c.start_at <= now
        and c.status in (ConferenceStatus.INVITED, ConferenceStatus.HELD)
    ]
    return max(held, default=None)


register_fact_listener(recompute_deadlines)
