"""Cases: one child each, under a pseudonymous reference that never derives from the child's details."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.db import Base, IdMixin, TimestampMixin, enum_type, utcnow
from conference.directory.models import Agency, LocalAuthority
from rules.vocabulary import Nation


class MissingRisk(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return {"high": "High", "medium": "Medium", "low": "Low"}[self.value]

    @property
    def rank(self) -> int:
        return {"high": 0, "medium": 1, "low": 2}[self.value]


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return {"female": "Female", "male": "Male", "other": "Other", "not_known": "Not known"}[self.value]


class Case(IdMixin, TimestampMixin, Base):
    __tablename__ = "cases"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    local_authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    nation: Mapped[Nation] = mapped_column(enum_type(Nation))
    # Identity fields: restricted, shown only where a user's role allows (see conference.auth.policy).
    child_first_name: Mapped[str] = mapped_column(String(120))
    child_last_name: Mapped[str] = mapped_column(String(120), default="")
    child_born_on: Mapped[date | None] = mapped_column(default=None)
    child_estimated_age: Mapped[int | None] = mapped_column(default=None)
    age_disputed: Mapped[bool] = mapped_column(default=False)
    gender: Mapped[Gender] = mapped_column(enum_type(Gender), default=Gender.NOT_KNOWN)
    nationality: Mapped[str] = mapped_column(String(80), default="")
    languages: Mapped[str] = mapped_column(String(200), default="")
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    # The clock that all urgency runs from.
    identified_at: Mapped[datetime]
    missing_risk: Mapped[MissingRisk] = mapped_column(enum_type(MissingRisk), default=MissingRisk.MEDIUM)
    # Facts added with their history (conference.cases.facts): the current values; the history is CaseFactChange.
    legal_status: Mapped[str] = mapped_column(String(200), default="")
    age_assessment_requested_on: Mapped[date | None] = mapped_column(default=None)
    age_assessment_carried_out_on: Mapped[date | None] = mapped_column(default=None)
    age_assessment_outcome: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[CaseStatus] = mapped_column(enum_type(CaseStatus), default=CaseStatus.OPEN, index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    local_authority: Mapped[LocalAuthority] = relationship(lazy="joined")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.occurred_at.desc()")
    agencies: Mapped[list[CaseAgency]] = relationship(back_populates="case")

    __mapper_args__ = {"version_id_col": version}

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()


class CaseEvent(IdMixin, Base):
    """The case timeline: what has happened, in words without personal data."""

    __tablename__ = "case_events"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    case: Mapped[Case] = relationship(back_populates="events")


class CaseAgency(IdMixin, Base):
    """An agency involved in a case. Its members can see the case (without restricted fields)."""

    __tablename__ = "case_agencies"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who involved the agency (None: before issue 9, or by the system).
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    case: Mapped[Case] = relationship(back_populates="agencies")
    agency: Mapped[Agency] = relationship(lazy="joined")


class CaseReferenceCounter(Base):
    """The next number for each area and year. Numbers are sequential, never derived from the child."""

    __tablename__ = "case_reference_counters"
    __table_args__ = (UniqueConstraint("local_authority_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    local_authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_authorities.id"))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)
