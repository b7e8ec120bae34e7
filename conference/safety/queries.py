"""Safety queries. Each applies the user's case scope in SQL (ACC-2); the dashboard's answer in one statement each."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.cases.models import Case, CaseStatus
from conference.cases.scope import case_scope
from conference.directory.models import Agency
from conference.extensions import db
from conference.safety.models import MissingEpisode, SafetyCheck
from rules.safety import OPEN_STATUSES, REPEATED_EPISODES, REPEATED_WITHIN, PoliceRisk, SafetyItem

PANEL_LIMIT = 20


def find_case_checklist(case: Case) -> list[SafetyCheck]:
    return list(
        db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id).order_by(SafetyCheck.position))
    )


def get_safety_check(case: Case, check_id: uuid.UUID) -> SafetyCheck:
    found = db.session.scalars(
        select(SafetyCheck).where(SafetyCheck.id == check_id, SafetyCheck.case_id == case.id)
    ).first()
    if found is None:
        raise NotFound("checklist item not found")
    return found


def find_case_episodes(case: Case) -> list[MissingEpisode]:
    return list(
        db.session.scalars(
            select(MissingEpisode).where(MissingEpisode.case_id == case.id).order_by(MissingEpisode.last_seen_at.desc())
        )
    )


def get_missing_episode(user: User, episode_id: uuid.UUID) -> tuple[Case, MissingEpisode]:
    """The episode and its case, if the case is in the user's scope."""
    row = db.session.execute(
        select(Case, MissingEpisode)
        .join(MissingEpisode, MissingEpisode.case_id == Case.id)
        .where(MissingEpisode.id == episode_id, case_scope(user))
    ).first()
    if row is None:
        raise NotFound("missing episode not found or not in your scope")
    return row[0], row[1]


def find_owner_agencies(case: Case) -> list[Agency]:
    """The agencies that may own a checklist item: those of the case's area."""
    return list(
        db.session.scalars(
            select(Agency).where(Agency.local_authority_id == case.local_authority_id).order_by(Agency.name)
        )
    )


def find_repeatedly_missing(case_ids: Iterable[uuid.UUID], now: datetime) -> set[uuid.UUID]:
    """Of these cases, those whose child is repeatedly missing (rules.safety.REPEATED_*). One statement."""
    ids = list(case_ids)
    if not ids:
        return set()
    rows = db.session.execute(
        select(MissingEpisode.case_id)
        .where(MissingEpisode.case_id.in_(ids), MissingEpisode.last_seen_at >= now - REPEATED_WITHIN)
        .group_by(MissingEpisode.case_id)
        .having(func.count() >= REPEATED_EPISODES)
    ).all()
    return {row[0] for row in rows}


# --- the dashboard ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueCheck:
    case_id: uuid.UUID
    case_reference: str
    item: str
    due_at: datetime
    owner_name: str | None


@dataclass(frozen=True)
class MissingAlert:
    case_id: uuid.UUID
    case_reference: str
    missing_now: int
    interviews_overdue: int
    recent_episodes: int

    @property
    def repeated(self) -> bool:
        return self.recent_episodes >= REPEATED_EPISODES


def find_overdue_safety_checks(user: User, now: datetime, limit: int = PANEL_LIMIT) -> tuple[list[OverdueCheck], int]:
    """Open checklist items past their due time on open cases, the longest overdue first. One statement."""
    rows = db.session.execute(
        select(
            Case.id,
            Case.reference,
            SafetyCheck.item,
            SafetyCheck.due_at,
            Agency.name,
            func.count().over(),
        )
        .join(SafetyCheck, SafetyCheck.case_id == Case.id)
        .outerjoin(Agency, Agency.id == SafetyCheck.owner_agency_id)
        .where(
            case_scope(user),
            Case.status == CaseStatus.OPEN,
            SafetyCheck.status.in_([s.value for s in OPEN_STATUSES]),
            SafetyCheck.due_at < now,
        )
        .order_by(SafetyCheck.due_at, Case.reference, SafetyCheck.position)
        .limit(limit)
    ).all()
    checks = [OverdueCheck(r[0], r[1], SafetyItem(r[2]).label, r[3], r[4]) for r in rows]
    return checks, int(rows[0][-1]) if rows else 0


def find_missing_alerts(user: User, now: datetime, limit: int = PANEL_LIMIT) -> tuple[list[MissingAlert], int]:
    """Open cases whose child is missing now, whose return-home interview is overdue, or who is repeatedly
    missing; missing now first. One statement, aggregated per case."""
    missing_now = func.count().filter(MissingEpisode.found_at.is_(None))
    overdue = func.count().filter(
        and_(
            MissingEpisode.return_interview_done_at.is_(None),
            MissingEpisode.return_interview_due_at.is_not(None),
            MissingEpisode.return_interview_due_at < now,
        )
    )
    recent = func.count().filter(MissingEpisode.last_seen_at >= now - REPEATED_WITHIN)
    rows = db.session.execute(
        select(Case.id, Case.reference, missing_now, overdue, recent, func.count().over())
        .join(MissingEpisode, MissingEpisode.case_id == Case.id)
        .where(case_scope(user), Case.status == CaseStatus.OPEN)
        .group_by(Case.id, Case.reference)
        .having(or_(missing_now > 0, overdue > 0, recent >= REPEATED_EPISODES))
        .order_by(missing_now.desc(), overdue.desc(), recent.desc(), Case.reference)
        .limit(limit)
    ).all()
    alerts = [MissingAlert(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]
    return alerts, int(rows[0][-1]) if rows else 0


def count_missing_episodes(user: User, start_at: datetime, end_at: datetime) -> dict[str, int]:
    """Missing episodes that began in a period (the engagement report's), by police risk. One statement."""
    rows = db.session.execute(
        select(MissingEpisode.risk, func.count())
        .join(Case, Case.id == MissingEpisode.case_id)
        .where(case_scope(user), MissingEpisode.last_seen_at >= start_at, MissingEpisode.last_seen_at < end_at)
        .group_by(MissingEpisode.risk)
    ).all()
    counts = {risk.value: 0 for risk in PoliceRisk}
    for risk, count in rows:
        counts[PoliceRisk(risk).value] = int(count)
    return counts
