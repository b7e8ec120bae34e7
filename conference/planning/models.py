"""A plan run: the batch a manager asked to plan, solved by the planning worker, and what came of it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, IdMixin, TimestampMixin, enum_type


class PlanStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Waiting to start", "running": "Planning", "done": "Ready", "failed": "Could not plan"}[
            self.value
        ]


class PlanRun(IdMixin, TimestampMixin, Base):
    """One request to plan a period for an area. ``inputs_key`` identifies the same scope, period and inputs:
    while such a run is queued or running, asking again shows it instead of queueing another."""

    __tablename__ = "plan_runs"

    local_authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    from_on: Mapped[date]
    to_on: Mapped[date]
    move_invited: Mapped[bool] = mapped_column(default=False)
    inputs_key: Mapped[str] = mapped_column(String(64), index=True)
    # The batch as sent to the scheduler (docs/scheduling.md), and what each batch id stands for.
    batch: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    meetings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[PlanStatus] = mapped_column(enum_type(PlanStatus), default=PlanStatus.QUEUED, index=True)
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    greedy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
