"""No time works -> one-click relaxations; the live board offers the next candidate; a COUNTER becomes a new time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Attendee, Conference, ResponseStatus
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from tests.integration.convening.conftest import build_area, post, run_journey, soup


def test_no_time_works_shows_reasons_and_on_call_relaxation_finds_one(client, factories):
    area = build_area(factories, hours={})  # nobody works any hours
    for person in area.people.values():
        person.on_call = True
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    response = post(client, f"/cases/{area.case.id}/conferences/new", {"meeting_type": "strategy_discussion"})
    conference_id = response.headers["Location"].split("/")[2]
    assert "Find times" in soup(client.get(f"/conferences/{conference_id}/options")).get_text(" ")
    assert post(client, f"/conferences/{conference_id}/options", {"action": "find"}).status_code == 302
    page = soup(client.get(f"/conferences/{conference_id}/options"))
    text = page.get_text(" ")
    assert "No time works" in text and "Include on-call staff" in text, " ".join(text.split())[:1500]
    assert page.select("ul.govuk-list--bullet li"), "the reasons are listed"
    response = post(
        client,
        f"/conferences/{conference_id}/options/relax",
        {"kind": "use_on_call"},
        f"/conferences/{conference_id}/options",
    )
    assert response.status_code == 302
    page = soup(client.get(f"/conferences/{conference_id}/options"))
    assert page.select("input[name=proposal]"), page.get_text(" ")[:1500]
    assert "Out of hours" in page.get_text(" ")
    deadline_before = db.session.get(Conference, uuid.UUID(conference_id)).deadline_at
    post(
        client,
        f"/conferences/{conference_id}/options/relax",
        {"kind": "extend_deadline"},
        f"/conferences/{conference_id}/options",
    )
    db.session.expire_all()
    assert db.session.get(Conference, uuid.UUID(conference_id)).deadline_at > deadline_before


def test_board_offers_the_next_candidate_after_a_decline_and_the_cutoff(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    police = db.session.scalars(select(Attendee).where(Attendee.person_id == area.people["police"].id)).one()
    police.response = ResponseStatus.DECLINED
    db.session.commit()
    board = soup(client.get(f"/conferences/{conference_id}"))
    button = board.find("button", string=lambda s: s and "Invite Ellis Deputy instead" in s)
    assert button is not None
    response = post(
        client,
        f"/conferences/{conference_id}/attendees/{police.id}/replace",
        {"person": str(area.people["police2"].id)},
        f"/conferences/{conference_id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attendee, police.id).response is ResponseStatus.REPLACED
    last = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))[-2:]
    assert [(m.to_email, m.method) for m in last] == [
        (area.people["police2"].email, "REQUEST"),
        (area.people["police"].email, "CANCEL"),
    ]
    # Cut-off passed with no answer from health: the next candidate's calendar is unknown, so they are not offered
    # but listed as not available then, with the reason.
    past = datetime.now(UTC) - timedelta(minutes=5)
    arrangement = db.session.scalars(select(ConferenceArrangement)).one()
    arrangement.reply_cutoff_at = past
    db.session.commit()
    board = soup(client.get(f"/conferences/{conference_id}")).get_text(" ")
    assert "Invite Lou Unknown instead" not in board
    assert "Not available then" in board and "Lou Unknown has no known availability" in board
    bad = post(
        client,
        f"/conferences/{conference_id}/cutoff",
        {"cutoff-day": "40", "cutoff-month": "1", "cutoff-year": "2030", "cutoff-time": "9am"},
        f"/conferences/{conference_id}",
    )
    assert bad.status_code == 400 and "real date" in bad.get_data(as_text=True)


def test_other_areas_cannot_see_or_change_the_meeting(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    other_area = factories.area("EM", "Eastmere")
    outsider = factories.user(factories.agency(other_area))
    other = client.application.test_client()
    factories.sign_in(other, outsider)
    assert other.get(f"/conferences/{conference_id}").status_code == 404
    assert post(other, f"/conferences/{conference_id}/cancel", {}, "/cases").status_code == 404
