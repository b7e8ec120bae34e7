"""What the dashboard needs from the decisions feature, through one narrow door.

If the decisions tables are not there (a database not yet migrated), every function here returns an empty
answer instead of failing. ``available()`` says which.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, inspect, select

from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.scope import case_scope
from conference.dashboard.panel import PANEL_LIMIT, Panel, window_total
from conference.directory.models import Agency, Person
from conference.extensions import db
from decisions import models as decision_models

_TABLES = ("decision_records", "decision_actions", "decision_attendance", "nrm_referrals")
_tables_present: dict[int, bool] = {}


def available() -> bool:
    """The decisions tables exist in this database (checked once per engine)."""
    engine = db.engine
    key = id(engine)
    if key not in _tables_present:
        names = set(inspect(engine).get_table_names())
        _tables_present[key] = all(t in names for t in _TABLES)
    return _tables_present[key]


def _models() -> Any:
    return decision_models if available() else None


@dataclass(frozen=True)
class OverdueAction:
    case_id: uuid.UUID
    case_reference: str
    description: str
    owner_name: str
    agency_name: str
    due_at: datetime


@dataclass(frozen=True)
class WaitingReferral:
    case_id: uuid.UUID
    case_reference: str
    referred_on: date
    waiting_for: str  # "Reasonable grounds decision" or "Conclusive grounds decision"
    due_on: date | None
    late: bool


def signed_decision_exists(conference_id: Any) -> ColumnElement[bool] | None:
    """An EXISTS clause: the conference has a signed decision. None when decisions are not available."""
    models = _models()
    if models is None:
        return None
    record = models.DecisionRecord
    return select(record.id).where(record.conference_id == conference_id, record.signed_version > 0).exists()


def find_overdue_actions(user: User, now: datetime, limit: int = PANEL_LIMIT) -> Panel[OverdueAction]:
    """The longest overdue open actions first, and how many are overdue in all (one statement, columns only)."""
    models = _models()
    if models is None:
        return Panel([], 0)
    action = models.DecisionAction
    open_statuses = [models.ActionStatus.OPEN, models.ActionStatus.IN_PROGRESS]
    rows = db.session.execute(
        select(
            action.case_id,
            Case.reference,
            action.description,
            Person.name,
            Agency.name,
            action.due_at,
            func.count().over(),
        )
        .join(Case, Case.id == action.case_id)
        .join(Person, Person.id == action.owner_person_id)
        .join(Agency, Agency.id == action.agency_id)
        .where(case_scope(user), action.status.in_(open_statuses), action.due_at < now)
        .order_by(action.due_at, action.id)
        .limit(limit)
    ).all()
    return Panel([OverdueAction(*row[:6]) for row in rows], window_total(rows))


def find_waiting_referrals(user: User, today: date, limit: int = PANEL_LIMIT) -> Panel[WaitingReferral]:
    """Referrals made and waiting on a decision, the late ones first, and how many are waiting in all.

    The oldest referrals are read first (they are the ones that can be late), so the panel's first ``limit``
    rows include every late one whenever there are fewer than ``limit`` late referrals.
    """
    models = _models()
    if models is None:
        return Panel([], 0)
    from conference.convening.models import Conference, ConferenceStatus
    from rules.nrm_tracker import earliest_conclusive_grounds_on, reasonable_grounds_due_on
    from rules.vocabulary import MeetingType

    referral = models.NrmReferral
    devolved = (
        select(Conference.id)
        .where(
            Conference.case_id == referral.case_id,
            Conference.meeting_type == MeetingType.DEVOLVED_NRM_DECISION_PANEL,
            Conference.status != ConferenceStatus.CANCELLED,
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            referral.case_id,
            referral.referred_on,
            referral.rg_decided_on,
            Case.reference,
            Case.nation,
            devolved,
            func.count().over(),  # last: window_total reads it
        )
        .join(Case, Case.id == referral.case_id)
        .where(case_scope(user), referral.referred_on.is_not(None), referral.cg_decided_on.is_(None))
        .order_by(referral.referred_on, referral.case_id)
        .limit(limit)
    ).all()
    waiting: list[WaitingReferral] = []
    for case_id, referred_on, rg_on, reference, nation, pilot, _total in rows:
        if rg_on is None:
            due = reasonable_grounds_due_on(referred_on, str(nation), devolved_pilot=bool(pilot))
            waiting.append(
                WaitingReferral(case_id, reference, referred_on, "Reasonable grounds decision", due, today > due)
            )
        else:
            waiting.append(
                WaitingReferral(
                    case_id,
                    reference,
                    referred_on,
                    "Conclusive grounds decision",
                    earliest_conclusive_grounds_on(rg_on, str(nation), devolved_pilot=bool(pilot)),
                    False,
                )
            )
    return Panel(sorted(waiting, key=lambda w: (not w.late, w.due_on or date.max)), window_total(rows))


def recorded_attendance_models() -> tuple[Any, Any] | None:
    """(DecisionRecord, AttendanceEntry) to join in a report's query, or ``None`` without decisions."""
    models = _models()
    return None if models is None else (models.DecisionRecord, models.AttendanceEntry)


def find_attendance(conference_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, str, str]]:
    """(conference id, role, attendance status) recorded by chairs for these conferences."""
    models = _models()
    if models is None or not conference_ids:
        return []
    record, entry = models.DecisionRecord, models.AttendanceEntry
    rows = db.session.execute(
        select(record.conference_id, entry.role, entry.status)
        .join(record, record.id == entry.record_id)
        .where(record.conference_id.in_(conference_ids))
    ).all()
    return [(conference_id, str(role), str(status)) for conference_id, role, status in rows]


def find_enquiry_decisions(conference_ids: list[uuid.UUID]) -> dict[uuid.UUID, bool | None]:
    """For each conference, the latest signed answer to "start section 47 enquiries / a child protection
    investigation" (``True``/``False``), or ``None`` when no signed decision answers it."""
    import json

    models = _models()
    if models is None or not conference_ids:
        return {}
    record, version = models.DecisionRecord, models.DecisionVersion
    rows = db.session.execute(
        select(record.conference_id, version.number, version.content)
        .join(version, version.record_id == record.id)
        .where(record.conference_id.in_(conference_ids))
        .order_by(record.conference_id, version.number)
    ).all()
    answers: dict[uuid.UUID, bool | None] = {}
    for conference_id, _number, content in rows:  # the latest signed version wins
        outcome = (json.loads(content) or {}).get("outcome") or {}
        answer = outcome.get("start_enquiries")
        answers[conference_id] = None if answer not in ("yes", "no") else answer == "yes"
    return answers


def find_referred_on(case_id: uuid.UUID) -> date | None:
    """The date the case was referred to the NRM, or ``None`` when it has not been recorded."""
    models = _models()
    if models is None:
        return None
    referral = models.NrmReferral
    found: date | None = db.session.scalars(select(referral.referred_on).where(referral.case_id == case_id)).first()
    return found
