"""A person's own account: change their password, see and end their sessions (ASVS 2.1.6, 3.3.3, 3.3.4).

Each use case writes its audit row in the request's transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from werkzeug.exceptions import NotFound

from conference.audit import record_event
from conference.auth import notices
from conference.auth.models import User, UserSession
from conference.auth.passwords import hash_password
from conference.auth.services import record_failed_attempt
from conference.extensions import db


@dataclass(frozen=True)
class SessionSummary:
    handle: str  # names the session in a form without showing its stored id
    started_at: datetime
    last_active_at: datetime
    is_current: bool


def _handle(session_id: str) -> str:
    return hashlib.sha256(f"session-handle|{session_id}".encode()).hexdigest()[:16]


def find_own_sessions(user: User, current_id: str | None) -> list[SessionSummary]:
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.mfa_at.is_not(None))
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [SessionSummary(_handle(row.id), row.created_at, row.last_seen_at, row.id == current_id) for row in rows]


def end_own_session(user: User, handle: str, current_id: str | None) -> None:
    for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        if _handle(row.id) == handle and row.id != current_id:
            db.session.delete(row)
            record_event(db.session, "session.ended", object_type="user", object_id=user.id, actor=user)
            return
    raise NotFound("no such session of yours")


def end_other_sessions(user: User, current_id: str | None) -> int:
    ended = delete(UserSession).where(UserSession.user_id == user.id)
    if current_id:
        ended = ended.where(UserSession.id != current_id)
    count = int(db.session.execute(ended).rowcount)  # type: ignore[attr-defined]
    record_event(
        db.session,
        "session.others_ended",
        object_type="user",
        object_id=user.id,
        actor=user,
        detail={"count": count},
    )
    return count


def record_wrong_current_password(user: User) -> None:
    record_failed_attempt(user, "password.change_failed")


def change_own_password(user: User, new_password: str, *, end_others: bool, current_id: str | None) -> None:
    user.password_hash = hash_password(new_password)
    record_event(
        db.session,
        "password.changed",
        object_type="user",
        object_id=user.id,
        actor=user,
        detail={"ended_other_sessions": end_others},
    )
    if end_others:
        end_other_sessions(user, current_id)
    notices.tell_password_changed(user, by_reset=False)
