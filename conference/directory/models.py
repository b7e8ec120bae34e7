"""The directory: local authority areas, agencies and the people who attend meetings."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.db import Base, IdMixin, TimestampMixin, enum_type
from rules.vocabulary import AgencyKind, Nation

__all__ = ["Agency", "AvailabilitySource", "LocalAuthority", "Person"]


class AvailabilitySource(StrEnum):
    NONE = "none"
    ICS_URL = "ics_url"
    ICS_UPLOAD = "ics_upload"
    CALDAV = "caldav"

    @property
    def label(self) -> str:
        return {
            "none": "Unknown (no calendar)",
            "ics_url": "Calendar feed",
            "ics_upload": "Calendar file uploaded",
            "caldav": "CalDAV",
        }[self.value]


class LocalAuthority(IdMixin, TimestampMixin, Base):
    """A local authority area. Its code prefixes case references, for example NB-2026-0042."""

    __tablename__ = "local_authorities"

    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    nation: Mapped[Nation] = mapped_column(enum_type(Nation))
    # The children's services contact the NRM form asks for ("local-authority-contacted-about-child-*").
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")


class Agency(IdMixin, TimestampMixin, Base):
    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("name", "local_authority_id"),)

    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[AgencyKind] = mapped_column(enum_type(AgencyKind))
    local_authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_authorities.id"))
    secure_email: Mapped[str] = mapped_column(String(254))

    local_authority: Mapped[LocalAuthority] = relationship(lazy="joined")
    people: Mapped[list[Person]] = relationship(back_populates="agency", order_by="Person.name")


class Person(IdMixin, TimestampMixin, Base):
    """Someone who can be invited to a meeting. Not every person has a Convene account."""

    __tablename__ = "people"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    name: Mapped[str] = mapped_column(String(160))
    job_title: Mapped[str] = mapped_column(String(160))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Role tags such as "police_trafficking_lead", "designated_nurse", "ictg", "may_chair".
    role_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Local wall-clock working hours per weekday: {"mon": [["09:00", "17:00"]], ...}. Days missing: not working.
    working_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    on_call: Mapped[bool] = mapped_column(default=False)
    availability_source: Mapped[AvailabilitySource] = mapped_column(
        enum_type(AvailabilitySource), default=AvailabilitySource.NONE
    )
    availability_url: Mapped[str] = mapped_column(String(500), default="")
    availability_ics: Mapped[str] = mapped_column(Text, default="")
    # Other areas this person serves, beyond their agency's own (for example a regional Home Office lead).
    also_serves: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Languages the person speaks or interprets, as words ("Vietnamese", "Tigrinya"); matched against the child's.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)

    agency: Mapped[Agency] = relationship(back_populates="people", lazy="joined")
