"""The append-only, hash-chained audit log.

Every row is written in the same transaction as the change it records. Each row stores the hash of
the row before it and ``SHA-256(prev_hash || canonical row)``. The chain head (one row in
``audit_chain_head``) is updated in the same statement that claims the next position, which holds a row
lock on PostgreSQL and the write lock on SQLite until commit, so concurrent writers cannot fork the chain.
Database triggers refuse UPDATE and DELETE on ``audit_events`` (see the first migration).

``verify_chain`` walks the log and names the first broken row: ``flask --app wsgi audit verify``.

Which request a row belongs to comes from an explicit ``AuditContext`` that the request layer sets for each
request (``conference.security.guard``, with ``enter_context``/``leave_context``). Who acts is passed in by the
service (``actor=user``); a row written without one takes the context's signed-in user, and outside a request
(CLI, worker) the actor is "system" and kept callbacks run at once. This module imports no Flask.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, BigInteger, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from conference.db import Base, utcnow

GENESIS_HASH = "0" * 64
SessionLike = Session | scoped_session[Session]


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(BigInteger, "postgresql"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    actor_agency_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="success")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_user_id": str(event.actor_user_id) if event.actor_user_id else None,
        "actor_agency_id": str(event.actor_agency_id) if event.actor_agency_id else None,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "ip": event.ip,
        "reason": event.reason,
        "detail": event.detail,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(event)).hexdigest()


@dataclass
class AuditContext:
    """The request an audit row belongs to: set by the request layer, absent outside a request."""

    request_id: str = ""
    ip: str = ""
    #: The signed-in user (``id``, ``agency_id``, ``role``), or None while nobody is signed in.
    user: Any = None
    #: Callbacks kept to run after a rollback (``keep_after_rollback``), run once by ``run_kept``.
    kept: list[Callable[[], object]] = field(default_factory=list)
    #: Audit rows of reading a page (``record_view``), written just before the request commits (``run_views``).
    views: list[Callable[[], object]] = field(default_factory=list)


_CONTEXT: ContextVar[AuditContext | None] = ContextVar("convene_audit_context", default=None)


def enter_context(context: AuditContext) -> Token[AuditContext | None]:
    """Make ``context`` the current one (the request layer calls this at the start of each request)."""
    return _CONTEXT.set(context)


def leave_context(token: Token[AuditContext | None]) -> None:
    """End the context set by ``enter_context`` (at the end of the request)."""
    try:
        _CONTEXT.reset(token)
    except ValueError:  # set in another context: end it anyway
        _CONTEXT.set(None)


def current_context() -> AuditContext | None:
    return _CONTEXT.get()


class Actor(Protocol):
    """Who acts: an account (``conference.auth.models.User``), named by the service that writes the row."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def agency_id(self) -> uuid.UUID: ...

    @property
    def role(self) -> Any: ...


@dataclass(frozen=True)
class _ActorSnapshot:
    id: uuid.UUID
    agency_id: uuid.UUID
    role: Any


def snapshot_actor(actor: Actor) -> Actor:
    """``actor`` read now, for a row written after a rollback (``keep_after_rollback``): the rollback expires the
    objects the request loaded."""
    return _ActorSnapshot(actor.id, actor.agency_id, actor.role)


def _actor(actor: Actor | None = None) -> tuple[uuid.UUID | None, uuid.UUID | None, str]:
    if actor is not None:
        return actor.id, actor.agency_id, str(actor.role)
    context = current_context()
    if context is None:
        return None, None, "system"
    user = context.user
    if user is None:
        return None, None, ""
    return user.id, user.agency_id, str(user.role)


