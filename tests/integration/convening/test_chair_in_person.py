"""The chair runs the meeting: their seat never takes a written submission instead of attending.

Found in QA: the people page offered "Allow a written submission instead of attending" on the chair's seat, and the
"allow written submissions" way of finding a time set it on every required seat, so the options page could offer
a meeting with "Chair: written submission".
"""

from __future__ import annotations

import uuid
from typing import Any

from conference.convening.models import Conference
from conference.extensions import db
from rules.vocabulary import Seat
from tests.integration.convening.conftest import build_area, convene_until_options, post, soup
from tests.support.factories import Factories


def _seats(conference_id: str) -> dict[Seat, Any]:
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    assert conference is not None
    db.session.refresh(conference)
    return {Seat(s.role): s for s in conference.roles}


def test_the_chairs_seat_is_not_offered_or_given_a_written_submission(client: Any, factories: Factories) -> None:
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    seats = _seats(conference_id)
    assert Seat.CHAIR in seats and Seat.POLICE in seats
    chair, police = seats[Seat.CHAIR], seats[Seat.POLICE]
    path = f"/conferences/{conference_id}/people"

    page = soup(client.get(path))
    assert page.find(attrs={"name": f"written-{chair.id}"}) is None
    assert page.find(attrs={"name": f"written-{police.id}"}) is not None

    # A hand-made form cannot tick it either; the other seats keep theirs.
    data = {i["name"]: i["value"] for i in page.select("input[type=radio][checked]")}
    data.update({f"written-{chair.id}": "yes", f"written-{police.id}": "yes", "action": "continue"})
    assert post(client, path, data).status_code == 302
    seats = _seats(conference_id)
    assert seats[Seat.CHAIR].written_submission_allowed is False
    assert seats[Seat.POLICE].written_submission_allowed is True


def test_allowing_written_submissions_to_find_a_time_leaves_the_chair_in_person(
    client: Any, factories: Factories
) -> None:
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    seats = _seats(conference_id)
    assert seats[Seat.CHAIR].required
    options = f"/conferences/{conference_id}/options"
    response = post(client, f"{options}/relax", {"kind": "allow_written_submission"}, options)
    assert response.status_code == 302
    seats = _seats(conference_id)
    assert seats[Seat.CHAIR].written_submission_allowed is False
    others = [s for role, s in seats.items() if role is not Seat.CHAIR and s.required]
    assert others and all(s.written_submission_allowed for s in others)
