"""The Northbridge demo area: fictional agencies, about 40 people with working patterns and busy diaries
for the next three weeks (dated from today), demo cases at different stages, and a demo account per role.

Every name here is invented. Loading twice changes nothing that is already there, except that the diaries
are dated again from today.

Why this module is long: most of it is data, the fictional Northbridge directory (every agency, about 40 people
with their working patterns, the demo accounts and cases) written out so it can be read and changed in one
place; the loader itself is about 250 lines. Other topics add their demo data in their own modules
(``conference/demo_<topic>.py``), called from one line here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from conference import demo_duty, demo_history, demo_partners, demo_referrals, demo_safety
from conference.audit import record_event
from conference.auth import mfa
from conference.auth.models import Role, User
from conference.auth.passwords import hash_password
from conference.cases.demo_facts import load_fact_demo
from conference.cases.models import Case, CaseAgency, CaseEvent, CaseReferenceCounter, Gender, MissingRisk
from conference.db import utcnow
from conference.directory.models import Agency, AvailabilitySource, LocalAuthority, Person
from conference.extensions import db
from rules.clock import LONDON
from rules.vocabulary import AgencyKind, Nation

DEMO_PASSWORD = "kettle-harbour-lantern-77"
# Fixed authenticator keys for the demo accounts only, so a person trying the demo can add them to an app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

FULL_TIME = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
EARLY = {d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
PART_TIME_MTW = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed")}
PART_TIME_MORNINGS = {d: [["08:30", "13:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
SPLIT_WEDNESDAY = {**FULL_TIME, "wed": [["09:00", "12:00"], ["13:00", "17:30"]]}
NO_FRIDAYS = {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu")}
THURSDAY_FRIDAY = {d: [["09:00", "17:00"]] for d in ("thu", "fri")}


@dataclass(frozen=True)
class DemoPerson:
    name: str
    job_title: str
    email: str
    tags: tuple[str, ...]
    hours: dict[str, list[list[str]]]
    on_call: bool = False
    source: AvailabilitySource = AvailabilitySource.ICS_UPLOAD
    also_serves: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoAgency:
    name: str
    kind: AgencyKind
    email: str
    people: tuple[DemoPerson, ...]


P = DemoPerson
AGENCIES: tuple[DemoAgency, ...] = (
    DemoAgency(
        "Northbridge Children's Services",
        AgencyKind.CHILDREN_SOCIAL_CARE,
        "mash@northbridge.example",
        (
            P(
                "Casey Quill",
                "Strategy meeting coordinator",
                "casey.quill@northbridge.example",
                ("coordinator",),
                EARLY,
            ),
            P(
                "Morgan Larkspur",
                "Team manager, child protection",
                "morgan.larkspur@northbridge.example",
                ("team_manager", "may_chair"),
                FULL_TIME,
            ),
            P(
                "Jordan Fennimore",
                "Team manager, exploitation team",
                "jordan.fennimore@northbridge.example",
                ("team_manager", "may_chair"),
                NO_FRIDAYS,
            ),
            P(
                "Riley Brightwater",
                "Senior social worker",
                "riley.brightwater@northbridge.example",
                ("social_worker",),
                FULL_TIME,
            ),
            P(
                "Sam Thistlewood",
                "Social worker",
                "sam.thistlewood@northbridge.example",
                ("social_worker",),
                PART_TIME_MTW,
            ),
            P(
                "Avery Marchbank",
                "Emergency duty team social worker",
                "avery.marchbank@northbridge.example",
                ("social_worker", "emergency_duty"),
                {},
                True,
            ),
            P(
                "Quinn Hollowell",
                "Head of safeguarding",
                "quinn.hollowell@northbridge.example",
                ("service_manager", "may_chair"),
                FULL_TIME,
            ),
            P(
                "Harper Oakridge",
                "Independent reviewing officer",
                "harper.oakridge@northbridge.example",
                ("reviewing_officer", "may_chair"),
                SPLIT_WEDNESDAY,
            ),
            P(
                "Parker Moorcroft",
                "Social worker, newly qualified",
                "parker.moorcroft@northbridge.example",
                ("social_worker",),
                FULL_TIME,
                source=AvailabilitySource.CALDAV,
            ),
        ),
    ),
    DemoAgency(
        "Northbridge Constabulary",
        AgencyKind.POLICE,
        "public-protection@northbridge-police.example",
        (
            P(
                "Detective Sergeant Rowan Ashdown",
                "Modern slavery and trafficking lead",
                "rowan.ashdown@northbridge-police.example",
                ("police_trafficking_lead",),
                FULL_TIME,
            ),
            P(
                "Detective Constable Ellis Kestrel",
                "Child abuse investigation",
                "ellis.kestrel@northbridge-police.example",
                ("police_child_protection",),
                EARLY,
            ),
            P(
                "Inspector Blake Stormont",
                "Duty inspector (on call)",
                "blake.stormont@northbridge-police.example",
                ("police_duty_officer",),
                {},
                True,
            ),
            P(
                "Detective Constable Tali Wrenfield",
                "Exploitation team",
                "tali.wrenfield@northbridge-police.example",
                ("police_child_protection",),
                PART_TIME_MORNINGS,
            ),
            P(
                "Sergeant Noor Pemberly",
                "Missing persons coordinator",
                "noor.pemberly@northbridge-police.example",
                ("police_missing_persons",),
                FULL_TIME,
            ),
            P(
                "Detective Constable Sol Brackenbury",
                "Child abuse investigation (part time)",
                "sol.brackenbury@northbridge-police.example",
                ("police_child_protection",),
                THURSDAY_FRIDAY,
            ),
        ),
    ),
    DemoAgency(
        "Northbridge Health Partnership",
        AgencyKind.HEALTH,
        "safeguarding@northbridge-health.example",
        (
            P(
                "Dr Indigo Farrowdale",
                "Named doctor for safeguarding",
                "indigo.farrowdale@northbridge-health.example",
                ("named_doctor",),
                NO_FRIDAYS,
            ),
            P(
                "Kit Merriweather",
                "Designated nurse for safeguarding",
                "kit.merriweather@northbridge-health.example",
                ("designated_nurse",),
                FULL_TIME,
            ),
            P(
                "Sasha Greenholt",
                "Named nurse, emergency department",
                "sasha.greenholt@northbridge-health.example",
                ("named_nurse",),
                EARLY,
            ),
            P(
                "Dr Arden Pike",
                "Community paediatrician",
                "arden.pike@northbridge-health.example",
                ("paediatrician",),
                PART_TIME_MTW,
            ),
            P(
                "Lou Castlemere",
                "School nurse",
                "lou.castlemere@northbridge-health.example",
                ("school_nurse",),
                PART_TIME_MORNINGS,
                source=AvailabilitySource.NONE,
            ),
            P(
                "Dr Wren Halloway",
                "Named GP for safeguarding",
                "wren.halloway@northbridge-health.example",
                ("named_gp",),
                THURSDAY_FRIDAY,
            ),
        ),
    ),
    DemoAgency(
        "Home Office Safeguarding, Northern Region",
        AgencyKind.HOME_OFFICE,
        "safeguarding-north@homeoffice.example",
        (
            P(
                "Devon Saltmarsh",
                "Regional safeguarding lead",
                "devon.saltmarsh@homeoffice.example",
                ("home_office_safeguarding_lead",),
                FULL_TIME,
                also_serves=("EM", "SV"),
            ),
            P(
                "Officer Reese Calder",
                "Border Force safeguarding officer",
                "reese.calder@homeoffice.example",
                ("border_force",),
                EARLY,
            ),
            P(
                "Frankie Dunmore",
                "Immigration enforcement, children's champion",
                "frankie.dunmore@homeoffice.example",
                ("immigration",),
                NO_FRIDAYS,
            ),
        ),
    ),
    DemoAgency(
        "Northbridge Guardian Service",
        AgencyKind.GUARDIAN_SERVICE,
        "guardians@ictg-north.example",
        (
            P(
                "Robin Featherstone",
                "Independent Child Trafficking Guardian",
                "robin.featherstone@ictg-north.example",
                ("ictg",),
                FULL_TIME,
            ),
            P(
                "Emery Holloway",
                "Regional practice coordinator",
                "emery.holloway@ictg-north.example",
                ("ictg", "ictg_rpc"),
                PART_TIME_MTW,
            ),
            P(
                "Jules Amberley",
                "Independent Child Trafficking Guardian",
                "jules.amberley@ictg-north.example",
                ("ictg",),
                SPLIT_WEDNESDAY,
            ),
        ),
    ),
    DemoAgency(
        "Northbridge Virtual School",
        AgencyKind.EDUCATION,
        "virtual.school@northbridge.example",
        (
            P(
                "Marlow Penhallow",
                "Headteacher, virtual school",
                "marlow.penhallow@northbridge.example",
                ("education_lead",),
                FULL_TIME,
            ),
            P(
                "Sky Tillingham",
                "Designated safeguarding lead, Northbridge Academy",
                "sky.tillingham@northbridge.example",
                ("dsl",),
                EARLY,
                source=AvailabilitySource.NONE,
            ),
            P(
                "Rory Quillfeather",
                "Education welfare officer",
                "rory.quillfeather@northbridge.example",
                ("education_welfare",),
                PART_TIME_MTW,
            ),
        ),
    ),
    DemoAgency(
        "Harbour Lights Refuge",
        AgencyKind.VOLUNTARY_SECTOR,
        "referrals@harbourlights.example",
        (
            P(
                "Ash Rosewarne",
                "Children's support worker",
                "ash.rosewarne@harbourlights.example",
                ("support_worker",),
                PART_TIME_MTW,
            ),
            P(
                "Remy Caddington",
                "Service manager",
                "remy.caddington@harbourlights.example",
                ("service_manager",),
                FULL_TIME,
            ),
        ),
    ),
    DemoAgency(
        "Single Competent Authority (demo)",
        AgencyKind.SINGLE_COMPETENT_AUTHORITY,
        "sca-demo@homeoffice.example",
        (
            P(
                "Charlie Whitlock",
                "Competent authority decision maker",
                "charlie.whitlock@homeoffice.example",
                ("sca",),
                FULL_TIME,
            ),
            P(
                "Jamie Orchardson",
                "Competent authority senior caseworker",
                "jamie.orchardson@homeoffice.example",
                ("sca",),
                NO_FRIDAYS,
            ),
        ),
    ),
    DemoAgency(
        "Northbridge Language Services",
        AgencyKind.INTERPRETING,
        "bookings@nb-language.example",
        (
            P(
                "Mira Solberg",
                "Interpreter (Vietnamese)",
                "mira.solberg@nb-language.example",
                ("interpreter", "vi"),
                FULL_TIME,
            ),
            P(
                "Tomasz Wielgo",
                "Interpreter (Albanian)",
                "tomasz.wielgo@nb-language.example",
                ("interpreter", "sq"),
                PART_TIME_MORNINGS,
            ),
            P(
                "Amani Okonjo",
                "Interpreter (Tigrinya)",
                "amani.okonjo@nb-language.example",
                ("interpreter", "ti"),
                SPLIT_WEDNESDAY,
            ),
        ),
    ),
    DemoAgency(
        "Northbridge Youth Legal Centre",
        AgencyKind.LEGAL,
        "advice@nb-youthlegal.example",
        (
            P(
                "Lee Brambleton",
                "Solicitor, children's immigration",
                "lee.brambleton@nb-youthlegal.example",
                ("solicitor",),
                NO_FRIDAYS,
            ),
            P(
                "Dana Fairbourne",
                "Paralegal",
                "dana.fairbourne@nb-youthlegal.example",
                ("paralegal",),
                FULL_TIME,
                source=AvailabilitySource.NONE,
            ),
        ),
    ),
)

NEIGHBOUR_AGENCY = DemoAgency(
    "Eastmere Children's Services",
    AgencyKind.CHILDREN_SOCIAL_CARE,
    "mash@eastmere.example",
    (
        P(
            "Bailey Cromwellton",
            "Strategy meeting coordinator",
            "bailey.cromwellton@eastmere.example",
            ("coordinator",),
            FULL_TIME,
        ),
    ),
)

DEMO_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (
    ("casey.quill@northbridge.example", Role.COORDINATOR, "Northbridge Children's Services"),
    ("morgan.larkspur@northbridge.example", Role.CHAIR, "Northbridge Children's Services"),
    ("rowan.ashdown@northbridge-police.example", Role.AGENCY_MEMBER, "Northbridge Constabulary"),
    ("quinn.hollowell@northbridge.example", Role.MANAGER, "Northbridge Children's Services"),
    ("admin@northbridge.example", Role.ADMINISTRATOR, "Northbridge Children's Services"),
    ("bailey.cromwellton@eastmere.example", Role.COORDINATOR, "Eastmere Children's Services"),
)


@dataclass(frozen=True)
class DemoCase:
    number: int
    first_name: str
    last_name: str
    age: int
    gender: Gender
    nationality: str
    languages: str
    interpreter: bool
    hours_ago: int
    risk: MissingRisk
    stage: str


DEMO_CASES = (
    DemoCase(
        1,
        "Minh",
        "Demo-Tran",
        15,
        Gender.MALE,
        "Vietnamese",
        "Vietnamese",
        True,
        3,
        MissingRisk.HIGH,
        "Found at a cannabis farm raid early this morning; strategy discussion needed now.",
    ),
    DemoCase(
        2,
        "Elira",
        "Demo-Hoxha",
        16,
        Gender.FEMALE,
        "Albanian",
        "Albanian, some English",
        True,
        30,
        MissingRisk.HIGH,
        "Arrived at a port with an unrelated adult; placed in emergency foster care.",
    ),
    DemoCase(
        3,
        "Kaleb",
        "Demo-Tesfaye",
        14,
        Gender.MALE,
        "Eritrean",
        "Tigrinya",
        True,
        24 * 6,
        MissingRisk.MEDIUM,
        "Strategy discussion held; NRM referral made; awaiting the reasonable grounds decision.",
    ),
    DemoCase(
        4,
        "Jade",
        "Demo-Whitmore",
        15,
        Gender.FEMALE,
        "British",
        "English",
        False,
        24 * 20,
        MissingRisk.LOW,
        "County lines concern from another area; review meeting due.",
    ),
)


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def bump(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    def describe(self) -> str:
        made = ", ".join(f"{n} {k if n != 1 else k.removesuffix('s')}" for k, n in sorted(self.created.items()))
        made = made or "nothing new"
        lines = [
            f"Northbridge demo area loaded ({made}; diaries dated from today).",
            f"Sign in at {_link('/login')}",
            "",
            f"Demo accounts (password for each: {DEMO_PASSWORD}):",
        ]
        for email, role, _agency in DEMO_ACCOUNTS:
            lines.append(f"  {role.label:<14} {email}")
        lines += [
            "",
            f"Each asks for a security code: add the key {DEMO_TOTP_SECRET} to an authenticator app,",
            "or print the current code with: make code EMAIL=casey.quill@northbridge.example",
        ]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)


def _diary(person: DemoPerson, seed: int, today: date) -> str:
    """Busy time for the next three weeks as an iCalendar file: meetings, visits, a weekly team meeting."""
    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Convene//Demo diary//EN"]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    day_keys = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for offset in range(21):
        day = today + timedelta(days=offset)
        windows = person.hours.get(day_keys[day.weekday()], [])
        for start_text, end_text in windows:
            start_minutes = int(start_text[:2]) * 60 + int(start_text[3:])
            end_minutes = int(end_text[:2]) * 60 + int(end_text[3:])
            for _ in range(rng.randint(1, 3)):
                length = rng.choice((30, 60, 60, 90, 120))
                latest = end_minutes - length
                if latest <= start_minutes:
                    continue
                begin = start_minutes + 15 * rng.randint(0, (latest - start_minutes) // 15)
                start_at = datetime.combine(day, time(begin // 60, begin % 60), LONDON).astimezone(UTC)
                end_at = start_at + timedelta(minutes=length)
                uid = f"demo-{seed}-{offset}-{begin}@convene.example"
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:{uid}",
                    f"DTSTAMP:{stamp}",
                    f"DTSTART:{start_at:%Y%m%dT%H%M%SZ}",
                    f"DTEND:{end_at:%Y%m%dT%H%M%SZ}",
                    f"SUMMARY:{rng.choice(('Meeting', 'Home visit', 'Court', 'Training', 'Supervision'))}",
                    "END:VEVENT",
                ]
    if person.hours:
        first_day = today + timedelta(days=(0 - today.weekday()) % 7 + 1)  # next Tuesday
        start_at = datetime.combine(first_day, time(10, 0), LONDON)
        lines += [
            "BEGIN:VEVENT",
            f"UID:demo-team-{seed}@convene.example",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID=Europe/London:{start_at:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/London:{(start_at + timedelta(hours=1)):%Y%m%dT%H%M%S}",
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "SUMMARY:Team meeting",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _upsert_area(code: str, name: str, summary: DemoSummary) -> LocalAuthority:
    area = db.session.scalars(select(LocalAuthority).where(LocalAuthority.code == code)).first()
    if area is None:
        area = LocalAuthority(
            code=code,
            name=name,
            nation=Nation.ENGLAND,
            contact_phone="01632 960000",
            contact_email=f"mash@{name.lower()}.example",
        )
        db.session.add(area)
        db.session.flush()
        summary.bump("areas")
    return area


def _upsert_agency(spec: DemoAgency, area: LocalAuthority, today: date, summary: DemoSummary) -> Agency:
    agency = db.session.scalars(
        select(Agency).where(Agency.name == spec.name, Agency.local_authority_id == area.id)
    ).first()
    if agency is None:
        agency = Agency(name=spec.name, kind=spec.kind, local_authority_id=area.id, secure_email=spec.email)
        db.session.add(agency)
        db.session.flush()
        summary.bump("agencies")
    for person_spec in spec.people:
        person = db.session.scalars(select(Person).where(Person.email == person_spec.email)).first()
        if person is None:
            person = Person(
                agency_id=agency.id, name=person_spec.name, job_title=person_spec.job_title, email=person_spec.email
            )
            db.session.add(person)
            summary.bump("people")
        person.role_tags = list(person_spec.tags)
        person.working_hours = person_spec.hours
        person.on_call = person_spec.on_call
        person.availability_source = person_spec.source
        person.also_serves = list(person_spec.also_serves)
        seed = sum(map(ord, person_spec.email))
        person.availability_ics = _diary(person_spec, seed, today) if person_spec.source != "none" else ""
    return agency


def _upsert_accounts(secret_key: str, summary: DemoSummary) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for email, role, agency_name in DEMO_ACCOUNTS:
        if db.session.scalars(select(User).where(User.email == email)).first() is not None:
            continue
        agency = db.session.scalars(select(Agency).where(Agency.name == agency_name)).one()
        person = db.session.scalars(select(Person).where(Person.email == email)).first()
        display = person.name if person else "Alex Adminton"
        db.session.add(
            User(
                email=email,
                display_name=display,
                password_hash=password_hash,
                role=role,
                agency_id=agency.id,
                person_id=person.id if person else None,
                totp_secret_encrypted=mfa.encrypt_secret(DEMO_TOTP_SECRET, secret_key),
                mfa_enrolled_at=utcnow(),
            )
        )
        summary.bump("accounts")


def _upsert_cases(area: LocalAuthority, agencies: list[Agency], summary: DemoSummary) -> None:
    year = utcnow().year
    now = utcnow()
    coordinator = db.session.scalars(select(User).where(User.email == DEMO_ACCOUNTS[0][0])).first()
    for spec in DEMO_CASES:
        reference = f"{area.code}-{year}-{spec.number:04d}"
        if db.session.scalars(select(Case).where(Case.reference == reference)).first() is not None:
            continue
        identified_at = (now - timedelta(hours=spec.hours_ago)).replace(second=0, microsecond=0)
        case = Case(
            reference=reference,
            local_authority_id=area.id,
            nation=area.nation,
            child_first_name=spec.first_name,
            child_last_name=spec.last_name,
            child_estimated_age=spec.age,
            age_disputed=spec.number == 2,
            gender=spec.gender,
            nationality=spec.nationality,
            languages=spec.languages,
            interpreter_needed=spec.interpreter,
            identified_at=identified_at,
            missing_risk=spec.risk,
            created_by_id=coordinator.id if coordinator else None,
        )
        db.session.add(case)
        db.session.flush()
        for agency in agencies:
            if agency.kind in (AgencyKind.CHILDREN_SOCIAL_CARE, AgencyKind.POLICE):
                db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id))
        db.session.add(
            CaseEvent(
                case_id=case.id,
                occurred_at=identified_at,
                kind="identified",
                summary="Child identified as possibly trafficked",
            )
        )
        db.session.add(
            CaseEvent(
                case_id=case.id, occurred_at=identified_at + timedelta(minutes=40), kind="note", summary=spec.stage
            )
        )
        record_event(db.session, "case.create", object_type="case", object_id=case.id, detail={"demo": True})
        summary.bump("cases")
    counter = db.session.scalars(
        select(CaseReferenceCounter).where(
            CaseReferenceCounter.local_authority_id == area.id, CaseReferenceCounter.year == year
        )
    ).first()
    if counter is None:
        db.session.add(CaseReferenceCounter(local_authority_id=area.id, year=year, last_number=len(DEMO_CASES)))
    else:
        counter.last_number = max(counter.last_number, len(DEMO_CASES))


# --- convening: one strategy discussion already invited -------------------------------------------------


def _link(path: str) -> str:
    """A link for the demo's printed notes, on the configured external base URL (``CONVENE_EXTERNAL_URL``)."""
    from flask import current_app

    return f"{current_app.config['SETTINGS'].external_url}{path}"


