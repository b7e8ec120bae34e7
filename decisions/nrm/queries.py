"""The NRM referral's queries, each scoped by the case: the referral, its letters and disclosures, the latest
signed decision of the case, and whether a devolved pilot panel decides for the child."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from conference.convening.models import Conference
from conference.convening.queries import get_conference as get_conference  # the one scoped query: decisions use it
from conference.extensions import db
from decisions.models import (
    DecisionRecord,
    DecisionVersion,
    Disclosure,
    NrmDecisionLetter,
    NrmReferral,
)


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
