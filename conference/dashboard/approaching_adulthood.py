"""The dashboard's "Approaching 18" panel: open cases whose child turns 18 within 100 days (rules/age.py).

One statement, whatever the number of cases: SQL narrows to the cases that could qualify (a date of birth in the
window, give or take leap days, or an estimated age of 15 or more with no date of birth), with the date each
estimate was given as a correlated subquery; rules/age.py then decides exactly, as the case page does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from conference.auth.models import User
from conference.cases.fact_models import CaseFactChange
from conference.cases.models import Case, CaseStatus
from conference.cases.scope import case_scope
from conference.dashboard.panel import PANEL_LIMIT, Panel
from conference.extensions import db
from rules.age import ADULT_AGE, ADULTHOOD_ALERT_DAYS, adulthood_alert, birthday_in
from rules.timescales import london_date

#: Estimates below this cannot reach 18 within 100 days unless given years ago; Convene's own narrowing, wide on
#: purpose (an estimate of 15 given three years ago qualifies), the exact rule being rules/age.py.
LOWEST_ESTIMATE = 15


@dataclass(frozen=True)
class ApproachingAdult:
    case_id: uuid.UUID
    reference: str
    turns_18_on: date
    days_left: int
    estimated: bool


def find_children_approaching_18(user: User, today: date, limit: int = PANEL_LIMIT) -> Panel[ApproachingAdult]:
    """Open cases in the user's scope whose child turns 18 within ``ADULTHOOD_ALERT_DAYS`` days, soonest first."""
    earliest_born = birthday_in(today, today.year - ADULT_AGE) - timedelta(days=2)
    last_on = today + timedelta(days=ADULTHOOD_ALERT_DAYS)
    latest_born = birthday_in(last_on, last_on.year - ADULT_AGE) + timedelta(days=2)
    estimate_given_at = (
        select(func.max(CaseFactChange.changed_at))
        .where(CaseFactChange.case_id == Case.id, CaseFactChange.fact == "child_estimated_age")
        .correlate(Case)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Case.id,
            Case.reference,
            Case.child_born_on,
            Case.child_estimated_age,
            Case.identified_at,
            estimate_given_at,
        ).where(
            case_scope(user),
            Case.status == CaseStatus.OPEN,
            or_(
                Case.child_born_on.between(earliest_born, latest_born),
                and_(Case.child_born_on.is_(None), Case.child_estimated_age >= LOWEST_ESTIMATE),
            ),
        )
    ).all()
    found: list[ApproachingAdult] = []
    for case_id, reference, born_on, estimated_age, identified_at, given_at in rows:
        estimated_on = london_date(given_at or identified_at)
        alert = adulthood_alert(today, born_on=born_on, estimated_age=estimated_age, estimated_on=estimated_on)
        if alert is not None:
            found.append(ApproachingAdult(case_id, reference, alert.turns_18_on, alert.days_left, alert.estimated))
    found.sort(key=lambda a: (a.days_left, a.reference))
    return Panel(found[:limit], len(found))
