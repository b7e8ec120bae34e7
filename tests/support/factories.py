"""Test data, from one builder: areas, agencies, people, users, cases, a convening area, held, answered and invited
meetings, plus a full sign-in (password and TOTP). Every test suite's data goes through ``Factories``."""

from __future__ import annotations

import itertools
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from conference.auth import mfa
from conference.auth.models import Role, User
from conference.auth.passwords import hash_password
from conference.cases import services as case_services
from conference.cases.models import Case, CaseAgency, Gender, MissingRisk
from conference.convening.models import (
    Attendee,
    Conference,
    ConferenceRole,
    ConferenceStatus,
    ResponseStatus,
)
from conference.directory.models import Agency, AvailabilitySource, LocalAuthority, Person
from conference.extensions import db
from rules.vocabulary import AgencyKind, MeetingType, Nation, Seat

PASSWORD = "tidal-orchard-copper-19"
TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
_counter = itertools.count(1)
ALL_WEEK = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
EMPTY_ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


@dataclass
class Area:
    """A convening area (``Factories.convening_area``): its coordinator, a case, and six people by key."""

    coordinator: Any
    case: Any
    people: dict[str, Any]


@dataclass
class World:
    """A held meeting on a case (``Factories.held_meeting``), ready for its decision record."""

    area: LocalAuthority
    social_care: Agency
    chair: User
    member: User
    case: Case
    conference: Conference
    people: dict[Seat, Any]
    sca: Agency
    guardian: Agency


_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


