"""Helpers for the decisions tests: a held conference on a case, and the forms of a complete record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from bs4 import BeautifulSoup
from sqlalchemy import update

from conference.auth.models import User
from conference.extensions import db
from rules.vocabulary import Seat
from tests.support.factories import PASSWORD, TOTP_SECRET, Factories, World, csrf_token


def make_world(factories: Factories, **options: Any) -> World:
    """A held meeting on a case (``Factories.held_meeting``)."""
    return factories.held_meeting(**options)


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
