"""Conference queries, scoped in SQL to the cases the user may see (out-of-scope ids are not found)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.scope import case_scope
from conference.convening.invitation_models import ReplyRecord
from conference.convening.models import Attendee, Conference
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome
from conference.outbox.models import OutboxMessage


def get_conference(user: User, conference_id: uuid.UUID) -> Conference:
    found = db.session.scalars(
        select(Conference)
        .join(Case, Conference.case_id == Case.id)
        .where(Conference.id == conference_id, case_scope(user))
    ).first()
    if found is None:
        raise NotFound("meeting not found or not in your scope")
    return found


def find_case_conferences(case: Case) -> list[Conference]:
    return list(
        db.session.scalars(
            select(Conference).where(Conference.case_id == case.id).order_by(Conference.created_at.desc())
        )
    )


def get_attendee(conference: Conference, attendee_id: uuid.UUID) -> Attendee:
    found = db.session.scalars(
        select(Attendee).where(Attendee.id == attendee_id, Attendee.conference_id == conference.id)
    ).first()
    if found is None:
        raise NotFound("attendee not found")
    return found


def find_replies(conference: Conference, limit: int = 100) -> list[ReplyRecord]:
    return list(
        db.session.scalars(
            select(ReplyRecord)
            .where(ReplyRecord.conference_id == conference.id)
            .order_by(ReplyRecord.received_at.desc())
            .limit(limit)
        )
    )


def find_open(conference: Conference, outcome: ReplyOutcome) -> list[ReplyRecord]:
    return list(
        db.session.scalars(
            select(ReplyRecord)
            .where(
                ReplyRecord.conference_id == conference.id,
                ReplyRecord.outcome == outcome,
                ReplyRecord.resolved_at.is_(None),
            )
            .order_by(ReplyRecord.received_at)
        )
    )


def get_reply(conference: Conference, reply_id: uuid.UUID) -> ReplyRecord:
    found = db.session.scalars(
        select(ReplyRecord).where(ReplyRecord.id == reply_id, ReplyRecord.conference_id == conference.id)
    ).first()
    if found is None:
        raise NotFound("reply not found")
    return found


def find_held_without_meeting(limit: int = 50) -> list[ReplyRecord]:
    return list(
        db.session.scalars(
            select(ReplyRecord)
            .where(ReplyRecord.conference_id.is_(None))
            .order_by(ReplyRecord.received_at.desc())
            .limit(limit)
        )
    )


def find_outbox(conference: Conference) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.conference_id == conference.id).order_by(OutboxMessage.created_at)
        )
    )
