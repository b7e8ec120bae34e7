"""The board's answers endpoint, polled by its script: answer words and a version only, 304 when nothing changed,
under the board's own permission and scope; the page carries the hooks the script needs and works without it."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from conference.convening.models import Attendee, ResponseStatus
from conference.db import utcnow
from conference.extensions import db
from tests.integration.convening.conftest import build_area, run_journey, soup


def test_answers_endpoint_gives_words_and_a_version_and_follows_a_reply(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)

    page = soup(client.get(f"/conferences/{conference_id}"))
    table = page.find("table", id="board")
    assert table["data-answers-url"] == f"/conferences/{conference_id}/answers"
    assert table["data-poll-seconds"] == "15"
    assert page.find(attrs={"aria-live": "polite", "data-board-live": True}) is not None
    assert page.find("script", src="/assets/js/board.js") is not None
    rows = table.select("tbody tr[data-attendee]")
    assert rows and all(r.select_one("[data-answer]").get_text() == "Not answered yet" for r in rows)

    first = client.get(f"/conferences/{conference_id}/answers")
    assert first.status_code == 200 and first.mimetype == "application/json"
    body = first.get_json()
    assert set(body) == {"version", "answers"}
    assert {a["attendee"] for a in body["answers"]} == {r["data-attendee"] for r in rows}
    assert all(set(a) == {"attendee", "answer"} and a["answer"] == "Not answered yet" for a in body["answers"])
    text = first.get_data(as_text=True)
    assert area.case.child_first_name not in text and area.case.reference not in text
    assert "@" not in text, "no email addresses, no names"
    assert first.headers["ETag"].strip('"') == body["version"]
    assert "no-store" in first.headers["Cache-Control"]

    same = client.get(f"/conferences/{conference_id}/answers", headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304

    attendee = db.session.scalars(select(Attendee).where(Attendee.conference_id == uuid.UUID(conference_id))).first()
    attendee.response, attendee.responded_at = ResponseStatus.ACCEPTED, utcnow()
    db.session.commit()
    changed = client.get(f"/conferences/{conference_id}/answers", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    answers = {a["attendee"]: a["answer"] for a in changed.get_json()["answers"]}
    assert answers[str(attendee.id)] == "Accepted"
    assert changed.get_json()["version"] != body["version"]


def test_answers_endpoint_keeps_the_board_scope(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    other_area = factories.area("EM", "Eastmere")
    outsider = factories.user(factories.agency(other_area))
    other = client.application.test_client()
    factories.sign_in(other, outsider)
    assert other.get(f"/conferences/{conference_id}/answers").status_code == 404
    anonymous = client.application.test_client()
    assert anonymous.get(f"/conferences/{conference_id}/answers").status_code in (302, 401)
