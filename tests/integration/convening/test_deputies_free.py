"""Deputies and replacements who are free: the board's "Invite … instead" and the invitee's deputy page offer only
people available at the meeting's time, by the scheduler's own availability, best first; the rest are listed
under "Not available then" with the reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conference.convening import availability
from conference.convening.invitations import _new_link
from conference.convening.models import Attendee, Conference, ResponseStatus
from conference.extensions import db
from rules.clock import LONDON
from scheduler.availability import Status, build_grid, to_minute
from scheduler.model import parse_request
from tests.integration.convening.conftest import build_area, post, run_journey, soup
from tests.support.factories import ALL_WEEK

DAYTIME = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def busy_ics(start_at: datetime, end_at: datetime) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:busy-1\r\n"
        f"DTSTAMP:{start_at.strftime(stamp)}\r\nDTSTART:{start_at.strftime(stamp)}\r\n"
        f"DTEND:{end_at.strftime(stamp)}\r\nSUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def night_meeting(client, factories):
    """A meeting sent, then moved to 2am tomorrow; police declined; five other police candidates."""
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(LONDON).date()
    start_at = datetime.combine(tomorrow, datetime.min.time(), tzinfo=LONDON).replace(hour=2).astimezone(UTC)
    conference.start_at, conference.end_at = start_at, start_at + timedelta(hours=1)
    police_agency = area.people["police"].agency
    people = {
        "on_call": factories.known_person(police_agency, "Noor Oncall", "police_duty_officer", DAYTIME, on_call=True),
        "busy": factories.known_person(
            police_agency,
            "Bea Busy",
            "police_child_protection",
            ALL_WEEK,
            availability_ics=busy_ics(start_at - timedelta(minutes=30), start_at + timedelta(minutes=90)),
        ),
        "daytime": factories.known_person(police_agency, "Dana Daytime", "police_child_protection", DAYTIME),
        "free": factories.known_person(police_agency, "Fern Free", "police_child_protection", ALL_WEEK),
    }
    police = db.session.scalars(select(Attendee).where(Attendee.person_id == area.people["police"].id)).one()
    police.seat.candidate_ids = [str(area.people["police"].id)] + [str(p.id) for p in people.values()]
    police.response = ResponseStatus.DECLINED
    db.session.commit()
    return area, conference, police, people


def scheduler_status(conference: Conference, start_at: datetime) -> dict[str, Status]:
    """Each candidate's status at ``start_at`` in the options' own request (build_request) and grid."""
    request = availability.build_request(conference, include_on_call=True)
    request["earliest_start"] = availability.iso(start_at)
    request["deadline"] = availability.iso(start_at + timedelta(minutes=conference.duration_minutes))
    grid = build_grid(parse_request(request))
    index = grid.starts.index(to_minute(start_at))
    return {pid: statuses[index] for pid, statuses in grid.status.items()}


def test_the_board_offers_only_people_free_at_the_meeting_time_best_first(client, factories):
    area, conference, police, people = night_meeting(client, factories)
    page = soup(client.get(f"/conferences/{conference.id}"))
    row = page.select_one(f'tr[data-attendee="{police.id}"]')
    buttons = [" ".join(b.get_text(" ").split()) for b in row.select("button")]
    assert buttons == ["Invite Fern Free instead"], "in hours before on call, whatever the list's order"
    details = " ".join(row.select_one("[data-not-available]").get_text(" ").split())
    assert details.startswith("Not available then (2)")
    assert "Bea Busy is busy until 3:30am" in details
    assert "Dana Daytime works only 9am to 5pm on" in details
    assert "Noor Oncall" not in details and "Fern Free" not in details

    # The same answer as the scheduler's own availability over the options' request.
    statuses = scheduler_status(conference, conference.start_at)
    assert statuses[str(people["free"].id)] is Status.FREE
    assert statuses[str(people["on_call"].id)] is Status.OUT_OF_HOURS
    assert statuses[str(people["busy"].id)] is Status.BUSY
    assert statuses[str(people["daytime"].id)] is Status.NOT_WORKING

    # Someone not available then cannot be invited instead, even by a hand-made form.
    refused = post(
        client,
        f"/conferences/{conference.id}/attendees/{police.id}/replace",
        {"person": str(people["daytime"].id)},
        f"/conferences/{conference.id}",
    )
    assert refused.status_code == 400
    assert db.session.get(Attendee, police.id).response is ResponseStatus.DECLINED


def test_an_on_call_person_is_offered_out_of_hours_when_nobody_is_free_in_hours(client, factories):
    area, conference, police, people = night_meeting(client, factories)
    seat = police.seat
    seat.candidate_ids = [c for c in seat.candidate_ids if c != str(people["free"].id)]
    db.session.commit()
    row = soup(client.get(f"/conferences/{conference.id}")).select_one(f'tr[data-attendee="{police.id}"]')
    buttons = [" ".join(b.get_text(" ").split()) for b in row.select("button")]
    assert (
        len(buttons) == 1
        and buttons[0].startswith("Invite Noor Oncall")
        and buttons[0].endswith("instead (on call, out of hours)")
    )


def test_the_invitees_deputy_page_lists_only_free_colleagues_and_the_rest_with_reasons(client, factories):
    area, conference, police, people = night_meeting(client, factories)
    police.response = ResponseStatus.NEEDS_ACTION
    token = _new_link(conference, police, conference.end_at)
    db.session.commit()
    anonymous = client.application.test_client()
    page = soup(anonymous.get(f"/r/{token}/deputy"))
    offered = [label.get_text(" ").strip() for label in page.select("label.govuk-radios__label")]
    assert offered == ["Fern Free", "Noor Oncall"]
    assert "on call, out of hours" in page.get_text(" ")
    listed = [" ".join(li.get_text(" ").split()) for li in page.select("#not-available-heading + ul li")]
    assert any(s.startswith("Bea Busy is busy until 3:30am") for s in listed)
    assert any(s.startswith("Dana Daytime works only 9am to 5pm on") for s in listed)
    refused = post(anonymous, f"/r/{token}/deputy", {"deputy": str(people["busy"].id)})
    assert refused.status_code == 400
    chosen = post(anonymous, f"/r/{token}/deputy", {"deputy": str(people["free"].id)})
    assert chosen.status_code == 200 and "Fern Free has been invited" in chosen.get_data(as_text=True)
