"""Who looked at cases: the audit rows for reading the case list and a case's access log, and reading that log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from conference.audit import AuditEvent, find_case_views, record_event, record_view
from conference.auth.models import User
from conference.cases.models import Case
from conference.extensions import db


@dataclass(frozen=True)
class AccessLog:
    events: list[AuditEvent]
    #: The accounts named by the events, by id.
    users: dict[uuid.UUID, User]


def record_case_list_viewed(user: User, count: int) -> None:
    record_view(db.session, "case.list.view", object_type="case_list", detail={"count": count}, actor=user)


def view_access_log(user: User, case: Case) -> AccessLog:
    """The latest views of ``case``, with who made them; reading the log is itself audited, at once, so that the
    log shows this reading first (not at the end of the request, as ``record_view`` writes other readings)."""
    record_event(db.session, "case.access_log.view", object_type="case", object_id=case.id, actor=user)
    events = find_case_views(db.session, case.id)
    actor_ids = {e.actor_user_id for e in events if e.actor_user_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    return AccessLog(events, users)
