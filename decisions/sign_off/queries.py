"""The versions of a record and who signed them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.convening.queries import get_conference as get_conference  # the one scoped query: decisions use it
from conference.extensions import db
from decisions.models import DecisionVersion


def find_versions(record_id: uuid.UUID) -> list[DecisionVersion]:
    query = select(DecisionVersion).where(DecisionVersion.record_id == record_id).order_by(DecisionVersion.number)
    return list(db.session.scalars(query))


def get_version(record_id: uuid.UUID, number: int) -> DecisionVersion:
    query = select(DecisionVersion).where(DecisionVersion.record_id == record_id, DecisionVersion.number == number)
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("there is no such version")
    return found


def find_signers(user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    ids = set(user_ids)
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
