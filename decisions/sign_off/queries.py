"""Who signed the versions of a record."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select

from conference.auth.models import User
from conference.extensions import db


def find_signers(user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    ids = set(user_ids)
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