def _upsert_demo_conference(area: LocalAuthority, summary: DemoSummary) -> None:
    """A strategy discussion on case 0001, invitations queued, so the board and link replies can be tried at once.

    Idempotent: a case that already has a meeting is left alone. The invitations wait in the outbox until
    ``make worker`` delivers them to the local mail catcher (read them at /dev/mail).
    """
    from conference.convening import invitations as convening_invitations
    from conference.convening import options as convening_options
    from conference.convening import request as convening_request
    from conference.convening.models import Conference
    from rules.vocabulary import MeetingType

    reference = f"{area.code}-{utcnow().year}-0001"
    case = db.session.scalars(select(Case).where(Case.reference == reference)).first()
    coordinator = db.session.scalars(select(User).where(User.email == DEMO_ACCOUNTS[0][0])).first()
    if case is None or coordinator is None:
        return
    meeting = db.session.scalars(select(Conference).where(Conference.case_id == case.id)).first()
    if meeting is None:
        meeting = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
        now = utcnow()
        convening_request.set_window(coordinator, meeting, now, now + timedelta(days=3), 60)
        if not convening_options.find_options(meeting).proposals:
            summary.notes.append(f"Demo meeting {meeting.reference} needs a time: no time worked in the demo diaries.")
            return
        convening_options.choose_option(meeting, 0)
        convening_invitations.set_place(meeting, "Room 4, Northbridge Civic Centre", "")
        convening_invitations.send_invitations(coordinator, meeting)
        summary.bump("meetings")
    summary.notes += [
        f"Demo meeting {meeting.reference} (strategy discussion on case {reference}) has invitations out:",
        "  sign in as casey.quill@northbridge.example, open the case, then the meeting under Meetings (the board).",
        "  Run `make worker` to deliver the invitations to the local mail catcher; an administrator",
        f"  (admin@northbridge.example) reads them at {_link('/dev/mail')}; each has a personal reply",
        "  link (accept, decline or send a deputy).",
        f"  The board: {_link(f'/conferences/{meeting.id}')}",
    ]
    from conference.convening.demo_submissions import add_demo_submission

    summary.notes += [note for note in [add_demo_submission(meeting)] if note]


