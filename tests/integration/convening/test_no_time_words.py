"""The "No time works" page names roles in words, gives one line per role that says what stops it, and folds the
per-person detail away in a details component."""

from __future__ import annotations

from conference.extensions import db
from tests.integration.convening.conftest import build_area, convene_until_options, soup


def test_no_time_works_names_roles_in_words_one_line_each_with_the_people_folded_away(client, factories):
    area = build_area(factories)
    for key in ("social", "social2"):
        area.people[key].working_hours = {}  # social care works no hours at all, and is not on call
        area.people[key].on_call = False
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    page = soup(client.get(f"/conferences/{conference_id}/options"))
    text = " ".join(page.get_text(" ").split())
    assert "No time works" in text
    assert "Social_care" not in text and "social_care" not in text
    lines = [" ".join(li.get_text(" ").split()) for li in page.select("#no-time-roles > li")]
    assert lines == ["Social care : Nobody works at any time in the window, and nobody is on call."]
    details = page.select("details[data-role]")
    assert [d["data-role"] for d in details] == ["social_care"]
    summary = " ".join(details[0].select_one(".govuk-details__summary-text").get_text(" ").split())
    assert summary == "Social care: each person"
    people = [" ".join(li.get_text(" ").split()) for li in details[0].select("li")]
    assert len(people) == 2 and people[0].startswith("Riley Social:") and people[1].startswith("Sam Deputy:")
    assert "Riley Social" not in " ".join(lines), "the per-person detail is folded away, not in the role's line"
    buttons = [" ".join(b.get_text(" ").split()) for b in page.select("button")]
    assert "Include on-call staff" not in buttons, "nobody is on call, so that relaxation would change nothing"
    assert "Extend the deadline by a working day" in buttons


def test_a_role_with_unknown_calendars_says_so_in_its_line(client, factories):
    area = build_area(factories)
    from conference.directory.models import AvailabilitySource

    for key in ("police", "police2"):
        area.people[key].availability_source = AvailabilitySource.NONE
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    page = soup(client.get(f"/conferences/{conference_id}/options"))
    lines = [" ".join(li.get_text(" ").split()) for li in page.select("#no-time-roles > li")]
    assert lines == ["Police : Nobody's availability is known, so nobody is booked as if free."]


def test_on_call_is_said_the_same_way_in_the_line_the_detail_and_the_relaxation(client, factories):
    area = build_area(factories)
    for key in ("social", "social2"):
        area.people[key].working_hours = {}
        area.people[key].on_call = True  # on call, but the options do not include on-call staff yet
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    page = soup(client.get(f"/conferences/{conference_id}/options"))
    lines = [" ".join(li.get_text(" ").split()) for li in page.select("#no-time-roles > li")]
    assert lines == ["Social care : Nobody works at any time in the window; on-call staff are not included."]
    detail = " ".join(page.select_one("details[data-role=social_care]").get_text(" ").split())
    assert "on call, but on-call staff are not included" in detail and "not on call" not in detail
    buttons = [" ".join(b.get_text(" ").split()) for b in page.select("button")]
    assert "Include on-call staff" in buttons
