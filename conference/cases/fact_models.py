"""The history of a case's facts (each change a new row, nothing overwritten) and the links between cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, IdMixin, enum_type, utcnow


class CaseFactChange(IdMixin, Base):
    """One change of one fact: the old and new value (as stored text, see conference.cases.facts), why, who, when.

    The case's columns keep the current value; this table is the history beside them. Rows are only ever added.
    """

    __tablename__ = "case_fact_changes"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    fact: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CaseFactConflict(IdMixin, Base):
    """A save of facts refused because someone else changed the same facts first: what the person typed (every
    field and the reason) is kept here, even though the refused request rolls back (nothing is lost)."""

    __tablename__ = "case_fact_conflicts"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    attempted: Mapped[dict[str, Any]] = mapped_column(JSON)
    conflicting: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkKind(StrEnum):
    SIBLINGS = "siblings"
    CO_VICTIMS = "co_victims"
    SAME_OPERATION = "same_operation"

    @property
    def label(self) -> str:
        return {
            "siblings": "Siblings",
            "co_victims": "Exploited together (co-victims)",
            "same_operation": "The same police operation",
        }[self.value]


class CaseLink(IdMixin, Base):
    """Two cases of children exploited together. Stored once per pair, the smaller id first."""

    __tablename__ = "case_links"
    __table_args__ = (
        UniqueConstraint("first_case_id", "second_case_id"),
        CheckConstraint("first_case_id < second_case_id", name="ordered_pair"),
    )

    first_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    second_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_type(LinkKind))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
