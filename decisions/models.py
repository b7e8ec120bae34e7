"""The decision record of a conference, its signed versions, and what follows from it.

* ``DecisionRecord``: the working record (one per conference). Its ``version`` is the optimistic
  concurrency token: every save is ``UPDATE ... WHERE id = :id AND version = :loaded`` with a rowcount check
  (reliability item REL-1: no lost update). Attendance and action rows bump it too (REL-2).
* ``DecisionVersion``: a signed version, stored as canonical JSON with its SHA-256. A database trigger
  refuses UPDATE and DELETE (see migration 0004); amendments add a new version.
* ``DecisionConflict``: a save that lost a race, kept so that nothing typed is lost.
* ``IdempotencyKey``: one row per (user, key) of a create form, under a unique constraint (REL-3).
* ``Disclosure``: what was shared with whom, why, and on what lawful basis.
* ``NrmReferral``: the NRM referral of a case, its pack answers and the decisions as recorded.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.db import Base, IdMixin, TimestampMixin, enum_type, utcnow
from conference.directory.models import Agency, Person
from rules.quorum import AttendanceStatus
from rules.vocabulary import Seat


class RecordStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    AMENDING = "amending"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "signed": "Signed off", "amending": "Being amended"}[self.value]


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"open": "Not started", "in_progress": "In progress", "done": "Done", "cancelled": "Cancelled"}[
            self.value
        ]


class DecisionRecord(IdMixin, TimestampMixin, Base):
    __tablename__ = "decision_records"

    conference_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conferences.id"), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[RecordStatus] = mapped_column(enum_type(RecordStatus), default=RecordStatus.DRAFT)
    # The sections as saved: information, child_views, elements, indicators, quorum, outcome.
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signed_version: Mapped[int] = mapped_column(Integer, default=0)
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    # A coordinator the chair named to write the record for this conference (ACC-4); None: the chair writes it.
    recorder_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    attendance: Mapped[list[AttendanceEntry]] = relationship(
        back_populates="record", order_by="AttendanceEntry.position", cascade="all, delete-orphan"
    )
    actions: Mapped[list[DecisionAction]] = relationship(
        back_populates="record", order_by="DecisionAction.due_at", cascade="all, delete-orphan"
    )


class AttendanceEntry(IdMixin, Base):
    """One line of the attendance register: a role at the meeting and how it was filled."""

    __tablename__ = "decision_attendance"
    __table_args__ = (UniqueConstraint("record_id", "role"),)

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decision_records.id"), index=True)
    role: Mapped[Seat] = mapped_column(enum_type(Seat))
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[AttendanceStatus] = mapped_column(enum_type(AttendanceStatus))
    person_name: Mapped[str] = mapped_column(String(160), default="")
    deputy_name: Mapped[str] = mapped_column(String(160), default="")
    submission_summary: Mapped[str] = mapped_column(Text, default="")

    record: Mapped[DecisionRecord] = relationship(back_populates="attendance")


class DecisionAction(IdMixin, TimestampMixin, Base):
    """An action agreed at the meeting: an owner (person and agency), a due date and time, a status."""

    __tablename__ = "decision_actions"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decision_records.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    due_at: Mapped[datetime]
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus), default=ActionStatus.OPEN)
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    record: Mapped[DecisionRecord] = relationship(back_populates="actions")
    owner: Mapped[Person] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined")

    def is_overdue(self, now: datetime) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and self.due_at < now


class DecisionVersion(IdMixin, Base):
    """A signed version. Immutable: a trigger refuses UPDATE and DELETE; services never change one."""

    __tablename__ = "decision_versions"
    __table_args__ = (UniqueConstraint("record_id", "number"),)

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decision_records.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # "signed" (first) or "amendment"
    reason: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text)  # canonical JSON: sorted keys, no spaces
    content_sha256: Mapped[str] = mapped_column(String(64))
    signed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionConflict(IdMixin, Base):
    """A save that lost to another: what the person typed, kept and audited (nothing is lost)."""

    __tablename__ = "decision_conflicts"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decision_records.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    section: Mapped[str] = mapped_column(String(40))
    base_version: Mapped[int]
    saved_version: Mapped[int]
    attempted: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(IdMixin, Base):
    """A create form's idempotency key: a replay returns the first response, a different body is refused."""

    __tablename__ = "decision_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(64))
    body_hash: Mapped[str] = mapped_column(String(64))
    response_location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Disclosure(IdMixin, Base):
    """A record of information shared outside the meeting (UK GDPR accountability)."""

    __tablename__ = "disclosures"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    record_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("decision_records.id"), default=None)
    version_number: Mapped[int | None] = mapped_column(default=None)
    recipient_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), default=None)
    recipient: Mapped[str] = mapped_column(String(300))
    what_shared: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    lawful_basis: Mapped[str] = mapped_column(Text)
    disclosed_at: Mapped[datetime] = mapped_column(default=utcnow)
    disclosed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)


class NrmReferral(IdMixin, TimestampMixin, Base):
    """The NRM referral of a case: the pack's answers, the referral, and the decisions as recorded."""

    __tablename__ = "nrm_referrals"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    referred_on: Mapped[date | None] = mapped_column(default=None)
    reference: Mapped[str] = mapped_column(String(60), default="")
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    rg_decided_on: Mapped[date | None] = mapped_column(default=None)
    rg_outcome: Mapped[str | None] = mapped_column(String(40), default=None)
    cg_decided_on: Mapped[date | None] = mapped_column(default=None)
    cg_outcome: Mapped[str | None] = mapped_column(String(40), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The written submissions (attendance roles) the chair selected to go with the referral as evidence.
    evidence_roles: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    # The signed version the referral was made on, and the last version the SCA has been told about.
    referred_version: Mapped[int | None] = mapped_column(default=None)
    reported_version: Mapped[int | None] = mapped_column(default=None)
    # A request to reconsider a negative decision: drafted, sent, answered (with dates).
    reconsideration_status: Mapped[str | None] = mapped_column(String(20), default=None)
    reconsideration_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    reconsideration_drafted_on: Mapped[date | None] = mapped_column(default=None)
    reconsideration_sent_on: Mapped[date | None] = mapped_column(default=None)
    reconsideration_answered_on: Mapped[date | None] = mapped_column(default=None)

    __mapper_args__ = {"version_id_col": version}


class NrmDecisionLetter(IdMixin, Base):
    """The decision letter of an RG or CG decision: a checked PDF, stored in the database, never served inline."""

    __tablename__ = "nrm_decision_letters"
    __table_args__ = (UniqueConstraint("case_id", "stage"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    stage: Mapped[str] = mapped_column(String(30))  # reasonable_grounds / conclusive_grounds
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
