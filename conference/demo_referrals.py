"""The demo's case timelines agree with their NRM sections.

A demo case whose timeline says an NRM referral was made gets the referral in its NRM section (made the working
day after the child was identified, the reasonable grounds decision still awaited), with the timeline entry the
history's referrals have ("NRM referral submitted"); and a case with a referral always has that entry. Idempotent.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select

from conference.cases.models import Case, CaseEvent
from conference.directory.models import LocalAuthority
from conference.extensions import db
from rules.clock import LONDON, add_working_days

#: Words in a demo case's timeline that say a referral was made.
SAYS_REFERRED = ("nrm referral made", "nrm referral submitted", "referred to the nrm")
SUBMITTED = "NRM referral submitted"


def says_referred(summary: str) -> bool:
    return any(words in summary.lower() for words in SAYS_REFERRED)


def agree_referrals(area: LocalAuthority, summary: object) -> None:
    """Give each case of ``area`` whose timeline says "NRM referral made" its referral, and each referral its
    timeline entry."""
    from decisions.models import NrmReferral

    cases = db.session.scalars(select(Case).where(Case.local_authority_id == area.id)).all()
    referrals = {r.case_id: r for r in db.session.scalars(select(NrmReferral))}
    added = 0
    for case in cases:
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        referral = referrals.get(case.id)
        if referral is None and any(says_referred(e.summary) for e in events):
            identified_on = case.identified_at.astimezone(LONDON).date()
            referred_on = min(add_working_days(identified_on, 1, case.nation), datetime.now(LONDON).date())
            referral = NrmReferral(
                case_id=case.id, answers={}, referred_on=referred_on, reference=f"NRM-DEMO-{case.reference[-4:]}"
            )
            db.session.add(referral)
            added += 1
        if referral is not None and referral.referred_on and not any(e.summary == SUBMITTED for e in events):
            db.session.add(
                CaseEvent(
                    case_id=case.id,
                    occurred_at=datetime.combine(referral.referred_on, time(15), LONDON),
                    kind="nrm",
                    summary=SUBMITTED,
                )
            )
    if added:
        created = getattr(summary, "created", None)
        if isinstance(created, dict):
            created["NRM referrals"] = created.get("NRM referrals", 0) + added
