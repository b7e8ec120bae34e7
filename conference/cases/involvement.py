"""Partner agencies involved in a case (issue 9): proposed from the questions asked when the case is opened,
recorded with the date and who added them, and changed later by a coordinator. Audited.

Members of an involved agency see the case (``conference.cases.scope.case_scope``); the meeting seats for a case
follow its involved agencies (``conference.convening.services.circumstances_for``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import Case, CaseAgency
from conference.cases.services import NewCase, add_case_event, open_case
from conference.directory.models import Agency, LocalAuthority, Person
from conference.extensions import db
from rules.vocabulary import AgencyKind


class InvolvementError(ValueError):
    """A change to a case's agencies that cannot be made, in words for the coordinator."""


@dataclass(frozen=True)
class OpeningAnswers:
    """The questions asked when a case is opened that decide which agencies are involved."""

    foreign_national: bool
    in_education: bool
    guardian_allocated: bool
    nrm_referral_made: bool


#: Always proposed: the statutory partners of a strategy discussion besides children's social care (Working
#: Together to Safeguard Children 2023, chapter 3: local authority children's social care, health and police).
ALWAYS_PROPOSED = (AgencyKind.POLICE, AgencyKind.HEALTH)


def proposed_kinds(answers: OpeningAnswers) -> list[AgencyKind]:
    """The kinds of agency Convene proposes for a case, from the opening answers, in the order shown.

    - Foreign national child: the Home Office (immigration, Border Force). Care of unaccompanied migrant children
      and child victims of modern slavery (DfE statutory guidance, 2017) expects children's services to work with
      the Home Office on the child's immigration status; Convene's own choice to propose it at once.
    - In education: the child's school or college (Working Together 2023: education is a relevant agency).
    - ICTG allocated: the ICTG service (s48 Modern Slavery Act 2015; the guardian takes part in meetings about
      the child).
    - NRM referral made: the Single Competent Authority, which decides the referral (Modern Slavery Act 2015
      statutory guidance). Convene's own choice to invite it once a referral exists.
    """
    kinds = list(ALWAYS_PROPOSED)
    if answers.foreign_national:
        kinds.append(AgencyKind.HOME_OFFICE)
    if answers.in_education:
        kinds.append(AgencyKind.EDUCATION)
    if answers.guardian_allocated:
        kinds.append(AgencyKind.GUARDIAN_SERVICE)
    if answers.nrm_referral_made:
        kinds.append(AgencyKind.SINGLE_COMPETENT_AUTHORITY)
    return kinds


def find_agencies_serving(area: LocalAuthority) -> list[Agency]:
    """Agencies that can be involved in a case of ``area``: the area's own, and agencies elsewhere with someone
    who also serves the area (a shared Home Office team, the Single Competent Authority, a regional ICTG service).
    """
    own = db.session.scalars(select(Agency).where(Agency.local_authority_id == area.id)).all()
    elsewhere = db.session.scalars(
        select(Person).join(Agency, Person.agency_id == Agency.id).where(Agency.local_authority_id != area.id)
    ).all()
    shared = {p.agency.id: p.agency for p in elsewhere if area.code in (p.also_serves or [])}
    return sorted([*own, *shared.values()], key=lambda a: (list(AgencyKind).index(AgencyKind(a.kind)), a.name))


def propose_agencies(area: LocalAuthority, answers: OpeningAnswers) -> tuple[list[Agency], list[AgencyKind]]:
    """The agencies to involve for these answers, and the proposed kinds that no agency serving the area has."""
    available = find_agencies_serving(area)
    found: list[Agency] = []
    missing: list[AgencyKind] = []
    for kind in proposed_kinds(answers):
        matching = [a for a in available if a.kind == kind]
        found.extend(matching)
        if not matching:
            missing.append(kind)
    return found, missing


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    involved: list[Agency]
    missing: list[AgencyKind]


def open_case_with_agencies(user: User, details: NewCase, answers: OpeningAnswers) -> OpenedCase:
    """Open a case and involve the agencies its opening answers call for, in one transaction."""
    case = open_case(user, details)
    involved, missing = propose_agencies(case.local_authority, answers)
    own = {link.agency_id for link in db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id))}
    for agency in involved:
        if agency.id not in own:
            db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id, added_by_id=user.id))
    # The agency that opened the case was added by open_case: record who added it.
    for link in db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id)):
        link.added_by_id = link.added_by_id or user.id
    if involved:
        add_case_event(case, "agencies", "Agencies involved: " + ", ".join(a.name for a in involved), user)
    record_event(
        db.session,
        "case.agencies.propose",
        object_type="case",
        object_id=case.id,
        detail={
            "answers": {
                "foreign_national": answers.foreign_national,
                "in_education": answers.in_education,
                "guardian_allocated": answers.guardian_allocated,
                "nrm_referral_made": answers.nrm_referral_made,
            },
            "agency_ids": [str(a.id) for a in involved],
            "missing_kinds": [k.value for k in missing],
        },
        actor=user,
    )
    return OpenedCase(case, involved, missing)


def find_involved_agencies(case: Case) -> list[CaseAgency]:
    """The case's involved agencies, oldest first."""
    return list(
        db.session.scalars(
            select(CaseAgency).where(CaseAgency.case_id == case.id).order_by(CaseAgency.added_at, CaseAgency.id)
        )
    )


def find_users_by_id(ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def find_agencies_to_add(case: Case) -> list[Agency]:
    """Agencies serving the case's area that are not involved yet."""
    involved = {link.agency_id for link in find_involved_agencies(case)}
    return [a for a in find_agencies_serving(case.local_authority) if a.id not in involved]


def involve_agency(user: User, case: Case, agency_id: uuid.UUID | None) -> Agency:
    """Involve an agency serving the case's area. Raises ``InvolvementError`` for an unknown one or a repeat."""
    serving = {a.id: a for a in find_agencies_serving(case.local_authority)}
    agency = serving.get(agency_id) if agency_id is not None else None
    if agency is None:
        raise InvolvementError("Select an agency from the list")
    if any(link.agency_id == agency.id for link in find_involved_agencies(case)):
        raise InvolvementError(f"{agency.name} is already involved in this case")
    db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id, added_by_id=user.id))
    add_case_event(case, "agencies", f"{agency.name} involved in the case", user)
    record_event(
        db.session,
        "case.agency.add",
        object_type="case",
        object_id=case.id,
        detail={"agency_id": str(agency.id), "kind": AgencyKind(agency.kind).value},
        actor=user,
    )
    return agency


def withdraw_agency(user: User, case: Case, agency_id: uuid.UUID | None) -> Agency:
    """No longer involve an agency. The case's last children's social care agency stays (it holds the case)."""
    links = find_involved_agencies(case)
    link = next((x for x in links if x.agency_id == agency_id), None)
    if link is None:
        raise InvolvementError("That agency is not involved in this case")
    social_care = [x for x in links if x.agency.kind == AgencyKind.CHILDREN_SOCIAL_CARE]
    if link.agency.kind == AgencyKind.CHILDREN_SOCIAL_CARE and len(social_care) == 1:
        raise InvolvementError(f"{link.agency.name} holds the case and cannot be removed")
    agency = link.agency
    db.session.delete(link)
    add_case_event(case, "agencies", f"{agency.name} no longer involved in the case", user)
    record_event(
        db.session,
        "case.agency.remove",
        object_type="case",
        object_id=case.id,
        detail={"agency_id": str(agency.id), "kind": AgencyKind(agency.kind).value},
        actor=user,
    )
    return agency
