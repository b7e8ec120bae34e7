"""Convening's own tables: the arrangement of a meeting, personal reply links and replies.

The outbox (``OutboxMessage``) is the platform's: ``conference.outbox.models``.

* ``ConferenceArrangement``: one per conference, what the coordinator chose on the way (options, the
  chosen time, relaxations, the reply cut-off).
* ``InvitationLink``: the personal reply link of one attendee. Only the SHA-256 of the random token is
  stored; the link expires when the meeting ends.
* ``ReplyRecord``: every reply (link or calendar), in words for the board: applied, stale, held
  (uninvited address), a COUNTER proposal, or refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, IdMixin, TimestampMixin, enum_type, utcnow
from conference.invitations.replies import ReplyOutcome


class ConferenceArrangement(IdMixin, TimestampMixin, Base):
    __tablename__ = "conference_arrangements"

    conference_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conferences.id"), unique=True)
    window_basis: Mapped[str] = mapped_column(Text, default="")
    include_on_call: Mapped[bool] = mapped_column(default=False)
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    no_slot_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    solved_at: Mapped[datetime | None] = mapped_column(default=None)
    # The scheduler request behind the current options and why each unknown candidate's availability is unknown
    # (person id -> reason): the options page draws its picture from them, in whichever process serves it.
    solved_request: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    unknown_reasons: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    chosen_start_at: Mapped[datetime | None] = mapped_column(default=None)
    chosen_end_at: Mapped[datetime | None] = mapped_column(default=None)
    # role value -> {"person": "<person uuid>"} | {"written_submission": true} | {"person": null}
    chosen_assignments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    chosen_conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)
    reply_cutoff_at: Mapped[datetime | None] = mapped_column(default=None)
    organiser_name: Mapped[str] = mapped_column(String(160), default="")


class InvitationLink(IdMixin, Base):
    __tablename__ = "invitation_links"

    conference_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conferences.id"), index=True)
    attendee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attendees.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class ReplyRecord(IdMixin, Base):
    __tablename__ = "reply_records"

    conference_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conferences.id"), index=True, default=None)
    attendee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("attendees.id"), default=None)
    source: Mapped[str] = mapped_column(String(20))  # "link" | "calendar"
    outcome: Mapped[ReplyOutcome] = mapped_column(enum_type(ReplyOutcome))
    sentence: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(254), default="")
    # False when the email's sender was not the attendee (or unknown): the board labels the reply unverified.
    sender_verified: Mapped[bool] = mapped_column(default=True)
    proposed_start_at: Mapped[datetime | None] = mapped_column(default=None)
    proposed_end_at: Mapped[datetime | None] = mapped_column(default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
