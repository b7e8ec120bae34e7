"""Delivery through the outbox to a real SMTP server: kill a worker mid-send, four workers on 500 messages,
retries with backoff and the dead letter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.invitations import calendar as ical
from conference.invitations import imip
from conference.invitations.privacy import neutral_summary, new_uid
from conference.outbox.models import OutboxMessage, OutboxStatus
from conference.outbox.worker import SmtpTarget, backoff, run_once
from tests.conftest import TEST_SECRET_KEY

# Workers (subprocesses, and the claim and ledger on their own connections) must see committed messages.
pytestmark = pytest.mark.committed

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def make_messages(n: int, *, sequence: int = 0) -> list[OutboxMessage]:
    """``n`` real iMIP invitations (one invitee each) written to the outbox and committed."""
    start = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
    rows = []
    for i in range(n):
        meeting = ical.MeetingObject(
            uid=new_uid(),
            sequence=sequence,
            summary=neutral_summary("MTG-7K3Q", None),
            start_at=start,
            end_at=start + timedelta(hours=1),
            location="Room 4",
            description_url="https://convene.test/conferences/x",
            organizer_email="meetings@convene.example",
            organizer_name="Casey",
        )
        to = f"invitee{i}@example.test"
        ics = ical.build_request(meeting, ical.Invitee(to, f"Invitee {i}", "Police", True), datetime.now(UTC))
        message = imip.build_message(
            method="REQUEST",
            ics=ics,
            to_email=to,
            to_name=f"Invitee {i}",
            from_email="meetings@convene.example",
            from_name="Casey",
            subject=meeting.summary,
            text_body="You are invited.",
            message_id_domain="convene.example",
        )
        rows.append(
            OutboxMessage(
                method="REQUEST",
                to_email=to,
                from_email="meetings@convene.example",
                ical_uid=meeting.uid,
                ical_sequence=sequence,
                body=message.as_bytes(),
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _worker(database_url: str, port: int, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONVENE_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "CONVENE_SMTP_HOST": "127.0.0.1",
        "CONVENE_SMTP_PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _uid_sequence(raw: bytes) -> tuple[str, int]:
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(raw)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    event = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    return str(event["UID"]), int(event["SEQUENCE"])


def test_worker_killed_mid_send_delivers_at_least_once_at_most_twice(app, database_url, smtp_sink):
    rows = make_messages(4, sequence=3)
    expected = {r.ical_uid for r in rows}
    smtp_sink.gate.clear()  # the sink holds the first message at DATA
    first = _worker(database_url, smtp_sink.port, "--lease-seconds", "2", "--batch", "10")
    assert smtp_sink.arrived.wait(30), first.stderr.read().decode()[-2000:] if first.poll() is not None else "no DATA"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    smtp_sink.gate.set()
    time.sleep(2.5)  # the dead worker's lease runs out
    second = _worker(database_url, smtp_sink.port, "--until-empty", "--lease-seconds", "2")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err.decode()[-2000:]

    arrivals = Counter(_uid_sequence(raw) for _, _, raw in smtp_sink.received)
    assert {uid for uid, _ in arrivals} == expected
    assert all(sequence == 3 for _, sequence in arrivals)
    assert all(1 <= n <= 2 for n in arrivals.values()), arrivals
    assert sum(arrivals.values()) in (5, 6), arrivals  # the message held at DATA went twice
    db.session.expire_all()
    assert all(r.status is OutboxStatus.SENT for r in db.session.scalars(select(OutboxMessage)))


def test_four_workers_drain_500_messages_exactly_once(app, database_url, smtp_sink):
    rows = make_messages(500)
    started = time.perf_counter()
    workers = [_worker(database_url, smtp_sink.port, "--until-empty", "--batch", "10") for _ in range(4)]
    for worker in workers:
        _, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err.decode()[-2000:]
    elapsed = time.perf_counter() - started
    ids = Counter(raw.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0] for _, _, raw in smtp_sink.received)
    assert len(ids) == 500 and set(ids.values()) == {1}
    recipients = Counter(to[0] for _, to, _ in smtp_sink.received)
    assert set(recipients) == {r.to_email for r in rows} and set(recipients.values()) == {1}
    db.session.expire_all()
    claimed = {r.claimed_by.rsplit(":", 1)[0] for r in db.session.scalars(select(OutboxMessage))}
    assert len(claimed) >= 2, "the workers did not share the work"
    assert all(r.status is OutboxStatus.SENT and r.attempts == 1 for r in db.session.scalars(select(OutboxMessage)))
    print(f"4 workers: 500 messages in {elapsed:.1f}s")


def test_unreachable_server_is_retried_with_backoff_then_dead_lettered(app):
    make_messages(2)
    closed = SmtpTarget("127.0.0.1", 1, timeout=1)
    stats = run_once(closed, max_attempts=2)
    assert stats.retried == 2 and stats.sent == 0
    rows = list(db.session.scalars(select(OutboxMessage)))
    for row in rows:
        db.session.refresh(row)
        assert row.status is OutboxStatus.PENDING and row.attempts == 1
        assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
        assert "Connection" in row.last_error or "Errno" in row.last_error
    assert run_once(closed, max_attempts=2).retried == 0  # not due yet
    for row in rows:
        row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert run_once(closed, max_attempts=2).dead == 2
    for row in rows:
        db.session.refresh(row)
        assert row.status is OutboxStatus.DEAD
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [30, 60, 120, 3600]


def test_a_batch_goes_in_write_order_and_leaves_pooled_connections_as_it_found_them(app, smtp_sink):
    rows = make_messages(5)
    written_at = datetime.now(UTC) - timedelta(minutes=1)
    for n, row in enumerate(reversed(rows)):  # written last to first: the last row is the oldest
        row.created_at = written_at + timedelta(seconds=n)
    db.session.commit()

    stats = run_once(SmtpTarget("127.0.0.1", smtp_sink.port), batch=10)

    assert stats.sent == 5 and stats.retried == stats.dead == 0
    assert [to[0] for _, to, _ in smtp_sink.received] == [r.to_email for r in reversed(rows)]
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}
    # Outcomes are committed without waiting for the WAL flush; no other transaction may inherit that.
    db.session.close()  # give its connection back too: every pooled connection is checked
    pool = db.engine.pool
    connections = [db.engine.connect() for _ in range(max(pool.checkedin(), 1))]  # type: ignore[attr-defined]
    try:
        assert {c.exec_driver_sql("SHOW synchronous_commit").scalar() for c in connections} == {"on"}
    finally:
        for connection in connections:
            connection.close()
