"""Who is told about a decision: outcome notices to the agencies (disclosures, with their lawful basis) and the
update to the Single Competent Authority when a signed decision is amended after the referral."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.services import add_case_event
from conference.convening.models import Conference
from conference.directory.models import Agency
from conference.extensions import db
from decisions.common import Change, DecisionError, compare_snapshots, version_snapshot
from decisions.models import (
    DecisionRecord,
    DecisionVersion,
    Disclosure,
    NrmReferral,
)
from decisions.nrm import queries as nrm_queries
from rules.outcomes import NRM_REFERRAL_OUTCOMES
from rules.vocabulary import AgencyKind, MeetingType, Seat

LAWFUL_BASIS = (
    "UK GDPR Article 6(1)(e) (public task) and Data Protection Act 2018 Schedule 1 paragraph 18 "
    "(safeguarding of children); Children Act 1989 and Modern Slavery Act 2015"
)


_NOTICE_PURPOSE = {
    AgencyKind.SINGLE_COMPETENT_AUTHORITY: "So that the Single Competent Authority knows an NRM outcome is ready",
    AgencyKind.GUARDIAN_SERVICE: "So that the guardian service can support the child",
    AgencyKind.HOME_OFFICE: "So that the regional Home Office safeguarding lead knows of the outcome",
}


def _relevant_kinds(conference: Conference, snapshot_outcome: Mapping[str, Any]) -> list[AgencyKind]:
    trafficking = (
        snapshot_outcome.get("outcome") in NRM_REFERRAL_OUTCOMES
        or conference.meeting_type == MeetingType.DEVOLVED_NRM_DECISION_PANEL
    )
    seats = {r.role for r in conference.roles}
    kinds: list[AgencyKind] = []
    if trafficking:
        kinds.append(AgencyKind.SINGLE_COMPETENT_AUTHORITY)
    if trafficking or Seat.GUARDIAN in seats:
        kinds.append(AgencyKind.GUARDIAN_SERVICE)
    if trafficking or Seat.HOME_OFFICE in seats:
        kinds.append(AgencyKind.HOME_OFFICE)
    return kinds


def send_outcome_notices(
    conference: Conference, case: Case, record: DecisionRecord, version: DecisionVersion, user: User
) -> list[Disclosure]:
    """A notice with a link behind sign-in and no personal data, through the outbox, recorded as a disclosure."""
    outcome = (record.sections or {}).get("outcome", {})
    kinds = _relevant_kinds(conference, outcome)
    if not kinds:
        return []
    agencies = sca_recipients(case, kinds)
    settings = current_app.config["SETTINGS"]
    link = f"{settings.external_url}/conferences/{conference.id}/record/versions/{version.number}"
    disclosures: list[Disclosure] = []
    for agency in agencies:
        give_case_access(case, agency, user)
        subject = f"New outcome recorded: meeting {conference.reference}"
        body = (
            f"A new outcome (version {version.number}) has been recorded for meeting {conference.reference}.\n\n"
            f"Sign in to Convene to read it:\n{link}\n\n"
            "This email contains no personal information. Do not reply to it."
        )
        enqueue_email(conference, agency.secure_email, subject, body)
        disclosure = Disclosure(
            case_id=case.id,
            record_id=record.id,
            version_number=version.number,
            recipient_agency_id=agency.id,
            recipient=f"{agency.name} ({agency.kind.label})",
            what_shared=f"Notice that version {version.number} of the outcome of meeting {conference.reference} "
            "was signed off, with a link that needs sign-in. No personal data.",
            purpose=_NOTICE_PURPOSE[agency.kind],
            lawful_basis=LAWFUL_BASIS,
            disclosed_by_id=user.id,
        )
        db.session.add(disclosure)
        disclosures.append(disclosure)
    db.session.flush()
    for disclosure in disclosures:
        record_event(
            db.session,
            "disclosure.create",
            object_type="disclosure",
            object_id=disclosure.id,
            detail={"case_id": str(case.id), "agency_id": str(disclosure.recipient_agency_id)},
            actor=user,
        )
    return disclosures


def enqueue_email(conference: Conference | None, to_email: str, subject: str, body: str) -> None:
    """Queue a plain email in the outbox (delivered by ``flask --app wsgi outbox work``)."""
    from conference.outbox.mail import enqueue_email as enqueue

    enqueue(to_email, subject, body, conference_id=conference.id if conference else None)


@dataclass(frozen=True)
class ScaUpdate:
    """An update for the Single Competent Authority: what changed since the version it knows of."""

    conference: Conference
    record: DecisionRecord
    from_number: int
    to_number: int
    changes: list[Change]


def pending_sca_update(case: Case, referral: NrmReferral | None) -> ScaUpdate | None:
    """After a referral, a signed amendment the SCA has not been told about, with what changed."""
    if referral is None or referral.referred_on is None:
        return None
    latest = nrm_queries.find_latest_signed_version(case.id)
    known = referral.reported_version or referral.referred_version or 0
    if latest is None or latest.kind != "amendment" or latest.number <= known:
        return None
    record = db.session.get(DecisionRecord, latest.record_id)
    assert record is not None
    base_number = known if known and known < latest.number else latest.number - 1
    base = db.session.scalars(
        select(DecisionVersion).where(DecisionVersion.record_id == record.id, DecisionVersion.number == base_number)
    ).first()
    if base is None:
        return None
    changes = compare_snapshots(version_snapshot(base), version_snapshot(latest))
    conference = db.session.get(Conference, record.conference_id)
    assert conference is not None
    return ScaUpdate(conference, record, base_number, latest.number, changes)


def sca_recipients(case: Case, kinds: Sequence[AgencyKind]) -> list[Agency]:
    """The agencies of these kinds that serve the case's area: those in the area, and those whose people the
    directory says also serve it (a Single Competent Authority, an ICTG service or a Home Office lead often sit
    outside the local authority area)."""
    area_code = case.local_authority.code
    in_area = select(Agency.id).where(Agency.local_authority_id == case.local_authority_id)
    rows = db.session.scalars(select(Agency).where(Agency.kind.in_(kinds)).order_by(Agency.name)).unique().all()
    local = set(db.session.scalars(in_area))
    found: list[Agency] = []
    for agency in rows:
        if agency.id in local or any(area_code in (p.also_serves or []) for p in agency.people):
            found.append(agency)
    return found


def give_case_access(case: Case, agency: Agency, user: User) -> None:
    """Let the members of a recipient agency open the link they were sent (and nothing about other cases): agency
    members see the cases their agency is involved in, wherever the agency sits."""
    from conference.cases.models import CaseAgency

    exists = (
        db.session.scalars(
            select(CaseAgency.id).where(CaseAgency.case_id == case.id, CaseAgency.agency_id == agency.id)
        ).first()
        is not None
    )
    if not exists:
        db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id))
        db.session.flush()
        record_event(
            db.session,
            "case.agency_added",
            object_type="case",
            object_id=case.id,
            detail={"agency_id": str(agency.id), "why": "recipient of an NRM notice"},
            actor=user,
        )


def send_sca_update(case: Case, referral: NrmReferral, update: ScaUpdate, user: User) -> list[Disclosure]:
    """Tell the Single Competent Authority that the record behind the referral changed: a link and a reference
    only, through the outbox, recorded as a disclosure."""
    agencies = sca_recipients(case, [AgencyKind.SINGLE_COMPETENT_AUTHORITY])
    if not agencies:
        raise DecisionError(
            "There is no Single Competent Authority in the directory for this area. Ask an administrator to add it"
        )
    settings = current_app.config["SETTINGS"]
    link = f"{settings.external_url}/conferences/{update.conference.id}/record/versions/{update.to_number}"
    subject = f"Amended record: meeting {update.conference.reference}"
    body = (
        f"The record of meeting {update.conference.reference}, on which referral {referral.reference} was made, "
        f"was amended after the referral (version {update.to_number}, {len(update.changes)} "
        + ("change" if len(update.changes) == 1 else "changes")
        + f" since version {update.from_number}).\n\n"
        f"Sign in to Convene to read the amended record:\n{link}\n\n"
        "This email contains no personal information. Do not reply to it."
    )
    disclosures = []
    for agency in agencies:
        give_case_access(case, agency, user)
        enqueue_email(update.conference, agency.secure_email, subject, body)
        disclosure = Disclosure(
            case_id=case.id,
            record_id=update.record.id,
            version_number=update.to_number,
            recipient_agency_id=agency.id,
            recipient=f"{agency.name} ({agency.kind.label})",
            what_shared=f"Notice that the record behind NRM referral {referral.reference} was amended "
            f"(version {update.to_number}), with a link that needs sign-in. No personal data.",
            purpose="So that the Single Competent Authority decides on the amended record",
            lawful_basis=LAWFUL_BASIS,
            disclosed_by_id=user.id,
        )
        db.session.add(disclosure)
        disclosures.append(disclosure)
    referral.reported_version = update.to_number
    db.session.flush()
    for disclosure in disclosures:
        record_event(
            db.session,
            "disclosure.create",
            object_type="disclosure",
            object_id=disclosure.id,
            detail={"case_id": str(case.id), "agency_id": str(disclosure.recipient_agency_id), "kind": "sca_update"},
            actor=user,
        )
    add_case_event(case, "nrm", f"Update sent to the Single Competent Authority (version {update.to_number})", user)
    return disclosures
