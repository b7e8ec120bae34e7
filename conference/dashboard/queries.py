"""Dashboard queries. Each applies the user's case scope in SQL and loads what it shows in one statement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from conference.auth.models import User
from conference.auth.policy import case_scope
from conference.cases.models import Case, CaseStatus
from conference.cases.queries import CaseSort, find_cases
from conference.convening.models import Conference, ConferenceStatus
from conference.dashboard import decisions_adapter
from conference.extensions import db

LIVE_STATUSES = (ConferenceStatus.INVITED, ConferenceStatus.HELD)


def find_urgent_cases(user: User, limit: int = 20) -> tuple[list[Case], int]:
    """The most urgent open cases, and how many open cases there are in all."""
    total = (
        db.session.scalar(
            select(func.count()).select_from(Case).where(case_scope(user), Case.status == CaseStatus.OPEN)
        )
        or 0
    )
    return find_cases(user, sort=CaseSort.URGENCY, limit=limit), int(total)


def find_meetings_coming_up(user: User, now: datetime, limit: int = 20) -> list[Conference]:
    query = (
        select(Conference)
        .join(Case, Case.id == Conference.case_id)
        .where(case_scope(user), Conference.status == ConferenceStatus.INVITED, Conference.start_at >= now)
        .order_by(Conference.start_at)
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())


def find_meetings_awaiting_decision(user: User, now: datetime, limit: int = 20) -> list[Conference]:
    """Meetings that have started and have no signed decision (without decisions: meetings held or past)."""
    query = (
        select(Conference)
        .join(Case, Case.id == Conference.case_id)
        .where(case_scope(user), Conference.status.in_(LIVE_STATUSES), Conference.start_at < now)
    )
    signed = decisions_adapter.signed_decision_exists(Conference.id)
    if signed is not None:
        query = query.where(~signed)
    else:
        query = query.where(or_(Conference.status == ConferenceStatus.HELD, Conference.start_at < now))
    return list(db.session.scalars(query.order_by(Conference.start_at).limit(limit)).unique())