def _add_waiting_meetings(area: LocalAuthority, today: date, summary: DemoSummary) -> None:
    """About 12 meetings waiting to be arranged in the coming week, for "Plan the week". Idempotent."""
    from conference import demo_planning
    from conference.planning.demo import add_waiting_meetings

    coordinator = db.session.scalars(select(User).where(User.email == DEMO_ACCOUNTS[0][0])).first()
    if coordinator is None:
        return
    added = add_waiting_meetings(area, coordinator, today)
    added += demo_planning.add_siblings_meetings(area, coordinator, today)
    if added:
        summary.created["meetings waiting to be arranged"] = added
        summary.notes.append(
            f"{added} meetings wait to be arranged next week: sign in as quinn.hollowell@northbridge.example "
            f"(manager) and open Plan the week ({_link('/planning')}); run `flask --app wsgi planning work` to "
            "solve the plan."
        )


def load_demo(today: date | None = None) -> DemoSummary:
    from flask import current_app

    if not current_app.config["SETTINGS"].is_development:
        raise RuntimeError("the demo area (published password, fixed authenticator key) loads only in development")
    today = today or datetime.now(LONDON).date()
    summary = DemoSummary()
    with db.unit_of_work():
        area = _upsert_area("NB", "Northbridge", summary)
        neighbour = _upsert_area("EM", "Eastmere", summary)
        _upsert_area("SV", "Southvale", summary)
        agencies = [_upsert_agency(spec, area, today, summary) for spec in AGENCIES]
        _upsert_agency(NEIGHBOUR_AGENCY, neighbour, today, summary)
        db.session.flush()
        _upsert_accounts(current_app.config["SETTINGS"].secret_key, summary)
        db.session.flush()
        _upsert_cases(area, agencies, summary)
        demo_partners.load_partners(area, today, summary)
        db.session.flush()
        _upsert_demo_conference(area, summary)
        demo_history.load_history(area, today, summary)
        _add_waiting_meetings(area, today, summary)
        demo_safety.load_safety(area, DEMO_ACCOUNTS[0][0], summary)
        load_fact_demo(area, today, DEMO_ACCOUNTS[0][0], summary.bump)
        demo_duty.load_duty_teams(area, today, summary)
        demo_referrals.agree_referrals(area, summary)
        record_event(db.session, "demo.load", detail={k: v for k, v in summary.created.items()})
    return summary
