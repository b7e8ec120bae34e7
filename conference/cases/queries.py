"""Case queries. Every one applies the user's scope in SQL (ACC-2): out-of-scope ids are simply not found."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import case as sql_case
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.cases.models import Case, CaseStatus
from conference.cases.scope import case_scope
from conference.extensions import db


class CaseSort(StrEnum):
    URGENCY = "urgency"
    NEWEST = "newest"
    REFERENCE = "reference"

    @property
    def label(self) -> str:
        return {"urgency": "Most urgent first", "newest": "Most recently identified first", "reference": "Reference"}[
            self.value
        ]


def get_case(user: User, case_id: uuid.UUID) -> Case:
    found = db.session.scalars(select(Case).where(Case.id == case_id, case_scope(user))).first()
    if found is None:
        raise NotFound("case not found or not in your scope")
    return found


def find_cases(
    user: User, *, sort: CaseSort = CaseSort.URGENCY, include_closed: bool = False, limit: int = 500
) -> list[Case]:
    query = select(Case).where(case_scope(user))
    if not include_closed:
        query = query.where(Case.status == CaseStatus.OPEN)
    if sort == CaseSort.URGENCY:
        risk_rank = sql_case({"high": 0, "medium": 1, "low": 2}, value=Case.missing_risk, else_=3)
        open_first = sql_case({"open": 0}, value=Case.status, else_=1)
        query = query.order_by(open_first, risk_rank, Case.identified_at.desc())
    elif sort == CaseSort.NEWEST:
        query = query.order_by(Case.identified_at.desc())
    else:
        query = query.order_by(Case.reference)
    return list(db.session.scalars(query.limit(limit)))
