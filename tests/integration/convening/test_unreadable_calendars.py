"""One invitee's calendar cannot stop a coordinator convening (issue 12, finding 6).

Whatever goes wrong reading a person's calendar, they become "availability unknown" (never free), the options page
answers, and it says whose calendar could not be read and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conference.convening import availability
from conference.directory.models import AvailabilitySource
from conference.extensions import db
from tests.integration.convening.conftest import build_area, convene_until_options, soup
from tests.support.factories import EMPTY_ICS

RSCALE = (Path(__file__).parents[2] / "unit" / "scheduler" / "calendar_fixtures" / "rscale_hebrew.ics").read_text()


def test_unreadable_calendars_make_their_people_unknown_and_times_are_still_offered(client, factories, monkeypatch):
    area = build_area(factories)
    police, health, deputy = area.people["police"], area.people["health"], area.people["health2"]
    police.availability_ics = RSCALE  # stored before the reader refused it
    deputy.availability_source, deputy.availability_ics = AvailabilitySource.ICS_UPLOAD, EMPTY_ICS
    db.session.commit()
    real = availability.busy_from_ics

    def reader_with_a_bug(data, start_at, end_at):
        if data == health.availability_ics and health.availability_ics != EMPTY_ICS:
            raise TypeError("can't compare offset-naive and offset-aware datetimes")
        return real(data, start_at, end_at)

    health.availability_ics = EMPTY_ICS.replace("VERSION:2.0", "VERSION:2.0\r\nX-HEALTH:1")
    db.session.commit()
    monkeypatch.setattr(availability, "busy_from_ics", reader_with_a_bug)
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)

    options = client.get(f"/conferences/{conference_id}/options")

    assert options.status_code == 200
    page = soup(options)
    text = " ".join(page.select_one("#unknown-availability").get_text().split())
    assert "availability is unknown and they are not booked as if free" in text
    assert "Rowan Police: The uploaded calendar cannot be read: A VEVENT (rscale@test) repeats by the Hebrew" in text
    assert "Kit Health: Convene could not read it (TypeError)." in text
    assert page.select('input[name="proposal"]'), "the deputies cover police and health"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, ()),
        (
            {"CONVENE_CALENDAR_ALLOWED_HOSTS": " caldav.internal.example , 10.20.0.0/16,,127.0.0.1 "},
            ("caldav.internal.example", "10.20.0.0/16", "127.0.0.1"),
        ),
    ],
)
def test_the_calendar_allow_list_comes_from_the_environment(env, expected):
    from conference.config import Settings

    assert Settings.from_env(env).calendar_allowed_hosts == expected
