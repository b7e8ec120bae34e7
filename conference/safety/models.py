"""The safety checklist of a case and its missing episodes. No child identity is stored here."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.db import Base, IdMixin, TimestampMixin, enum_type
from conference.directory.models import Agency
from rules.safety import CHECKLIST, PoliceRisk, SafetyItem, SafetyStatus, return_interview_due_at


class SafetyCheck(IdMixin, TimestampMixin, Base):
    """One item of a case's immediate safety checklist: owner agency, due time, status and a note."""

    __tablename__ = "safety_checks"
    __table_args__ = (UniqueConstraint("case_id", "item"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    item: Mapped[SafetyItem] = mapped_column(enum_type(SafetyItem))
    position: Mapped[int] = mapped_column(Integer, default=0)
    owner_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"), default=None)
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[SafetyStatus] = mapped_column(enum_type(SafetyStatus), default=SafetyStatus.TO_DO, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    owner_agency: Mapped[Agency | None] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return CHECKLIST[self.item].label


class MissingEpisode(IdMixin, TimestampMixin, Base):
    """A time the child went missing: when last seen, the police report, and the return and its interview."""

    __tablename__ = "missing_episodes"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    reported_at: Mapped[datetime]
    police_reference: Mapped[str] = mapped_column(String(40))
    risk: Mapped[PoliceRisk] = mapped_column(enum_type(PoliceRisk))
    found_at: Mapped[datetime | None] = mapped_column(default=None)
    found_where: Mapped[str] = mapped_column(String(200), default="")
    return_interview_by: Mapped[str] = mapped_column(String(160), default="")
    return_interview_due_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    return_interview_done_at: Mapped[datetime | None] = mapped_column(default=None)
    conference_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conferences.id"), default=None)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)

    @property
    def missing(self) -> bool:
        return self.found_at is None

    def record_return(self, found_at: datetime, found_where: str, interview_by: str) -> None:
        self.found_at = found_at
        self.found_where = found_where
        self.return_interview_by = interview_by
        self.return_interview_due_at = return_interview_due_at(found_at)
