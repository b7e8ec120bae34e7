"""Conferences (meetings about a case), the roles they need, and the people invited to fill them.

The convening feature (invitations, outbox, replies) extends these with its own tables. Decisions
(attendance, the record, sign-off) refer to a conference and its attendees.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.cases.models import Case
from conference.db import Base, IdMixin, TimestampMixin, enum_type
from conference.directory.models import Person
from rules.vocabulary import MeetingType, Nation, Seat


class ConferenceStatus(StrEnum):
    DRAFT = "draft"  # being prepared: window, roles, options
    INVITED = "invited"  # invitations sent
    HELD = "held"  # the meeting has taken place
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"draft": "Being arranged", "invited": "Invitations sent", "held": "Held", "cancelled": "Cancelled"}[
            self.value
        ]


class ResponseStatus(StrEnum):
    NOT_SENT = "not_sent"
    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"
    WRITTEN_SUBMISSION = "written_submission"
    SENDING_DEPUTY = "sending_deputy"
    REPLACED = "replaced"

    @property
    def label(self) -> str:
        return {
            "not_sent": "Not invited yet",
            "needs_action": "Not answered yet",
            "accepted": "Accepted",
            "tentative": "Tentative",
            "declined": "Declined",
            "written_submission": "Sending a written submission",
            "sending_deputy": "Sending a deputy",
            "replaced": "Replaced",
        }[self.value]


class Conference(IdMixin, TimestampMixin, Base):
    __tablename__ = "conferences"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    # A random meeting reference such as MTG-7K3Q: the only identifier that leaves Convene.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    meeting_type: Mapped[MeetingType] = mapped_column(enum_type(MeetingType))
    nation: Mapped[Nation] = mapped_column(enum_type(Nation))
    status: Mapped[ConferenceStatus] = mapped_column(enum_type(ConferenceStatus), default=ConferenceStatus.DRAFT)
    earliest_start_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    start_at: Mapped[datetime | None] = mapped_column(default=None)
    end_at: Mapped[datetime | None] = mapped_column(default=None)
    venue: Mapped[str] = mapped_column(String(300), default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    # The iCalendar UID: random, fixed for the meeting's whole life. SEQUENCE rises on every change.
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    chair_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(lazy="joined")
    chair: Mapped[Person | None] = relationship(lazy="joined")
    roles: Mapped[list[ConferenceRole]] = relationship(
        back_populates="conference", order_by="ConferenceRole.position", cascade="all, delete-orphan"
    )
    attendees: Mapped[list[Attendee]] = relationship(back_populates="conference", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ConferenceRole(IdMixin, Base):
    """A seat the meeting needs (police, health, ...), with ranked candidates from the directory."""

    __tablename__ = "conference_roles"
    __table_args__ = (UniqueConstraint("conference_id", "role"),)

    conference_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conferences.id"), index=True)
    role: Mapped[Seat] = mapped_column(enum_type(Seat))
    required: Mapped[bool] = mapped_column(default=True)
    written_submission_allowed: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # Candidate person ids in order of preference: the first is the primary, later ones deputies.
    candidate_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    conference: Mapped[Conference] = relationship(back_populates="roles")


class Attendee(IdMixin, TimestampMixin, Base):
    """A person invited to fill a role, and where their answer stands."""

    __tablename__ = "attendees"

    conference_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conferences.id"), index=True)
    conference_role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conference_roles.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"), index=True)
    deputy_rank: Mapped[int] = mapped_column(default=0)
    response: Mapped[ResponseStatus] = mapped_column(enum_type(ResponseStatus), default=ResponseStatus.NOT_SENT)
    responded_at: Mapped[datetime | None] = mapped_column(default=None)
    out_of_hours: Mapped[bool] = mapped_column(default=False)
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("attendees.id"), default=None)

    conference: Mapped[Conference] = relationship(back_populates="attendees")
    seat: Mapped[ConferenceRole] = relationship(lazy="joined")
    person: Mapped[Person] = relationship(lazy="joined")
