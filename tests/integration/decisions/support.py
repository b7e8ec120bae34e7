"""Helpers for the decisions tests: a held conference on a case, and the forms of a complete record."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from bs4 import BeautifulSoup
from sqlalchemy import update

from conference.auth.models import Role, User
from conference.cases.models import Case
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.directory.models import Agency, LocalAuthority
from conference.extensions import db
from rules.vocabulary import AgencyKind, MeetingType, Nation, Seat
from tests.support.factories import PASSWORD, TOTP_SECRET, csrf_token


@dataclass
class World:
    area: LocalAuthority
    social_care: Agency
    chair: User
    member: User
    case: Case
    conference: Conference
    people: dict[Seat, Any]
    sca: Agency
    guardian: Agency


def make_world(
    factories: Any,
    *,
    meeting_type: MeetingType = MeetingType.STRATEGY_DISCUSSION,
    roles: tuple[Seat, ...] = (Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH),
    code: str = "NB",
) -> World:
    area = factories.area(code, f"Area {code}")
    social_care = factories.agency(area)
    kinds = {
        Seat.SOCIAL_CARE: AgencyKind.CHILDREN_SOCIAL_CARE,
        Seat.POLICE: AgencyKind.POLICE,
        Seat.HEALTH: AgencyKind.HEALTH,
        Seat.GUARDIAN: AgencyKind.GUARDIAN_SERVICE,
        Seat.CHAIR: AgencyKind.CHILDREN_SOCIAL_CARE,
    }
    agencies = {
        role: social_care if kinds[role] == AgencyKind.CHILDREN_SOCIAL_CARE else factories.agency(area, kinds[role])
        for role in roles
    }
    sca = factories.agency(area, AgencyKind.SINGLE_COMPETENT_AUTHORITY)
    guardian = agencies.get(Seat.GUARDIAN) or factories.agency(area, AgencyKind.GUARDIAN_SERVICE)
    chair = factories.user(social_care, Role.CHAIR)
    member = factories.user(agencies.get(Seat.POLICE, social_care), Role.AGENCY_MEMBER)
    case = factories.case(chair)
    if Seat.POLICE in agencies:
        factories.involve(case, agencies[Seat.POLICE])
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
        person = factories.person(agencies[role], name=f"{role.label} Person")
        people[role] = person
        db.session.add(
            Attendee(
                conference_id=conference.id,
                conference_role_id=seat.id,
                person_id=person.id,
                response=ResponseStatus.ACCEPTED,
            )
        )
    db.session.commit()
    return World(area, social_care, chair, member, case, conference, people, sca, guardian)


def url(world: World, tail: str = "") -> str:
    return f"/conferences/{world.conference.id}/record{tail}"


def form_fields(client: Any, path: str) -> dict[str, str]:
    """The hidden fields (CSRF token, version, idempotency key) of the first POST form on a page."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    form = soup.find(
        "form", attrs={"method": "post", "action": lambda a: bool(a and a.startswith("/conferences"))}
    ) or soup.find("form", attrs={"method": "post", "action": lambda a: bool(a and a.startswith("/cases"))})
    assert form is not None, f"no form on {path}"
    return {str(i["name"]): str(i.get("value", "")) for i in form.find_all("input", attrs={"type": "hidden"})}


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**form_fields(client, path), **data})


def fresh_code(user: User) -> str:
    db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    return pyotp.TOTP(TOTP_SECRET).now()


ATTENDANCE_ALL_PRESENT = {
    "status-social_care": "present_in_room",
    "status-police": "present_remotely",
    "status-health": "deputy_present",
    "deputy-health": "Dr Deputy",
}
ELEMENTS = {
    "acts": ["recruitment", "transport"],
    "movement_within_uk": "yes",
    "act_details": "Moved to the coast",
    "exploitation_types": ["types-of-exploitation-forced-to-commit-crime"],
    "where": "uk",
    "purpose_details": "County lines",
}
OUTCOME = {
    "start_enquiries": "yes",
    "outcome": "trafficking_concern",
    "nrm_referral": "yes",
    "first_responder_organisation": "Area council",
    "first_responder_name": "Sam Worker",
    "rationale": "Act and purpose shared by police and social care.",
    "dissent-health": "Wants more information",
    "suspected_of_offences": "yes",
    "non_punishment_flag": "yes",
}


def record_everything(client: Any, world: World) -> None:
    assert post(client, url(world, "/attendance"), ATTENDANCE_ALL_PRESENT).status_code == 302
    assert (
        post(
            client,
            url(world, "/information"),
            {"information-police": "Found in a trap house", "information-social_care": "Known to services"},
        ).status_code
        == 302
    )
    assert (
        post(client, url(world, "/child-views"), {"sought": "yes", "views": "Wants to stay local"}).status_code == 302
    )
    assert post(client, url(world, "/elements"), ELEMENTS).status_code == 302
    assert (
        post(
            client,
            url(world, "/indicators"),
            {
                "indicator-goes_missing": "yes",
                "indicator-goes_missing-agency": "police",
                "indicator-goes_missing-note": "Three times",
            },
        ).status_code
        == 302
    )
    assert post(client, url(world, "/outcome"), OUTCOME).status_code == 302
    due = datetime.now(UTC) + timedelta(days=3)
    assert (
        post(
            client,
            url(world, "/actions"),
            {
                "description": "Make the NRM referral",
                "owner": str(world.people[Seat.SOCIAL_CARE].id),
                "due_on-day": str(due.day),
                "due_on-month": str(due.month),
                "due_on-year": str(due.year),
                "due_time": "2:30pm",
            },
        ).status_code
        == 302
    )


def sign_off(client: Any, world: World) -> Any:
    return post(client, url(world, "/check"), {"password": PASSWORD, "code": fresh_code(world.chair)})


__all__ = ["csrf_token"]
