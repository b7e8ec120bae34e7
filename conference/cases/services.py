"""Case use cases: open a case, record what happened on its timeline."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from conference.audit import record_event, record_view
from conference.auth.models import User, UserArea
from conference.cases.models import Case, CaseAgency, CaseEvent, CaseReferenceCounter, Gender, MissingRisk
from conference.db import utcnow
from conference.extensions import db


@dataclass(frozen=True)
class NewCase:
    child_first_name: str
    child_last_name: str
    child_born_on: date | None
    child_estimated_age: int | None
    age_disputed: bool
    gender: Gender
    nationality: str
    languages: str
    interpreter_needed: bool
    identified_at: datetime
    missing_risk: MissingRisk


#: What later features do when a case is opened, in the same transaction (the safety checklist): registered by
#: them (``register_on_case_opened``), since cases may not import the features after it.
_ON_OPENED: list[Callable[[User, Case], object]] = []


def register_on_case_opened(callback: Callable[[User, Case], object]) -> None:
    if callback not in _ON_OPENED:
        _ON_OPENED.append(callback)


def next_case_reference(local_authority: UserArea, year: int) -> str:
    """The next reference for an area and year, such as NB-2026-0042. Safe under concurrent requests."""
    statement = (
        update(CaseReferenceCounter)
        .where(CaseReferenceCounter.local_authority_id == local_authority.id, CaseReferenceCounter.year == year)
        .values(last_number=CaseReferenceCounter.last_number + 1)
        .returning(CaseReferenceCounter.last_number)
    )
    row = db.session.execute(statement).first()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(CaseReferenceCounter).values(local_authority_id=local_authority.id, year=year, last_number=1)
                )
            number = 1
        except IntegrityError:
            number = int(db.session.execute(statement).one()[0])
    else:
        number = int(row[0])
    return f"{local_authority.code}-{year}-{number:04d}"


def add_case_event(
    case: Case, kind: str, summary: str, actor: User | None = None, occurred_at: datetime | None = None
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        summary=summary,
        actor_user_id=actor.id if actor else None,
        occurred_at=occurred_at or utcnow(),
    )
    db.session.add(event)
    return event


def open_case(user: User, details: NewCase) -> Case:
    local_authority = user.agency.local_authority
    case = Case(
        reference=next_case_reference(local_authority, utcnow().year),
        local_authority_id=local_authority.id,
        nation=local_authority.nation,
        child_first_name=details.child_first_name,
        child_last_name=details.child_last_name,
        child_born_on=details.child_born_on,
        child_estimated_age=details.child_estimated_age,
        age_disputed=details.age_disputed,
        gender=details.gender,
        nationality=details.nationality,
        languages=details.languages,
        interpreter_needed=details.interpreter_needed,
        identified_at=details.identified_at,
        missing_risk=details.missing_risk,
        created_by_id=user.id,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseAgency(case_id=case.id, agency_id=user.agency_id))
    add_case_event(case, "identified", "Child identified as possibly trafficked", user, details.identified_at)
    add_case_event(case, "opened", f"Case opened by {user.agency.name}", user)
    record_event(db.session, "case.create", object_type="case", object_id=case.id, actor=user)
    for callback in _ON_OPENED:
        callback(user, case)
    return case


def record_case_view(user: User, case: Case, *, restricted: bool) -> None:
    record_view(
        db.session,
        "case.view",
        object_type="case",
        object_id=case.id,
        detail={"identity_shown": restricted},
        actor=user,
    )


def involve_agency(case: Case, agency_id: uuid.UUID) -> None:
    exists = db.session.scalars(
        select(CaseAgency).where(CaseAgency.case_id == case.id, CaseAgency.agency_id == agency_id)
    ).first()
    if exists is None:
        db.session.add(CaseAgency(case_id=case.id, agency_id=agency_id))
