"""Test data: areas, agencies, people, users and cases, plus a full sign-in (password and TOTP)."""

from __future__ import annotations

import itertools
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
from conference.directory.models import Agency, LocalAuthority, Person
from conference.extensions import db
from rules.vocabulary import AgencyKind, Nation

PASSWORD = "tidal-orchard-copper-19"
TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
_counter = itertools.count(1)
_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


class Factories:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def area(self, code: str = "NB", name: str | None = None, nation: Nation = Nation.ENGLAND) -> LocalAuthority:
        area = LocalAuthority(code=code, name=name or f"Area {code}", nation=nation, contact_phone="01632 960000",
                              contact_email=f"mash@{code.lower()}.example")
        db.session.add(area)
        db.session.commit()
        return area

    def agency(self, area: LocalAuthority, kind: AgencyKind = AgencyKind.CHILDREN_SOCIAL_CARE,
               name: str | None = None) -> Agency:
        n = next(_counter)
        kind = AgencyKind(kind)
        agency = Agency(name=name or f"{kind.label} {n}", kind=kind, local_authority_id=area.id,
                        secure_email=f"agency{n}@example.test")
        db.session.add(agency)
        db.session.commit()
        return agency

    def person(self, agency: Agency, **fields: Any) -> Person:
        n = next(_counter)
        weekdays = ("mon", "tue", "wed", "thu", "fri")
        values: dict[str, Any] = {"name": f"Person {n}", "job_title": "Officer", "email": f"person{n}@example.test",
                                  "working_hours": {d: [["09:00", "17:00"]] for d in weekdays}}
        values.update(fields)
        person = Person(agency_id=agency.id, **values)
        db.session.add(person)
        db.session.commit()
        return person

    def user(self, agency: Agency, role: Role = Role.COORDINATOR, *, email: str | None = None,
             enrolled: bool = True, person: Person | None = None) -> User:
        n = next(_counter)
        user = User(email=email or f"user{n}@example.test", display_name=f"User {n}", password_hash=_password_hash(),
                    role=role, agency_id=agency.id, person_id=person.id if person else None)
        if enrolled:
            user.totp_secret_encrypted = mfa.encrypt_secret(TOTP_SECRET, self.app.config["SECRET_KEY"])
            user.mfa_enrolled_at = datetime.now(UTC)
        db.session.add(user)
        db.session.commit()
        return user

    def case(self, user: User, **fields: Any) -> Case:
        details = case_services.NewCase(
            child_first_name=fields.get("child_first_name", "Testchild"),
            child_last_name=fields.get("child_last_name", "Example"),
            child_born_on=fields.get("child_born_on"), child_estimated_age=fields.get("child_estimated_age", 15),
            age_disputed=False, gender=Gender.NOT_KNOWN, nationality=fields.get("nationality", ""),
            languages="", interpreter_needed=False,
            identified_at=fields.get("identified_at", datetime.now(UTC) - timedelta(hours=2)),
            missing_risk=fields.get("missing_risk", MissingRisk.HIGH),
        )
        from flask import g

        g.user = user
        case = case_services.open_case(user, details)
        db.session.commit()
        g.user = None
        return case

    def involve(self, case: Case, agency: Agency) -> None:
        db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id))
        db.session.commit()

    def sign_in(self, client: FlaskClient, user: User) -> None:
        """Password, then a fresh TOTP code. Resets the replay guard so a test may sign in several times."""
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf_token(client, "/login")})
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