class Factories:
    """The one builder of test data (factory_boy is not installed: a small builder of our own is the chosen way).

    With ``committed=False`` (the default test mode, inside a rolled-back outer transaction) objects are flushed;
    with ``committed=True`` (``@pytest.mark.committed`` tests, where other processes read the data) they are
    committed.
    """

    def __init__(self, app: Flask, *, committed: bool = True) -> None:
        self.app = app
        self.committed = committed

    def save(self) -> None:
        """Make what was added visible: commit in committed mode, flush in savepoint mode."""
        if self.committed:
            db.session.commit()
        else:
            db.session.flush()

    def area(self, code: str = "NB", name: str | None = None, nation: Nation = Nation.ENGLAND) -> LocalAuthority:
        area = LocalAuthority(
            code=code,
            name=name or f"Area {code}",
            nation=nation,
            contact_phone="01632 960000",
            contact_email=f"mash@{code.lower()}.example",
        )
        db.session.add(area)
        self.save()
        return area

    def agency(
        self, area: LocalAuthority, kind: AgencyKind = AgencyKind.CHILDREN_SOCIAL_CARE, name: str | None = None
    ) -> Agency:
        n = next(_counter)
        kind = AgencyKind(kind)
        agency = Agency(
            name=name or f"{kind.label} {n}",
            kind=kind,
            local_authority_id=area.id,
            secure_email=f"agency{n}@example.test",
        )
        db.session.add(agency)
        self.save()
        return agency

    def person(self, agency: Agency, **fields: Any) -> Person:
        n = next(_counter)
        weekdays = ("mon", "tue", "wed", "thu", "fri")
        values: dict[str, Any] = {
            "name": f"Person {n}",
            "job_title": "Officer",
            "email": f"person{n}@example.test",
            "working_hours": {d: [["09:00", "17:00"]] for d in weekdays},
        }
        values.update(fields)
        person = Person(agency_id=agency.id, **values)
        db.session.add(person)
        self.save()
        return person

    def user(
        self,
        agency: Agency,
        role: Role = Role.COORDINATOR,
        *,
        email: str | None = None,
        enrolled: bool = True,
        person: Person | None = None,
    ) -> User:
        n = next(_counter)
        user = User(
            email=email or f"user{n}@example.test",
            display_name=f"User {n}",
            password_hash=_password_hash(),
            role=role,
            agency_id=agency.id,
            person_id=person.id if person else None,
        )
        if enrolled:
            user.totp_secret_encrypted = mfa.encrypt_secret(TOTP_SECRET, self.app.config["SECRET_KEY"])
            user.mfa_enrolled_at = datetime.now(UTC)
        db.session.add(user)
        self.save()
        return user

    def case(self, user: User, **fields: Any) -> Case:
        details = case_services.NewCase(
            child_first_name=fields.get("child_first_name", "Testchild"),
            child_last_name=fields.get("child_last_name", "Example"),
            child_born_on=fields.get("child_born_on"),
            child_estimated_age=fields.get("child_estimated_age", 15),
            age_disputed=False,
            gender=Gender.NOT_KNOWN,
            nationality=fields.get("nationality", ""),
            languages="",
            interpreter_needed=False,
            identified_at=fields.get("identified_at", datetime.now(UTC) - timedelta(hours=2)),
            missing_risk=fields.get("missing_risk", MissingRisk.HIGH),
        )
        from flask import g

        g.user = user
        case = case_services.open_case(user, details)
        self.save()
        g.user = None
        return case

    def involve(self, case: Case, agency: Agency) -> None:
        db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id))
        self.save()

    def known_person(
        self, agency: Agency, name: str, tag: str, hours: dict[str, Any] | None = None, **fields: Any
    ) -> Person:
        """A person whose (empty) calendar file was uploaded, so their availability is known."""
        values: dict[str, Any] = {"availability_source": AvailabilitySource.ICS_UPLOAD, "availability_ics": EMPTY_ICS}
        values.update(fields)
        return self.person(
            agency, name=name, role_tags=[tag], working_hours=ALL_WEEK if hours is None else hours, **values
        )

    def convening_area(
        self,
        *,
        case_fields: dict[str, Any] | None = None,
        hours: dict[str, Any] | None = None,
        emails: dict[str, str] | None = None,
        names: dict[str, str] | None = None,
    ) -> Area:
        """An English area with social care, police and health, each with a primary and a deputy, and a chair."""
        area = self.area("NB", "Northbridge")
        hours = ALL_WEEK if hours is None else hours
        csc = self.agency(area, AgencyKind.CHILDREN_SOCIAL_CARE)
        police = self.agency(area, AgencyKind.POLICE)
        health = self.agency(area, AgencyKind.HEALTH)
        people = {
            "social": self.known_person(csc, "Riley Social", "social_worker", hours),
            "social2": self.known_person(csc, "Sam Deputy", "social_worker", hours),
            "police": self.known_person(police, "Rowan Police", "police_trafficking_lead", hours),
            "police2": self.known_person(police, "Ellis Deputy", "police_child_protection", hours),
            "health": self.known_person(health, "Kit Health", "designated_nurse", hours),
            "health2": self.person(health, name="Lou Unknown", role_tags=["school_nurse"], working_hours=hours),
            # Every meeting is chaired: the chair is a required seat (issue 9).
            "chair": self.known_person(csc, "Morgan Chair", "may_chair", hours),
        }
        for key, email in (emails or {}).items():
            people[key].email = email
        for key, name in (names or {}).items():
            people[key].name = name
        self.save()
        coordinator = self.user(csc, Role.COORDINATOR)
        fields = {"child_first_name": "Zephyrine", "child_last_name": "Quillfeather", **(case_fields or {})}
        case = self.case(coordinator, **fields)
        return Area(coordinator, case, people)

    def partners(self, area: LocalAuthority) -> dict[str, Any]:
        """Partner agencies for ``area`` (issue 9): a Home Office team and the Single Competent Authority based in a
        neighbouring area but shared with this one, an ICTG service, education, and interpreters with languages."""
        neighbour = self.area("EB", "East Bramley")
        home_office = self.agency(neighbour, AgencyKind.HOME_OFFICE, "Home Office Safeguarding Team North")
        sca = self.agency(neighbour, AgencyKind.SINGLE_COMPETENT_AUTHORITY, "Single Competent Authority")
        ictg = self.agency(area, AgencyKind.GUARDIAN_SERVICE, "ICTG Service")
        education = self.agency(area, AgencyKind.EDUCATION, "Northbridge Academy")
        interpreting = self.agency(area, AgencyKind.INTERPRETING, "Language Line Northbridge")
        shared = [area.code, neighbour.code]
        people = {
            "home_office": self.known_person(
                home_office, "Hollis Home Office", "home_office_safeguarding_lead", also_serves=shared
            ),
            "sca": self.known_person(sca, "Sasha Competent", "sca", also_serves=shared),
            "ictg": self.known_person(ictg, "Indra Guardian", "ictg"),
            "education": self.known_person(education, "Eden School", "dsl"),
            "vietnamese": self.known_person(
                interpreting, "Vu Interpreter", "interpreter", languages=["Vietnamese", "English"]
            ),
            "arabic": self.known_person(interpreting, "Amal Interpreter", "interpreter", languages=["Arabic"]),
        }
        return {
            "neighbour": neighbour,
            "home_office": home_office,
            "sca": sca,
            "ictg": ictg,
            "education": education,
            "interpreting": interpreting,
            "people": people,
        }

    def held_meeting(
        self,
        *,
        meeting_type: MeetingType = MeetingType.STRATEGY_DISCUSSION,
        roles: tuple[Seat, ...] = (Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH),
        code: str = "NB",
    ) -> World:
        """An area, its agencies, a chair and an agency member, a case, and a meeting held an hour ago whose
        seats are each filled by one person who accepted."""
        area = self.area(code, f"Area {code}")
        social_care = self.agency(area)
        kinds = {
            Seat.SOCIAL_CARE: AgencyKind.CHILDREN_SOCIAL_CARE,
            Seat.POLICE: AgencyKind.POLICE,
            Seat.HEALTH: AgencyKind.HEALTH,
            Seat.GUARDIAN: AgencyKind.GUARDIAN_SERVICE,
            Seat.CHAIR: AgencyKind.CHILDREN_SOCIAL_CARE,
        }
        agencies = {
            role: social_care if kinds[role] == AgencyKind.CHILDREN_SOCIAL_CARE else self.agency(area, kinds[role])
            for role in roles
        }
        sca = self.agency(area, AgencyKind.SINGLE_COMPETENT_AUTHORITY)
        guardian = agencies.get(Seat.GUARDIAN) or self.agency(area, AgencyKind.GUARDIAN_SERVICE)
        chair = self.user(social_care, Role.CHAIR)
        member = self.user(agencies.get(Seat.POLICE, social_care), Role.AGENCY_MEMBER)
        case = self.case(chair)
        if Seat.POLICE in agencies:
            self.involve(case, agencies[Seat.POLICE])
        conference = Conference(
            case_id=case.id,
            reference=f"MTG-{secrets.token_hex(2).upper()}",
            meeting_type=meeting_type,
            nation=Nation.ENGLAND,
            status=ConferenceStatus.HELD,
            start_at=datetime.now(UTC) - timedelta(hours=1),
            ical_uid=secrets.token_hex(12),
        )
        db.session.add(conference)
        db.session.flush()
        people = {}
        for position, role in enumerate(roles):
            seat = ConferenceRole(conference_id=conference.id, role=role, position=position)
            db.session.add(seat)
            db.session.flush()
            person = self.person(agencies[role], name=f"{role.label} Person")
            people[role] = person
            db.session.add(
                Attendee(
                    conference_id=conference.id,
                    conference_role_id=seat.id,
                    person_id=person.id,
                    response=ResponseStatus.ACCEPTED,
                )
            )
        self.save()
        return World(area, social_care, chair, member, case, conference, people, sca, guardian)

    def answered_meeting(self, case: Case, agency_of: Any, days_ago: int = 3) -> Conference:
        """A held meeting whose invitations were answered (police accepted, social care sent a written
        submission). ``agency_of(kind)`` gives the agency for a kind."""
        start_at = datetime.now(UTC) - timedelta(days=days_ago)
        meeting = Conference(
            case_id=case.id,
            reference=f"MTG-S{days_ago:03d}",
            nation=Nation.ENGLAND,
            meeting_type=MeetingType.STRATEGY_DISCUSSION,
            status=ConferenceStatus.HELD,
            start_at=start_at,
            ical_uid=f"{uuid.uuid4()}@convene.test",
        )
        db.session.add(meeting)
        db.session.flush()
        answers = [
            (Seat.POLICE, AgencyKind.POLICE, ResponseStatus.ACCEPTED),
            (Seat.SOCIAL_CARE, AgencyKind.CHILDREN_SOCIAL_CARE, ResponseStatus.WRITTEN_SUBMISSION),
        ]
        for position, (seat, kind, response) in enumerate(answers):
            role = ConferenceRole(conference_id=meeting.id, role=seat, position=position)
            db.session.add(role)
            db.session.flush()
            person = self.person(agency_of(kind))
            db.session.add(
                Attendee(
                    conference_id=meeting.id,
                    conference_role_id=role.id,
                    person_id=person.id,
                    response=response,
                    responded_at=start_at - timedelta(hours=20),
                )
            )
        self.save()
        return meeting

    def invited_meeting(self, coordinator: User, case: Case) -> Conference:
        """A strategy discussion whose invitations are queued (the soonest option, Room 4), as the journey
        leaves it."""
        from flask import g

        from conference.convening import invitations as convening_invitations
        from conference.convening import options as convening_options
        from conference.convening import request as convening_request

        g.user = coordinator
        conference = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
        now = datetime.now(UTC)
        convening_request.set_window(coordinator, conference, now, now + timedelta(days=2), 60)
        convening_options.find_options(conference)
        convening_options.choose_option(conference, 0)
        convening_invitations.set_place(conference, "Room 4, Civic Centre", "")
        convening_invitations.send_invitations(coordinator, conference)
        self.save()
        return conference

    def sign_in(self, client: FlaskClient, user: User) -> None:
        """Password, then a fresh TOTP code. Resets the replay guard so a test may sign in several times."""
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        code = pyotp.TOTP(TOTP_SECRET).now()
        response = client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def csrf_token(client: FlaskClient, path: str) -> str:
    from bs4 import BeautifulSoup

    page = client.get(path)
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    field = soup.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no CSRF token on {path} ({page.status_code})"
    return str(field["value"])
