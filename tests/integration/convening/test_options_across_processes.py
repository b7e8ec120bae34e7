"""The options page draws its picture from the request that was solved, in whichever process serves it.

A served app runs several processes: the solved request (for the availability picture and the "availability
unknown" list) is kept on the arrangement, not in one process's memory.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path

import pytest

from conference import create_app
from conference.extensions import db
from tests.conftest import make_settings
from tests.integration.convening.conftest import build_area, convene_until_options, soup
from tests.support.factories import EMPTY_ICS

RSCALE = (Path(__file__).parents[2] / "unit" / "scheduler" / "calendar_fixtures" / "rscale_hebrew.ics").read_text()


@pytest.mark.committed
def test_options_solved_in_one_app_are_shown_by_another(app, client, factories, database_url):
    area = build_area(factories)
    police = area.people["police"]
    police.availability_ics = RSCALE  # stored before the reader refused it: availability unknown
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)  # Continue on the people page solves, in the first app
    police.availability_ics = EMPTY_ICS  # fixed afterwards: the options shown are still those solved
    db.session.commit()

    # Both apps live in this one Python process: forget anything a process could keep in module memory, as a
    # second process would not have it.
    for module in list(sys.modules.values()):
        if (getattr(module, "__name__", "") or "").startswith("conference.convening"):
            for kept in vars(module).values():
                if isinstance(kept, OrderedDict):
                    kept.clear()
    other = create_app(make_settings(database_url))
    other.test_client_class = type(client)
    other_client = other.test_client()
    with other.app_context():
        factories.sign_in(other_client, area.coordinator)
        response = other_client.get(f"/conferences/{conference_id}/options")
        db.session.remove()

    assert response.status_code == 200
    page = soup(response)
    unknown = " ".join(page.select_one("#unknown-availability").get_text().split())
    assert "Rowan Police: The uploaded calendar cannot be read" in unknown
    assert page.select('input[name="proposal"]')
    assert page.select_one("svg") is not None, "the availability picture"
