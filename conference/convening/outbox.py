"""The outbox worker: delivers queued iMIP messages over SMTP, with a lease, retries, backoff and a dead letter.

Claiming (one short transaction): on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` picks messages no
other worker holds, and marks them ``sending`` with a lease. Several workers may run at once and no
message is claimed by two of them while its lease lasts. On SQLite one worker is enough (the write lock
serialises claims).

Delivery happens outside any transaction, then each message is marked ``sent`` (only by the worker that
holds it). If a worker dies mid-send its lease runs out and another worker sends the message again: at
least once, at most twice, with the very same bytes (same UID, SEQUENCE and Message-ID), so calendars
update the event rather than duplicate it.

Log lines carry message ids and counts only, never addresses or content.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, text, update

from conference.convening.invitation_models import OutboxMessage, OutboxStatus
from conference.db import UTCDateTime, utcnow
from conference.extensions import db

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour."""
    delay: timedelta = BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 16))
    return min(delay, MAX_BACKOFF)


@dataclass
class WorkerStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    timeout: float = 10.0


def worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(worker: str, batch: int, *, lease: timedelta = LEASE, now_at: datetime | None = None) -> list[uuid.UUID]:
    """Claim up to ``batch`` due messages (pending and due, or sending with an expired lease). Commits."""
    now_at = now_at or utcnow()
    lock = "FOR UPDATE SKIP LOCKED" if db.is_postgresql else ""
    statement = text(
        "UPDATE outbox_messages SET status = 'sending', claimed_by = :worker, lease_until_at = :lease, "
        "attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox_messages "
        "WHERE (status = 'pending' AND next_attempt_at <= :now) OR (status = 'sending' AND lease_until_at < :now) "
        f"ORDER BY next_attempt_at, created_at LIMIT :batch {lock}) "
        "RETURNING id"
    ).bindparams(bindparam("lease", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
    with db.unit_of_work() as session:
        rows = session.execute(
            statement, {"worker": worker, "lease": now_at + lease, "now": now_at, "batch": batch}
        ).all()
    return [uuid.UUID(str(r[0])) if not isinstance(r[0], uuid.UUID) else r[0] for r in rows]


def _deliver(connection: smtplib.SMTP, message: OutboxMessage) -> None:
    refused = connection.sendmail(message.from_email, [message.to_email], message.body)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)


def _finish(
    message_id: uuid.UUID, worker: str, error: str | None, attempts: int, max_attempts: int, stats: WorkerStats
) -> None:
    now_at = utcnow()
    values: dict[str, object]
    if error is None:
        values = {"status": OutboxStatus.SENT, "sent_at": now_at, "lease_until_at": None, "last_error": ""}
        stats.sent += 1
    elif attempts >= max_attempts:
        values = {"status": OutboxStatus.DEAD, "lease_until_at": None, "last_error": error[:500]}
        stats.dead += 1
        log.error("outbox message %s dead after %d attempts", message_id, attempts)
    else:
        values = {
            "status": OutboxStatus.PENDING,
            "lease_until_at": None,
            "last_error": error[:500],
            "next_attempt_at": now_at + backoff(attempts),
        }
        stats.retried += 1
    with db.unit_of_work() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
            .values(**values)
        )


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error)[:300]}"


def run_once(
    target: SmtpTarget,
    *,
    worker: str | None = None,
    batch: int = 20,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
) -> WorkerStats:
    """Claim one batch and deliver it over one SMTP connection."""
    worker = worker or worker_id()
    stats = WorkerStats()
    ids = claim(worker, batch, lease=lease)
    if not ids:
        return stats
    messages = {
        m.id: m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids)).execution_options(populate_existing=True)
        )
    }
    db.session.commit()
    # RETURNING gives no order: send in the order the messages were written (an update after its invitation).
    ids = sorted(ids, key=lambda i: (messages[i].created_at, str(i)))
    try:
        connection = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
    except (OSError, smtplib.SMTPException) as error:
        for message_id in ids:
            _finish(message_id, worker, _describe(error), messages[message_id].attempts, max_attempts, stats)
        stats.errors.append(_describe(error))
        return stats
    try:
        for message_id in ids:
            message = messages[message_id]
            try:
                _deliver(connection, message)
                _finish(message_id, worker, None, message.attempts, max_attempts, stats)
            except (OSError, smtplib.SMTPException) as error:
                _finish(message_id, worker, _describe(error), message.attempts, max_attempts, stats)
                stats.errors.append(_describe(error))
                if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                    connection = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    log.info("outbox batch: %d sent, %d to retry, %d dead", stats.sent, stats.retried, stats.dead)
    return stats


def work(
    target: SmtpTarget,
    *,
    once: bool = False,
    idle_seconds: float = 2.0,
    batch: int = 20,
    stop_when_empty: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
) -> WorkerStats:
    """Deliver until stopped (or once, or until nothing is due when ``stop_when_empty``)."""
    total = WorkerStats()
    worker = worker_id()
    while True:
        try:
            stats = run_once(target, worker=worker, batch=batch, max_attempts=max_attempts, lease=lease)
        except OSError as error:  # the SMTP server went away mid-batch: the lease brings the messages back
            log.warning("outbox batch interrupted: %s", type(error).__name__)
            stats = WorkerStats(errors=[_describe(error)])
        total.sent += stats.sent
        total.retried += stats.retried
        total.dead += stats.dead
        total.errors += stats.errors
        nothing = stats.sent + stats.retried + stats.dead == 0
        if once or (stop_when_empty and nothing):
            return total
        if nothing:
            time.sleep(idle_seconds)


def counts() -> dict[str, int]:
    rows = db.session.execute(text("SELECT status, count(*) FROM outbox_messages GROUP BY status")).all()
    return {str(status): int(n) for status, n in rows}
