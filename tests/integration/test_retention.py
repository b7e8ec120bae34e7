"""The retention purge removes what the schedule says, keeps the rest, and audits itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import FormDraft, PasswordReset, UserSession
from conference.extensions import db
from conference.outbox.models import OutboxMessage, OutboxStatus
from conference.retention import purge


def test_purge_removes_expired_rows_and_keeps_current_ones(app, factories):
    user = factories.user(factories.agency(factories.area()))
    now = datetime.now(UTC)
    db.session.add_all(
        [
            UserSession(id="a" * 64, user_id=user.id, created_at=now - timedelta(hours=13), last_seen_at=now),
            UserSession(id="b" * 64, user_id=user.id, created_at=now, last_seen_at=now - timedelta(minutes=31)),
            UserSession(id="c" * 64, user_id=user.id, created_at=now, last_seen_at=now),
            FormDraft(path="/cases/new", data={}, created_at=now - timedelta(days=8)),
            FormDraft(path="/cases/new", data={}, created_at=now - timedelta(days=1)),
            PasswordReset(user_id=user.id, token_hash="1" * 64, expires_at=now - timedelta(days=2)),
            PasswordReset(user_id=user.id, token_hash="2" * 64, expires_at=now + timedelta(minutes=20)),
            OutboxMessage(
                method="REQUEST",
                to_email="a@example.test",
                from_email="m@example.test",
                body=b"old",
                status=OutboxStatus.SENT,
                sent_at=now - timedelta(days=31),
            ),
            OutboxMessage(
                method="REQUEST",
                to_email="b@example.test",
                from_email="m@example.test",
                body=b"recent",
                status=OutboxStatus.SENT,
                sent_at=now - timedelta(days=2),
            ),
            OutboxMessage(
                method="REQUEST",
                to_email="c@example.test",
                from_email="m@example.test",
                body=b"pending",
                status=OutboxStatus.PENDING,
            ),
        ]
    )
    db.session.commit()
    report = purge(now)
    db.session.commit()
    assert (report.sessions, report.form_drafts, report.password_resets, report.message_bodies) == (2, 1, 1, 1)
    assert db.session.scalars(select(UserSession.id)).all() == ["c" * 64]
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 1
    assert db.session.scalars(select(PasswordReset.token_hash)).all() == ["2" * 64]
    bodies = sorted(db.session.scalars(select(OutboxMessage.body)).all())
    assert bodies == [b"", b"pending", b"recent"]
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")).one()
    assert audit.detail["sessions"] == 2


def test_the_purge_command(app):
    result = CliRunner().invoke(app.cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 ended sessions" in result.output
