"""The outbox table: one email (an iMIP invitation, a password reset, a notice), written in the same transaction
as the change that caused it and delivered by the worker (``conference.outbox.worker``).

A platform service: every feature queues its mail here. ``conference_id`` and ``attendee_id`` are optional
references by table name (no import of the convening models).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, IdMixin, enum_type, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"

    @property
    def label(self) -> str:
        return {"pending": "Waiting to be sent", "sending": "Sending", "sent": "Sent", "dead": "Could not be sent"}[
            self.value
        ]


class OutboxMessage(IdMixin, Base):
    __tablename__ = "outbox_messages"

    conference_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conferences.id"), index=True, default=None)
    attendee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("attendees.id"), default=None)
    method: Mapped[str] = mapped_column(String(10))
    to_email: Mapped[str] = mapped_column(String(254))
    from_email: Mapped[str] = mapped_column(String(254))
    ical_uid: Mapped[str] = mapped_column(String(120), default="")
    ical_sequence: Mapped[int] = mapped_column(default=0)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str] = mapped_column(String(80), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
