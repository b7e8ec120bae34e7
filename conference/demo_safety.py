"""Demo safety data: every demo case gets its immediate safety checklist (as opening a case does); case 0001's is in
progress inside the golden hour, and case 0002 has a missing episode, found this morning, with its return-home
interview due. Fictional, dated from now. Idempotent: a case that already has a checklist is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.models import Case
from conference.db import utcnow
from conference.directory.models import LocalAuthority
from conference.extensions import db
from conference.safety.models import MissingEpisode, SafetyCheck
from conference.safety.services import start_safety_checklist
from rules.safety import PoliceRisk, SafetyItem, SafetyStatus

PROGRESS = {
    1: {
        SafetyItem.SAFE_PLACEMENT: (SafetyStatus.DONE, "Emergency foster placement out of area; address not shared."),
        SafetyItem.PHOTO_AND_DESCRIPTION: (SafetyStatus.DONE, "Photograph and description with the police."),
        SafetyItem.PHONE_AND_SOCIAL_MEDIA: (SafetyStatus.IN_PROGRESS, "Phone handed to police; checking contacts."),
        SafetyItem.INTERPRETER: (SafetyStatus.IN_PROGRESS, "Vietnamese interpreter booked for this afternoon."),
    },
    2: {
        SafetyItem.SAFE_PLACEMENT: (SafetyStatus.DONE, "Emergency foster care; the adult at the port not approved."),
        SafetyItem.PHOTO_AND_DESCRIPTION: (SafetyStatus.DONE, ""),
        SafetyItem.MISSING_PROTOCOL: (SafetyStatus.DONE, "Protocol given to the foster carers."),
        SafetyItem.PHONE_AND_SOCIAL_MEDIA: (SafetyStatus.DONE, "No phone found."),
        SafetyItem.INTERPRETER: (SafetyStatus.DONE, "Albanian interpreter by phone."),
        SafetyItem.APPROPRIATE_ADULT: (SafetyStatus.IN_PROGRESS, "Referred to the ICTG service."),
    },
}


def load_safety(area: LocalAuthority, coordinator_email: str, summary: Any) -> None:
    """Add the demo checklists and episode, counted in the demo summary (``conference.demo.DemoSummary``)."""
    coordinator = db.session.scalars(select(User).where(User.email == coordinator_email)).first()
    if coordinator is None:
        return
    year = utcnow().year
    for number in (1, 2, 3, 4):
        case = db.session.scalars(select(Case).where(Case.reference == f"{area.code}-{year}-{number:04d}")).first()
        if case is None:
            continue
        if db.session.scalars(select(SafetyCheck.id).where(SafetyCheck.case_id == case.id)).first() is not None:
            continue
        checks = start_safety_checklist(coordinator, case)
        for check in checks:
            if number in (3, 4):
                check.status = SafetyStatus.DONE
            elif check.item in PROGRESS.get(number, {}):
                check.status, check.note = PROGRESS[number][check.item]
        if number == 2:
            _add_episode(case)
            summary.bump("missing episodes")
        summary.bump("safety checklists")


def _add_episode(case: Case) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    episode = MissingEpisode(
        case_id=case.id,
        last_seen_at=now - timedelta(hours=20),
        reported_at=now - timedelta(hours=19, minutes=30),
        police_reference="MP/DEMO/0002",
        risk=PoliceRisk.HIGH,
    )
    episode.record_return(now - timedelta(hours=6), "Found by police at a bus station; back with the carers", "")
    episode.return_interview_by = "Return interview service (Northbridge)"
    db.session.add(episode)