def record_event(
    session: SessionLike,
    action: str,
    *,
    object_type: str = "",
    object_id: str | uuid.UUID | None = "",
    outcome: str = "success",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    actor_user_id: uuid.UUID | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Append one audit row in the caller's transaction. ``detail`` must hold ids, never personal data.

    ``actor`` is the user who acts (services pass the ``user`` they were given); without it the row takes the
    request's signed-in user from the context. ``actor_user_id`` names the account alone, for sign-in steps
    taken before anyone is signed in."""
    user_id, agency_id, role = _actor(actor)
    context = current_context()
    if actor_user_id is not None:
        user_id = actor_user_id
    row = session.execute(
        text("UPDATE audit_chain_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash")
    ).one()
    event = AuditEvent(
        id=int(row.last_id),
        occurred_at=utcnow(),
        actor_user_id=user_id,
        actor_agency_id=agency_id,
        actor_role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        outcome=outcome,
        request_id=context.request_id if context is not None else "",
        ip=context.ip if context is not None else "",
        reason=reason,
        detail=detail or {},
        prev_hash=str(row.last_hash),
        hash="",
    )
    event.hash = compute_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    session.execute(text("UPDATE audit_chain_head SET last_hash = :h WHERE id = 1"), {"h": event.hash})
    return event


def record_view(
    session: SessionLike,
    action: str,
    *,
    object_type: str = "",
    object_id: str | uuid.UUID | None = "",
    detail: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> None:
    """The audit row of reading something (a case, a signed version, a missing episode), written as the request ends.

    Writing an audit row takes the chain head's lock (``record_event``) until the request commits, so every other
    audited request waits for it. A page that wrote its view row first held that lock while it read and rendered
    everything else: concurrent views of case pages queued behind each other's whole page (docs/benchmarks.md).
    In a request the row is written by ``run_views`` just before the one commit (a few milliseconds after the page
    was read, in chain order with every other row); it is not written when the request is refused or fails
    (nothing was shown). Outside a request it is written at once.
    """
    context = current_context()
    if context is None:
        record_event(session, action, object_type=object_type, object_id=object_id, detail=detail, actor=actor)
        return
    if actor is not None:  # read now: what the request loaded may be expired by the time the row is written
        actor = snapshot_actor(actor)

    def write() -> None:
        record_event(session, action, object_type=object_type, object_id=object_id, detail=detail, actor=actor)

    context.views.append(write)


def run_views(session: SessionLike) -> None:
    """Write the view rows of this request (``record_view``), once: the request layer calls this before it
    commits a completed request."""
    context = current_context()
    if context is None:
        return
    views, context.views = context.views, []
    for write in views:
        write()


def keep_after_rollback(callback: Callable[[], object]) -> None:
    """Run ``callback`` even when the request is refused, in its own transaction after the rest is rolled back.

    The unit of work (``conference.security.commit_unit_of_work``) commits only when the action completes (a 2xx
    or 3xx answer) and rolls everything back on a 4xx or 5xx. What a refusal must keep (its audit row, a failed
    sign-in count, the text of the loser of a save conflict) is written by a callback registered here. On a
    refusal the callbacks run after the rollback and are committed on their own; on success they run before the
    one commit. Outside a request (CLI, worker) the callback runs at once, in the caller's transaction.
    Callbacks must re-read what they change: objects loaded earlier in the request may have been rolled back.
    """
    context = current_context()
    if context is None:
        callback()
        return
    context.kept.append(callback)


def record_refusal(
    session: SessionLike,
    action: str,
    *,
    object_type: str = "",
    object_id: str | uuid.UUID | None = "",
    outcome: str = "refused",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    actor_user_id: uuid.UUID | None = None,
    actor: Actor | None = None,
) -> None:
    """An audit row that survives the rollback of a refused request (a 4xx): see ``keep_after_rollback``."""
    if actor is not None:  # read now: the rollback expires the objects loaded by the request
        actor = snapshot_actor(actor)

    def write() -> None:
        record_event(
            session,
            action,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            reason=reason,
            detail=detail,
            actor_user_id=actor_user_id,
            actor=actor,
        )

    keep_after_rollback(write)


def run_kept(session: SessionLike) -> bool:
    """Run the callbacks kept for this request (once). Returns whether there were any."""
    context = current_context()
    kept: list[Callable[[], object]] = []
    if context is not None:
        kept, context.kept = context.kept, []
    for callback in kept:
        callback()
    return bool(kept)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(rows: Iterable[AuditEvent]) -> ChainReport:
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    for event in rows:
        if event.id != expected_id:
            return ChainReport(False, checked, event.id, f"row {expected_id} is missing before row {event.id}")
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, "its prev_hash does not match the row before it")
        if compute_hash(event.prev_hash, event) != event.hash:
            return ChainReport(False, checked, event.id, "its contents do not match its hash")
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked)


def verify_audit_log(session: SessionLike) -> ChainReport:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    return verify_chain(rows)


def find_case_views(session: SessionLike, case_id: uuid.UUID, limit: int = 200) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case_id))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
