"""Housekeeping under the retention schedule (docs/retention.md): ``flask --app wsgi retention purge``.

Run it daily (cron or a scheduled task). It removes what Convene no longer needs and keeps what the schedule
says to keep. Case records, decisions and the audit log are not purged here: their retention runs to the
child's 75th birthday under council schedules, with legal holds, and needs a records officer's decision.
The records that follow a case (written submissions and their files, safety checks, missing episodes, the
history of its facts) are never purged here either: they go with their case (conference/case_retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update

from conference.audit import record_event
from conference.auth.models import FormDraft, PasswordReset, UserSession
from conference.db import utcnow
from conference.extensions import db

FORM_DRAFT_DAYS = 7
PASSWORD_RESET_DAYS = 1
SENT_MESSAGE_BODY_DAYS = 30
SESSION_ABSOLUTE = timedelta(hours=12)
SESSION_IDLE = timedelta(minutes=30)


@dataclass(frozen=True)
class PurgeReport:
    sessions: int
    form_drafts: int
    password_resets: int
    message_bodies: int

    def describe(self) -> str:
        return (
            f"Removed {self.sessions} ended sessions, {self.form_drafts} form drafts older than "
            f"{FORM_DRAFT_DAYS} days, {self.password_resets} used or expired password reset links; cleared the "
            f"bodies of {self.message_bodies} messages sent more than {SENT_MESSAGE_BODY_DAYS} days ago."
        )


def purge(now: datetime | None = None) -> PurgeReport:
    """Delete expired rows in one transaction, with one audit row that counts what went."""
    from conference.outbox.models import OutboxMessage, OutboxStatus

    now = now or utcnow()
    sessions = db.session.execute(
        delete(UserSession).where(
            or_(UserSession.last_seen_at < now - SESSION_IDLE, UserSession.created_at < now - SESSION_ABSOLUTE)
        )
    )
    drafts = db.session.execute(delete(FormDraft).where(FormDraft.created_at < now - timedelta(days=FORM_DRAFT_DAYS)))
    resets = db.session.execute(
        delete(PasswordReset).where(
            or_(
                PasswordReset.used_at.is_not(None), PasswordReset.expires_at < now - timedelta(days=PASSWORD_RESET_DAYS)
            )
        )
    )
    bodies = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at < now - timedelta(days=SENT_MESSAGE_BODY_DAYS),
            OutboxMessage.body != b"",
        )
        .values(body=b"")
    )
    report = PurgeReport(
        int(sessions.rowcount),  # type: ignore[attr-defined]
        int(drafts.rowcount),  # type: ignore[attr-defined]
        int(resets.rowcount),  # type: ignore[attr-defined]
        int(bodies.rowcount),  # type: ignore[attr-defined]
    )
    record_event(db.session, "retention.purge", detail=report.__dict__)
    return report
