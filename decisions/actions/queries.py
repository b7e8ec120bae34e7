"""The action plan's queries: one action of a record, the overdue actions, who may own an action."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.convening.models import Conference
from conference.convening.queries import get_conference as get_conference  # the one scoped query: decisions use it
from conference.directory.models import Agency, Person
from conference.extensions import db
from decisions.models import (
    ActionStatus,
    DecisionAction,
    DecisionRecord,
)


def get_action(record: DecisionRecord, action_id: uuid.UUID) -> DecisionAction:
    query = select(DecisionAction).where(DecisionAction.id == action_id, DecisionAction.record_id == record.id)
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("there is no such action")
    return found


def find_overdue_actions(now: datetime, case_id: uuid.UUID | None = None) -> list[DecisionAction]:
    query = select(DecisionAction).where(
        DecisionAction.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]), DecisionAction.due_at < now
    )
    if case_id is not None:
        query = query.where(DecisionAction.case_id == case_id)
    return list(db.session.scalars(query.order_by(DecisionAction.due_at)))


def find_action_owners(conference: Conference) -> dict[str, Person]:
    query = (
        select(Person)
        .join(Agency, Person.agency_id == Agency.id)
        .where(Agency.local_authority_id == conference.case.local_authority_id)
        .order_by(Agency.name, Person.name)
    )
    people = {str(p.id): p for p in db.session.scalars(query)}
    for attendee in conference.attendees:
        people.setdefault(str(attendee.person_id), attendee.person)
    return people
