"""Dashboard queries. Each applies the user's case scope in SQL and answers its panel in one statement.

They select only the columns a panel shows (no ORM entities, so no joined eager loads of people's diaries or
cases' child details) and count the whole panel with a window function in the same statement, so a panel can
say "the 20 most urgent of 500" without a second query or rendering 500 rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy import case as sql_case

from conference.auth.models import User
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.cases.scope import case_scope
from conference.convening.models import Conference, ConferenceStatus
from conference.dashboard import decisions_adapter
from conference.dashboard.panel import PANEL_LIMIT, Panel, window_total
from conference.extensions import db
from rules.vocabulary import MeetingType

LIVE_STATUSES = (ConferenceStatus.INVITED, ConferenceStatus.HELD)


@dataclass(frozen=True)
class UrgentCase:
    id: uuid.UUID
    reference: str
    missing_risk: MissingRisk
    identified_at: datetime


@dataclass(frozen=True)
class Meeting:
    id: uuid.UUID
    reference: str
    meeting_type: MeetingType
    start_at: datetime
    case_id: uuid.UUID
    case_reference: str


def find_urgent_cases(user: User, limit: int = PANEL_LIMIT) -> Panel[UrgentCase]:
    """The most urgent open cases (highest risk of going missing, then the longest since identified)."""
    risk_rank = sql_case({"high": 0, "medium": 1, "low": 2}, value=Case.missing_risk, else_=3)
    rows = db.session.execute(
        select(Case.id, Case.reference, Case.missing_risk, Case.identified_at, func.count().over())
        .where(case_scope(user), Case.status == CaseStatus.OPEN)
        .order_by(risk_rank, Case.identified_at.desc(), Case.reference)
        .limit(limit)
    ).all()
    return Panel([UrgentCase(*row[:4]) for row in rows], window_total(rows))


def _meetings(query: Select[*tuple[Any, ...]]) -> Panel[Meeting]:
    rows = db.session.execute(query).all()
    return Panel([Meeting(*row[:6]) for row in rows], window_total(rows))


def _meeting_columns() -> Select[*tuple[Any, ...]]:
    return select(
        Conference.id,
        Conference.reference,
        Conference.meeting_type,
        Conference.start_at,
        Conference.case_id,
        Case.reference,
        func.count().over(),
    ).join(Case, Case.id == Conference.case_id)


def find_meetings_coming_up(user: User, now: datetime, limit: int = PANEL_LIMIT) -> Panel[Meeting]:
    query = (
        _meeting_columns()
        .where(case_scope(user), Conference.status == ConferenceStatus.INVITED, Conference.start_at >= now)
        .order_by(Conference.start_at, Conference.reference)
        .limit(limit)
    )
    return _meetings(query)


def find_meetings_awaiting_decision(user: User, now: datetime, limit: int = PANEL_LIMIT) -> Panel[Meeting]:
    """Meetings that have started and have no signed decision (without decisions: meetings held or past)."""
    query = _meeting_columns().where(case_scope(user), Conference.status.in_(LIVE_STATUSES), Conference.start_at < now)
    signed = decisions_adapter.signed_decision_exists(Conference.id)
    if signed is not None:
        query = query.where(~signed)
    else:
        query = query.where(or_(Conference.status == ConferenceStatus.HELD, Conference.start_at < now))
    return _meetings(query.order_by(Conference.start_at, Conference.reference).limit(limit))
