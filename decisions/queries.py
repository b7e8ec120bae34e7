"""Decision queries. Every one is scoped through the case: a conference is reached only through
``get_conference`` (conference.convening.queries, ``case_scope``); out of scope means not found."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.convening.models import Conference
from conference.convening.queries import get_conference as get_conference  # the one scoped query: decisions use it
from conference.extensions import db
from decisions.models import (
    ActionStatus,
    DecisionAction,
    DecisionConflict,
    DecisionRecord,
    DecisionVersion,
    Disclosure,
    NrmDecisionLetter,
    NrmReferral,
)


def find_record(conference_id: uuid.UUID) -> DecisionRecord | None:
    return db.session.scalars(select(DecisionRecord).where(DecisionRecord.conference_id == conference_id)).first()


def get_record(conference_id: uuid.UUID) -> DecisionRecord:
    record = find_record(conference_id)
    if record is None:
        raise NotFound("nothing has been recorded for this conference yet")
    return record


def find_versions(record_id: uuid.UUID) -> list[DecisionVersion]:
    query = select(DecisionVersion).where(DecisionVersion.record_id == record_id).order_by(DecisionVersion.number)
    return list(db.session.scalars(query))


def get_version(record_id: uuid.UUID, number: int) -> DecisionVersion:
    query = select(DecisionVersion).where(DecisionVersion.record_id == record_id, DecisionVersion.number == number)
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("there is no such version")
    return found


def find_latest_signed_version(case_id: uuid.UUID) -> DecisionVersion | None:
    """The most recently signed version of any decision about a case."""
    query = (
        select(DecisionVersion)
        .join(DecisionRecord, DecisionVersion.record_id == DecisionRecord.id)
        .where(DecisionRecord.case_id == case_id)
        .order_by(DecisionVersion.signed_at.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def get_action(record: DecisionRecord, action_id: uuid.UUID) -> DecisionAction:
    query = select(DecisionAction).where(DecisionAction.id == action_id, DecisionAction.record_id == record.id)
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("there is no such action")
    return found


def get_conflict(record: DecisionRecord, conflict_id: uuid.UUID, user: User) -> DecisionConflict:
    """A save of ``user``'s that lost a race on ``record`` (their own unsaved text: nobody else's)."""
    query = select(DecisionConflict).where(
        DecisionConflict.id == conflict_id, DecisionConflict.record_id == record.id, DecisionConflict.user_id == user.id
    )
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("there is no such conflict")
    return found


def find_case_records(case_id: uuid.UUID) -> list[tuple[Conference, DecisionRecord | None]]:
    conferences = db.session.scalars(
        select(Conference).where(Conference.case_id == case_id).order_by(Conference.created_at)
    ).all()
    records = {
        r.conference_id: r for r in db.session.scalars(select(DecisionRecord).where(DecisionRecord.case_id == case_id))
    }
    return [(c, records.get(c.id)) for c in conferences]


def find_overdue_actions(now: datetime, case_id: uuid.UUID | None = None) -> list[DecisionAction]:
    query = select(DecisionAction).where(
        DecisionAction.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]), DecisionAction.due_at < now
    )
    if case_id is not None:
        query = query.where(DecisionAction.case_id == case_id)
    return list(db.session.scalars(query.order_by(DecisionAction.due_at)))


def find_referral(case_id: uuid.UUID) -> NrmReferral | None:
    return db.session.scalars(select(NrmReferral).where(NrmReferral.case_id == case_id)).first()


def is_devolved_pilot_case(case_id: uuid.UUID) -> bool:
    """A devolved decision-making pilot panel decides for this child: the case has a (not cancelled) panel."""
    from conference.convening.models import ConferenceStatus
    from rules.vocabulary import MeetingType

    query = select(Conference.id).where(
        Conference.case_id == case_id,
        Conference.meeting_type == MeetingType.DEVOLVED_NRM_DECISION_PANEL,
        Conference.status != ConferenceStatus.CANCELLED,
    )
    return db.session.scalars(query.limit(1)).first() is not None


def find_disclosures(case_id: uuid.UUID) -> list[Disclosure]:
    query = select(Disclosure).where(Disclosure.case_id == case_id).order_by(Disclosure.disclosed_at)
    return list(db.session.scalars(query))


def find_letters(case_id: uuid.UUID) -> dict[str, NrmDecisionLetter]:
    """The decision letters of a case by stage (their content is loaded only when downloaded)."""
    rows = db.session.scalars(select(NrmDecisionLetter).where(NrmDecisionLetter.case_id == case_id))
    return {row.stage: row for row in rows}


def find_letter(case_id: uuid.UUID, stage: str) -> NrmDecisionLetter | None:
    query = select(NrmDecisionLetter).where(NrmDecisionLetter.case_id == case_id, NrmDecisionLetter.stage == stage)
    return db.session.scalars(query).first()
