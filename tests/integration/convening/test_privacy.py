"""Privacy canaries through the whole journey, injection through names and venues, and bad input on every form."""

from __future__ import annotations

import base64
import logging
import uuid
from datetime import date

import icalendar
import pytest
from sqlalchemy import func, select

from conference.cases.models import Case
from conference.convening.models import Conference
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from tests.integration.convening.conftest import build_area, deliver, post, run_journey, soup

CANARIES = {
    "child_first_name": "Zephyrinecanary",
    "child_last_name": "Quillfeathercanary",
    "nationality": "Canarylandish",
}
BORN = date(2011, 2, 3)


def _every_text(message) -> list[str]:
    texts = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        texts += [f"{k}: {v}" for k, v in part.items()]
        if part.get_filename():
            texts.append(part.get_filename())
        if not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            texts.append(payload.decode("utf-8", "replace"))
    return texts


@pytest.mark.committed
def test_no_canary_leaves_in_any_message_header_attachment_or_log(client, factories, smtp_sink, app, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    area = build_area(factories, case_fields={**CANARIES, "child_born_on": BORN})
    case = db.session.get(Case, area.case.id)
    case.languages = "Canarese"
    db.session.commit()
    canaries = [
        *CANARIES.values(),
        "Canarese",
        case.reference,
        "2011-02-03",
        "3 February 2011",
        "03/02/2011",
        "20110203",
    ]
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    deliver(app, smtp_sink)
    assert len(smtp_sink.received) == 4  # chair, social care, police, health
    haystacks = [raw.decode("utf-8", "replace") for _, _, raw in smtp_sink.received]
    for message in smtp_sink.messages():
        haystacks += _every_text(message)
    haystacks += [base64.b64decode(b).decode("utf-8", "replace") for b in []]
    haystacks += [r.body.decode("utf-8", "replace") for r in db.session.scalars(select(OutboxMessage))]
    haystacks.append(caplog.text)
    out, err = capfd.readouterr()
    haystacks += [out, err]
    for canary in canaries:
        hits = [h for h in haystacks if canary.lower() in h.lower()]
        assert not hits, f"{canary} leaked"
    for text in haystacks[:-3]:
        assert "traffick" not in text.lower() and "NRM" not in text
    # The coordinator still sees the case on the board's back link target, and the meeting reference.
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    assert all(conference.reference in m["Subject"] for m in smtp_sink.messages())


@pytest.mark.committed
def test_no_canary_reaches_the_partners_chair_or_interpreter(client, factories, smtp_sink, app, caplog):
    """Issue 9: the shared Home Office team, the ICTG, the chair and the interpreter for the child's language are
    invited too; none of their messages carries the child's identity or language."""
    caplog.set_level(logging.DEBUG)
    area = build_area(factories, case_fields={**CANARIES, "child_born_on": BORN})
    partners = factories.partners(area.case.local_authority)
    interpreter = factories.known_person(
        partners["interpreting"], "Cy Interpreter", "interpreter", languages=["Canarese"]
    )
    case = db.session.get(Case, area.case.id)
    case.languages = "Canarese"
    case.interpreter_needed = True
    db.session.commit()
    for agency in (partners["home_office"], partners["ictg"]):
        factories.involve(case, agency)
    factories.sign_in(client, area.coordinator)
    run_journey(client, area)
    deliver(app, smtp_sink)
    recipients = {r for _, rcpts, _ in smtp_sink.received for r in rcpts}
    assert {
        area.people["chair"].email,
        partners["people"]["home_office"].email,
        partners["people"]["ictg"].email,
        interpreter.email,
    } <= recipients
    haystacks = [raw.decode("utf-8", "replace") for _, _, raw in smtp_sink.received]
    for message in smtp_sink.messages():
        haystacks += _every_text(message)
    haystacks.append(caplog.text)
    for canary in (*CANARIES.values(), "Canarese", case.reference, "3 February 2011"):
        assert not [h for h in haystacks if canary.lower() in h.lower()], f"{canary} leaked"


EVIL = "evil@example.test"


@pytest.mark.committed
def test_injection_through_names_and_venue_adds_no_property_or_header(client, factories, smtp_sink, app):
    area = build_area(
        factories,
        names={"police": f"Rowan\r\nATTENDEE:mailto:{EVIL}", "health": 'Kit "Nurse"; ROLE=CHAIR, Health\nBcc: ' + EVIL},
    )
    area.coordinator.display_name = f"Casey\r\nBcc: {EVIL}"
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    run_journey(client, area, venue=f"Room 4;, Civic\\ Centre\r\nATTENDEE:mailto:{EVIL}")
    deliver(app, smtp_sink)
    assert len(smtp_sink.received) == 4  # chair, social care, police, health
    for _, recipients, _ in smtp_sink.received:
        assert EVIL not in recipients
    for message in smtp_sink.messages():
        assert message["Bcc"] is None and message["Cc"] is None
        assert "\n" not in str(message["From"]) and "\n" not in str(message["To"])
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        ics = part.get_payload(decode=True)
        event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
        attendee = event.get("ATTENDEE")
        assert not isinstance(attendee, list) and EVIL not in str(attendee)
        unfolded = ics.decode().replace("\r\n ", "")
        assert [line for line in unfolded.split("\r\n") if line.startswith("ATTENDEE")].__len__() == 1
        assert str(event["LOCATION"]).startswith("Room 4;, Civic\\ Centre")
        assert "ROLE=CHAIR" not in str(attendee.params.get("ROLE"))


def test_bad_input_on_every_form_gets_a_clear_message_and_saves_nothing(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    case = area.case
    response = post(client, f"/cases/{case.id}/conferences/new", {"meeting_type": "devolved_nrm_decision_panel "})
    assert response.status_code == 400 and "Select the type of meeting" in response.get_data(as_text=True)
    response = post(client, f"/cases/{case.id}/conferences/new", {"meeting_type": "strategy_discussion_ni"})
    assert response.status_code == 400  # not used in England
    assert db.session.scalar(select(func.count()).select_from(Conference)) == 0

    response = post(client, f"/cases/{case.id}/conferences/new", {"meeting_type": "strategy_discussion"})
    conference_id = response.headers["Location"].split("/")[2]
    path = f"/conferences/{conference_id}"
    for data, message in (
        (
            {
                "deadline-day": "31",
                "deadline-month": "2",
                "deadline-year": "2030",
                "deadline-time": "10:00",
                "duration": "60",
            },
            "must be a real date",
        ),
        (
            {
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": "2031",
                "deadline-time": "25:99",
                "duration": "60",
            },
            "Enter a real time",
        ),
        (
            {
                "deadline-day": "1",
                "deadline-month": "1",
                "deadline-year": "2020",
                "deadline-time": "10:00",
                "duration": "60",
            },
            "must be in the future",
        ),
        (
            {"deadline-day": "", "deadline-month": "", "deadline-year": "", "deadline-time": "", "duration": "abc"},
            "Enter the deadline",
        ),
    ):
        before = db.session.get(Conference, uuid.UUID(conference_id)).deadline_at
        response = post(client, f"{path}/timescale", data)
        assert response.status_code == 400, data
        page = soup(response)
        assert message in page.select_one(".govuk-error-summary").get_text(), data
        db.session.expire_all()
        assert db.session.get(Conference, uuid.UUID(conference_id)).deadline_at == before
    page = soup(client.get(f"{path}/people"))
    seat = page.select_one("input[type=radio]")["name"]
    response = post(client, f"{path}/people", {"action": "continue"})
    assert response.status_code == 400 and "is required" in soup(response).select_one(".govuk-error-summary").text
    response = post(client, f"{path}/people", {"action": f"add:{seat.split('-', 1)[1]}"})
    assert response.status_code == 400
    assert post(client, f"{path}/people", {"action": "up:not-a-uuid:x"}).status_code == 400
    response = post(client, f"{path}/options", {"proposal": "99"})
    assert response.status_code == 400 and "Select a time" in response.get_data(as_text=True)
    response = post(
        client,
        f"{path}/options",
        {"action": "another", "another-day": "x", "another-month": "", "another-year": "", "another-time": ""},
    )
    assert response.status_code == 400
    for data, message in (
        ({}, "Select how people will join"),
        ({"how": "venue", "venue": " "}, "Enter the venue"),
        ({"how": "video", "video_link": "javascript:alert(1)"}, "starting with https://"),
        ({"how": "venue", "venue": "Zephyrine Quillfeather's house"}, "identify the child"),
    ):
        response = post(client, f"{path}/place", data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    assert conference.venue == "" and conference.video_link == ""
    assert post(client, f"{path}/options/relax", {"kind": "drop_everyone"}).status_code == 400
    assert client.get(f"{path}/check").status_code == 302
    response = post(client, f"{path}/send", {}, f"{path}/people")
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.committed
def test_no_canary_leaves_in_the_missing_episode_notices(client, factories, smtp_sink, app, caplog, capfd):
    """The notices partners get when a missing episode is recorded (conference/safety/notices.py), delivered."""
    from conference.cases.models import CaseAgency
    from tests.support.factories import csrf_token

    caplog.set_level(logging.DEBUG)
    area = build_area(factories, case_fields={**CANARIES, "child_born_on": BORN})
    for key in ("police", "health"):
        db.session.add(CaseAgency(case_id=area.case.id, agency_id=area.people[key].agency_id))
    db.session.commit()
    case = db.session.get(Case, area.case.id)
    canaries = [*CANARIES.values(), case.reference, "2011-02-03", "3 February 2011", "03/02/2011", str(case.id)]
    factories.sign_in(client, area.coordinator)
    path = f"/cases/{case.id}/missing-episodes/new"
    form = {
        "csrf_token": csrf_token(client, path),
        "last_seen-day": "1",
        "last_seen-month": "12",
        "last_seen-year": "2026",
        "last_seen-time": "9:00pm",
        "reported-day": "1",
        "reported-month": "12",
        "reported-year": "2026",
        "reported-time": "10:00pm",
        "police_reference": "MP/26/0001",
        "risk": "high",
        "step": "check",
        "confirm": "yes",
    }
    assert client.post(path, data=form).status_code == 302
    deliver(app, smtp_sink)
    assert len(smtp_sink.received) == 2
    haystacks = [raw.decode("utf-8", "replace") for _, _, raw in smtp_sink.received]
    for message in smtp_sink.messages():
        haystacks += _every_text(message)
    haystacks.append(caplog.text)
    out, err = capfd.readouterr()
    haystacks += [out, err]
    for canary in canaries:
        hits = [h for h in haystacks if canary.lower() in h.lower()]
        assert not hits, f"{canary} leaked"
    for text in haystacks[:-3]:
        assert "traffick" not in text.lower() and "NRM" not in text
    assert all("/missing-episodes/" in "".join(_every_text(m)) for m in smtp_sink.messages())
