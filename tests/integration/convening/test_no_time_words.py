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
    assert lines == ["Children's social care : Nobody works at any time in the window, and nobody is on call."]
    details = page.select("details[data-role]")
    assert [d["data-role"] for d in details] == ["social_care"]
    summary = " ".join(details[0].select_one(".govuk-details__summary-text").get_text(" ").split())
    assert summary == "Children's social care: each person"
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
    assert lines == ["Children's social care : Nobody works at any time in the window; on-call staff are not included."]
    detail = " ".join(page.select_one("details[data-role=social_care]").get_text(" ").split())
    assert "on call, but on-call staff are not included" in detail and "not on call" not in detail
    buttons = [" ".join(b.get_text(" ").split()) for b in page.select("button")]
    assert "Include on-call staff" in buttons


def test_no_time_works_and_the_board_call_the_seat_childrens_social_care_never_its_value(client, factories):
    from tests.integration.convening.conftest import run_journey

    area = build_area(factories)
    for key in ("social", "social2"):
        area.people[key].working_hours = {}
        area.people[key].on_call = False
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    blocked_id = convene_until_options(client, area)
    page = client.get(f"/conferences/{blocked_id}/options").get_data(as_text=True)
    assert "No time works" in page
    assert "Children&#39;s social care" in page or "Children's social care" in page
    for value in ("Social_care", "social_care", "Social care"):
        assert value not in soup_text(page), value
    for key in ("social", "social2"):
        area.people[key].working_hours = area.people["police"].working_hours
    db.session.commit()
    held_id = run_journey(client, area)
    board = client.get(f"/conferences/{held_id}")
    assert board.status_code == 200
    rows = [" ".join(td.get_text(" ").split()) for td in soup(board).select("table td:first-child")]
    assert "Children's social care" in rows, rows
    for value in ("Social_care", "social_care", "Social care"):
        assert value not in soup_text(board.get_data(as_text=True)), value


def test_the_schedulers_own_words_are_translated_to_seat_labels():
    from conference.convening.options import in_words, role_label

    said = "Social care: no candidate can attend; the social_care role has no one free; police are busy"
    assert in_words(said) == (
        "Children's social care: no candidate can attend; the Children's social care role has no one free; "
        "police are busy"
    )
    assert in_words("Allow a written submission for home_office") == "Allow a written submission for Home Office"
    assert in_words("Children's social care is covered") == "Children's social care is covered"
    assert role_label("social_care") == "Children's social care"
    assert role_label("made_up_role") == "Made up role"


def soup_text(html: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
