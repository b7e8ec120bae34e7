"""Demo data for issue 10 part B (fictional, dated from today): a few fact changes with their reasons, a child
approaching 18 on the demo's third case, and the first two demo cases linked as co-victims. Idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.fact_models import CaseFactChange, CaseLink, LinkKind
from conference.cases.models import Case, MissingRisk
from conference.db import utcnow
from conference.directory.models import LocalAuthority
from conference.extensions import db
from rules.age import birthday_in


def _change(
    case: Case, fact: str, new: object, old: str, new_text: str, reason: str, user: User | None, hours: int
) -> None:
    setattr(case, fact, new)
    db.session.add(
        CaseFactChange(
            case_id=case.id,
            fact=fact,
            old_value=old,
            new_value=new_text,
            reason=reason,
            changed_by_id=user.id if user else None,
            changed_at=utcnow() - timedelta(hours=hours),
        )
    )


def load_fact_demo(area: LocalAuthority, today: date, coordinator_email: str, bump: Callable[[str], None]) -> None:
    """Add the changes and the link once; ``bump`` counts what was made (the demo's summary)."""
    year = utcnow().year
    cases = {
        n: db.session.scalars(select(Case).where(Case.reference == f"{area.code}-{year}-{n:04d}")).first()
        for n in (1, 2, 3)
    }
    first, second, third = cases[1], cases[2], cases[3]
    if first is None or second is None or third is None:
        return
    if db.session.scalars(select(CaseFactChange.id).where(CaseFactChange.case_id == first.id)).first() is not None:
        return
    user = db.session.scalars(select(User).where(User.email == coordinator_email)).first()
    _change(
        first,
        "missing_risk",
        MissingRisk.HIGH,
        "medium",
        "high",
        "Seen being collected by an unknown adult outside the placement",
        user,
        2,
    )
    _change(
        first, "legal_status", "Asylum claim made", "", "Asylum claim made", "Claim lodged by the solicitor", user, 1
    )
    # The third child turns 18 in 60 days: the case page raises the approaching-18 alert.
    turns_18_on = today + timedelta(days=60)
    born_on = birthday_in(turns_18_on, turns_18_on.year - 18)
    old_born = third.child_born_on.isoformat() if third.child_born_on else ""
    _change(third, "child_born_on", born_on, old_born, born_on.isoformat(), "Passport seen by the police", user, 3)
    first_id, second_id = sorted((first.id, second.id))
    db.session.add(
        CaseLink(
            first_case_id=first_id,
            second_case_id=second_id,
            kind=LinkKind.CO_VICTIMS,
            reason="Found at the same address in the same raid",
            created_by_id=user.id if user else None,
        )
    )
    for kind in ("fact changes", "fact changes", "fact changes", "case links"):
        bump(kind)
