"""Demo partners for issue 9 (fictional): a Home Office safeguarding team and a Single Competent Authority contact
based in Eastmere and shared with Northbridge, a youth justice service and a children's advocacy service in
Northbridge, the languages of the demo interpreters, and the agencies involved in the demo's foreign national
cases. Called once from ``conference.demo.load_demo``; idempotent.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.models import Case, CaseAgency
from conference.db import utcnow
from conference.directory.models import Agency, LocalAuthority, Person
from conference.extensions import db
from rules.vocabulary import AgencyKind

#: Interpreter languages by demo email (the directory's ``languages``), matched against the child's.
INTERPRETER_LANGUAGES = {
    "mira.solberg@nb-language.example": ["Vietnamese"],
    "tomasz.wielgo@nb-language.example": ["Albanian", "Polish"],
    "amani.okonjo@nb-language.example": ["Tigrinya", "Amharic", "Arabic"],
}

#: The kinds of agency involved in each demo case (by case number), beyond social care and police.
CASE_AGENCIES: dict[int, tuple[str, ...]] = {
    1: ("Home Office Safeguarding Hub, Eastmere", "Northbridge Guardian Service", "health"),
    2: ("Home Office Safeguarding Hub, Eastmere", "Northbridge Guardian Service", "health", "education"),
    3: (
        "Home Office Safeguarding Hub, Eastmere",
        "Northbridge Guardian Service",
        "Single Competent Authority, Eastmere contact",
        "health",
    ),
}


def _shared_agencies(today: date, summary: object) -> None:
    from conference.demo import EARLY, FULL_TIME, NO_FRIDAYS, DemoAgency, DemoPerson, _upsert_agency

    eastmere = db.session.scalars(select(LocalAuthority).where(LocalAuthority.code == "EM")).one()
    shared = ("NB", "SV")
    for spec in (
        DemoAgency(
            "Home Office Safeguarding Hub, Eastmere",
            AgencyKind.HOME_OFFICE,
            "safeguarding-hub@homeoffice.example",
            (
                DemoPerson(
                    "Parisa Hollingworth",
                    "Safeguarding hub lead (children)",
                    "parisa.hollingworth@homeoffice.example",
                    ("home_office_safeguarding_lead",),
                    FULL_TIME,
                    also_serves=shared,
                ),
                DemoPerson(
                    "Marcus Eldridge",
                    "Border Force safeguarding and modern slavery officer",
                    "marcus.eldridge@homeoffice.example",
                    ("border_force",),
                    EARLY,
                    also_serves=shared,
                ),
            ),
        ),
        DemoAgency(
            "Single Competent Authority, Eastmere contact",
            AgencyKind.SINGLE_COMPETENT_AUTHORITY,
            "sca-eastmere@homeoffice.example",
            (
                DemoPerson(
                    "Noor Fairweather",
                    "Competent authority liaison",
                    "noor.fairweather@homeoffice.example",
                    ("sca",),
                    NO_FRIDAYS,
                    also_serves=shared,
                ),
            ),
        ),
    ):
        _upsert_agency(spec, eastmere, today, summary)  # type: ignore[arg-type]
    northbridge = db.session.scalars(select(LocalAuthority).where(LocalAuthority.code == "NB")).one()
    for spec in (
        DemoAgency(
            "Northbridge Youth Justice Service",
            AgencyKind.YOUTH_JUSTICE,
            "yjs@northbridge.example",
            (
                DemoPerson(
                    "Tamsin Okafor",
                    "Youth justice case manager",
                    "tamsin.okafor@northbridge.example",
                    ("youth_justice_officer",),
                    FULL_TIME,
                ),
            ),
        ),
        DemoAgency(
            "Northbridge Children's Advocacy",
            AgencyKind.ADVOCACY,
            "advocacy@northbridge.example",
            (
                DemoPerson(
                    "Kofi Brightwater",
                    "Independent children's advocate",
                    "kofi.brightwater@northbridge.example",
                    ("advocate",),
                    NO_FRIDAYS,
                ),
            ),
        ),
    ):
        _upsert_agency(spec, northbridge, today, summary)  # type: ignore[arg-type]


def load_partners(area: LocalAuthority, today: date, summary: object) -> None:
    """Shared partners, interpreter languages, and the involved agencies of the demo's foreign national cases."""
    _shared_agencies(today, summary)
    db.session.flush()
    for email, languages in INTERPRETER_LANGUAGES.items():
        person = db.session.scalars(select(Person).where(Person.email == email)).first()
        if person is not None:
            person.languages = languages
    coordinator = db.session.scalars(select(User).where(User.email == "casey.quill@northbridge.example")).first()
    agencies = db.session.scalars(select(Agency)).all()
    year = utcnow().year
    for number, wanted in CASE_AGENCIES.items():
        case = db.session.scalars(select(Case).where(Case.reference == f"{area.code}-{year}-{number:04d}")).first()
        if case is None:
            continue
        links = db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id))
        involved = {link.agency_id for link in links}
        for name in wanted:
            matches = [
                a
                for a in agencies
                if a.name == name or (a.local_authority_id == area.id and AgencyKind(a.kind).value == name)
            ]
            for agency in matches:
                if agency.id not in involved:
                    db.session.add(
                        CaseAgency(
                            case_id=case.id, agency_id=agency.id, added_by_id=coordinator.id if coordinator else None
                        )
                    )
                    involved.add(agency.id)
        for link in db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id)):
            link.added_by_id = link.added_by_id or (coordinator.id if coordinator else None)
