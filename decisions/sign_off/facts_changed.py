"""A signed decision rested on the case's facts as they were when it was signed: when any has changed since, the
decision shows "Facts changed since this decision" with the differences, and the chair can amend it (a new
version, decisions/sign_off/services.start_amendment). Convene's own choice: every fact counts, since the
decision records the child's circumstances as the meeting knew them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from conference.cases.facts import FactDifference, differences_since, find_fact_changes
from conference.cases.models import Case
from conference.convening.models import Conference
from conference.extensions import db
from decisions.models import DecisionRecord, DecisionVersion, RecordStatus


@dataclass(frozen=True)
class ChangedDecision:
    conference: Conference
    record: DecisionRecord
    differences: list[FactDifference]

    @property
    def amendment_reason(self) -> str:
        labels = ", ".join(d.spec.label.lower() for d in self.differences)
        return f"Facts changed since this decision: {labels}"


def find_changed_decisions(case: Case) -> list[ChangedDecision]:
    """The case's signed decisions whose facts changed after they were signed, with the differences."""
    history = find_fact_changes(case.id)
    if not history:
        return []
    signed_at = (
        select(DecisionVersion.record_id, func.max(DecisionVersion.signed_at).label("signed_at"))
        .group_by(DecisionVersion.record_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Conference, DecisionRecord, signed_at.c.signed_at)
        .join(DecisionRecord, DecisionRecord.conference_id == Conference.id)
        .join(signed_at, signed_at.c.record_id == DecisionRecord.id)
        .where(DecisionRecord.case_id == case.id, DecisionRecord.status == RecordStatus.SIGNED)
        .order_by(Conference.created_at)
    ).all()
    found = []
    for conference, record, at in rows:
        differences = differences_since(case, history, at)
        if differences:
            found.append(ChangedDecision(conference, record, differences))
    return found


def find_changed_decision(record_id: uuid.UUID, case: Case) -> ChangedDecision | None:
    return next((d for d in find_changed_decisions(case) if d.record.id == record_id), None)
