"""The replaced invitee's email ("You no longer need to attend", no names, not the whole meeting cancelled), and a
board that never contradicts itself: its rows say what was sent, the same after a form error as before it."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import select

from conference.convening.models import Attendee, ResponseStatus
from conference.extensions import db
from tests.integration.convening.conftest import build_area, deliver, post, run_journey, soup


def _calendar_part(message: EmailMessage) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _rows(page) -> list[list[str]]:
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.select("td")] for row in page.select("#board tbody tr")
    ]


@pytest.mark.committed
def test_the_replaced_invitee_is_told_they_no_longer_need_to_attend_and_the_board_agrees(
    client, factories, smtp_sink, app
):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    police = db.session.scalars(select(Attendee).where(Attendee.person_id == area.people["police"].id)).one()
    police.response = ResponseStatus.DECLINED
    db.session.commit()
    board = soup(client.get(f"/conferences/{conference_id}"))
    assert board.find("button", string=lambda s: s and "Invite Ellis Deputy instead" in s)
    response = post(
        client,
        f"/conferences/{conference_id}/attendees/{police.id}/replace",
        {"person": str(area.people["police2"].id)},
        f"/conferences/{conference_id}",
    )
    assert response.status_code == 302
    board = soup(client.get(f"/conferences/{conference_id}"))
    banner = " ".join(board.select_one(".govuk-notification-banner").get_text(" ").split())
    assert "Ellis Deputy invited; Rowan Police told they no longer need to attend" in banner
    rows = {row[1]: row for row in _rows(board)}
    assert (
        rows["Rowan Police"][2].startswith("Replaced") and rows["Rowan Police"][3] == "Cancellation waiting to be sent"
    )
    assert rows["Ellis Deputy (deputy)"][3] == "Invitation waiting to be sent"

    deliver(app, smtp_sink)
    board = soup(client.get(f"/conferences/{conference_id}"))
    rows = {row[1]: row for row in _rows(board)}
    assert rows["Rowan Police"][3] == "Cancellation sent"
    assert rows["Ellis Deputy (deputy)"][3] == "Invitation sent"
    assert all(row[3] == "Invitation sent" for name, row in rows.items() if name != "Rowan Police")

    replaced = [m for m in smtp_sink.messages() if m["To"].addresses[0].addr_spec == area.people["police"].email]
    notice = replaced[-1]
    assert notice["Subject"].startswith("You no longer need to attend: ")
    text = next(p for p in notice.walk() if p.get_content_type() == "text/plain").get_content()
    assert text.startswith("You no longer need to attend this multi-agency meeting.")
    assert "cancelled" not in (notice["Subject"] + text).lower()
    ics = _calendar_part(notice)
    assert "METHOD:CANCEL" in ics and "STATUS:" not in ics, "RFC 5546 3.2.5: no STATUS when uninviting one person"
    raw = notice.as_string()
    for name in ("Ellis", "Deputy", "Riley", "Kit Health", "Zephyrine", "Quillfeather", area.case.reference):
        assert name not in raw, f"{name} leaked into the replaced invitee's email"


def test_the_board_looks_the_same_after_a_cut_off_error(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    police = db.session.scalars(select(Attendee).where(Attendee.person_id == area.people["police"].id)).one()
    police.response = ResponseStatus.DECLINED
    db.session.commit()
    client.get(f"/conferences/{conference_id}")  # the page that shows (and clears) the banner of the sending
    before = soup(client.get(f"/conferences/{conference_id}"))
    bad = post(
        client,
        f"/conferences/{conference_id}/cutoff",
        {"cutoff-day": "40", "cutoff-month": "1", "cutoff-year": "2030", "cutoff-time": "9am"},
        f"/conferences/{conference_id}",
    )
    assert bad.status_code == 400
    after = soup(bad)
    assert after.select_one(".govuk-error-summary") is not None
    assert _rows(after) == _rows(before)
    police_row = next(row for row in _rows(after) if row[1] == "Rowan Police")
    assert police_row[3] == "Invitation waiting to be sent" and "Invite Ellis Deputy instead" in police_row[4]
    headings = [h.get_text(" ").strip() for h in before.select("h2")]
    assert [h.get_text(" ").strip() for h in after.select("h2") if "problem" not in h.get_text()] == headings
    assert after.select_one("#cutoff-day")["value"] == "40", "the values typed are kept"
