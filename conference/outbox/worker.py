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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, LargeBinary, String, Uuid, bindparam, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from conference.db import UTCDateTime, utcnow
from conference.extensions import db
from conference.outbox.models import OutboxMessage, OutboxStatus

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


@dataclass(frozen=True)
class Claimed:
    """A message this worker holds under lease: just what delivery needs (no ORM object, no second query)."""

    id: uuid.UUID
    from_email: str
    to_email: str
    body: bytes
    attempts: int
    created_at: datetime


_CLAIMED_COLUMNS: dict[str, TypeEngine[Any]] = {
    "id": Uuid(),
    "from_email": String(),
    "to_email": String(),
    "body": LargeBinary(),
    "attempts": Integer(),
    "created_at": UTCDateTime(),
}


def claim(worker: str, batch: int, *, lease: timedelta = LEASE, now_at: datetime | None = None) -> list[Claimed]:
    """Claim up to ``batch`` due messages (pending and due, or sending with an expired lease). Commits.

    One statement, one short transaction: the rows are locked only while it runs (``SKIP LOCKED`` so that
    concurrent claims pass each other by), and it returns what delivery needs. Oldest first.
    """
    now_at = now_at or utcnow()
    lock = "FOR UPDATE SKIP LOCKED" if db.is_postgresql else ""
    statement = (
        text(
            "UPDATE outbox_messages SET status = 'sending', claimed_by = :worker, lease_until_at = :lease, "
            "attempts = attempts + 1 "
            "WHERE id IN (SELECT id FROM outbox_messages "
            "WHERE (status = 'pending' AND next_attempt_at <= :now) "
            "OR (status = 'sending' AND lease_until_at < :now) "
            f"ORDER BY next_attempt_at, created_at LIMIT :batch {lock}) "
            "RETURNING id, from_email, to_email, body, attempts, created_at"
        )
        .bindparams(bindparam("lease", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
        .columns(**_CLAIMED_COLUMNS)
    )
    with db.engine.begin() as connection:
        rows = connection.execute(
            statement, {"worker": worker, "lease": now_at + lease, "now": now_at, "batch": batch}
        ).all()
    claimed = [Claimed(r.id, r.from_email, r.to_email, bytes(r.body), r.attempts, r.created_at) for r in rows]
    # RETURNING gives no order: send in the order the messages were written (an update after its invitation).
    return sorted(claimed, key=lambda m: (m.created_at, str(m.id)))


def _deliver(connection: smtplib.SMTP, message: Claimed) -> None:
    refused = connection.sendmail(message.from_email, [message.to_email], message.body)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)


class _Ledger:
    """Records each message's outcome as soon as it is known, one autocommitted UPDATE per message.

    It holds one database connection for the batch, outside any transaction (so no row lock is held while
    SMTP talks), instead of a pool checkout, ping, BEGIN, UPDATE and COMMIT per message. On PostgreSQL these
    commits do not wait for the WAL flush (``synchronous_commit = off``): if the database itself crashes,
    the last fraction of a second of outcomes can be lost, and those messages are sent again when their lease
    runs out, with the same bytes, which is the at-least-once, at-most-twice promise already made for a worker
    that dies mid-send. The claim itself stays fully durable.
    """

    def __init__(self, connection: Connection, worker: str, max_attempts: int, stats: WorkerStats) -> None:
        self.connection = connection
        self.worker = worker
        self.max_attempts = max_attempts
        self.stats = stats

    def record(self, message: Claimed, error: str | None) -> None:
        now_at = utcnow()
        values: dict[str, object]
        if error is None:
            values = {"status": OutboxStatus.SENT, "sent_at": now_at, "lease_until_at": None, "last_error": ""}
            self.stats.sent += 1
        elif message.attempts >= self.max_attempts:
            values = {"status": OutboxStatus.DEAD, "lease_until_at": None, "last_error": error[:500]}
            self.stats.dead += 1
            log.error("outbox message %s dead after %d attempts", message.id, message.attempts)
        else:
            values = {
                "status": OutboxStatus.PENDING,
                "lease_until_at": None,
                "last_error": error[:500],
                "next_attempt_at": now_at + backoff(message.attempts),
            }
            self.stats.retried += 1
        # Only the worker that holds the message may settle it: after a lease ran out it belongs to another.
        self.connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == self.worker)
            .values(**values)
        )


@contextmanager
def _ledger(worker: str, max_attempts: int, stats: WorkerStats) -> Iterator[_Ledger]:
    with db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        postgresql = db.is_postgresql
        if postgresql:
            autocommit.exec_driver_sql("SET synchronous_commit TO OFF")
        try:
            yield _Ledger(autocommit, worker, max_attempts, stats)
        finally:
            if postgresql:
                try:
                    autocommit.exec_driver_sql("RESET synchronous_commit")
                except DBAPIError:
                    connection.invalidate()  # never hand a connection with our setting back to the pool


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error)[:300]}"


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    return smtplib.SMTP(target.host, target.port, timeout=target.timeout)


def _send_all(target: SmtpTarget, messages: list[Claimed], ledger: _Ledger) -> None:
    """Deliver the batch over one SMTP connection (a new one only after the server dropped it)."""
    try:
        connection = _connect(target)
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            ledger.record(message, _describe(error))
        ledger.stats.errors.append(_describe(error))
        return
    try:
        for message in messages:
            try:
                _deliver(connection, message)
            except (OSError, smtplib.SMTPException) as error:
                ledger.record(message, _describe(error))
                ledger.stats.errors.append(_describe(error))
                if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                    connection = _connect(target)
            else:
                ledger.record(message, None)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


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
    started = time.perf_counter()
    messages = claim(worker, batch, lease=lease)
    if not messages:
        return stats
    claimed = time.perf_counter()
    with _ledger(worker, max_attempts, stats) as ledger:
        _send_all(target, messages, ledger)
    log.info(
        "outbox batch: %d sent, %d to retry, %d dead (claim %.0f ms, delivery %.0f ms)",
        stats.sent,
        stats.retried,
        stats.dead,
        (claimed - started) * 1000,
        (time.perf_counter() - claimed) * 1000,
    )
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
        except (OSError, smtplib.SMTPException) as error:  # the server went away mid-batch: the lease brings them back
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
