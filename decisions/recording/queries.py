"""The conflicts a person left on a record: theirs only."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.convening.queries import get_conference as get_conference  # the one scoped query: decisions use it
from conference.extensions import db
from decisions.models import (
    DecisionConflict,
    DecisionRecord,
)


def get_conflict(record: DecisionRecord, conflict_id: uuid.UUID, user: User) -> DecisionConflict:
    """A save of ``user``'s that lost a race on ``record`` (their own unsaved text: nobody else's)."""
    query = select(DecisionConflict).where(
        DecisionConflict.id == conflict_id, DecisionConflict.record_id == record.id, DecisionConflict.user_id == user.id
    )
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("there is no such conflict")
    return found
