"""The board's reply cut-off typed by hand is never earlier than sending plus the minimum reply time
(rules/notice.MINIMUM_REPLY_TIME): a clear GOV.UK error otherwise, and the saved cut-off is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from conference.convening.forms import moment_fields
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from rules.display import date_and_time
from rules.notice import MINIMUM_REPLY_TIME
from tests.integration.convening.conftest import build_area, post, run_journey, soup


def _sent_at(conference_id: str) -> object:
    return db.session.scalar(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.conference_id == conference_id, OutboxMessage.method == "REQUEST"
        )
    )


def test_a_cut_off_sooner_than_the_minimum_reply_time_is_refused_with_a_message(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    conference = db.session.get(Conference, conference_id)
    arrangement = db.session.scalars(select(ConferenceArrangement)).one()
    saved = arrangement.reply_cutoff_at
    sent_at = _sent_at(conference_id)
    assert sent_at is not None and saved is not None and conference.start_at is not None
    board_path = f"/conferences/{conference_id}"

    too_soon = sent_at + MINIMUM_REPLY_TIME - timedelta(minutes=5)
    response = post(client, f"{board_path}/cutoff", moment_fields("cutoff", too_soon), board_path)
    assert response.status_code == 400
    page = soup(response)
    summary = [" ".join(a.get_text(" ").split()) for a in page.select(".govuk-error-summary a")]
    earliest = (sent_at + MINIMUM_REPLY_TIME).replace(second=0, microsecond=0)
    message = (
        f"The cut-off must be the same as or after {date_and_time(earliest)}, so that people have at least "
        "15 minutes to reply after the invitations are sent"
    )
    assert summary == [message]
    assert page.select_one(".govuk-error-summary a")["href"] == "#cutoff-day"
    inline = " ".join(page.select_one(".govuk-error-message").get_text(" ").split())
    assert message in inline
    assert page.select_one("input[name=cutoff-time]")["value"] == moment_fields("cutoff", too_soon)["cutoff-time"]
    db.session.expire_all()
    assert db.session.get(ConferenceArrangement, arrangement.id).reply_cutoff_at == saved, "nothing saved"

    # Exactly the minimum (to the minute) is accepted, and so is any later time before the meeting.
    response = post(client, f"{board_path}/cutoff", moment_fields("cutoff", earliest), board_path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ConferenceArrangement, arrangement.id).reply_cutoff_at == earliest
    later = min(conference.start_at - timedelta(minutes=1), sent_at + timedelta(minutes=40)).replace(second=0)
    later = later.replace(microsecond=0)
    response = post(client, f"{board_path}/cutoff", moment_fields("cutoff", later), board_path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ConferenceArrangement, arrangement.id).reply_cutoff_at == later
    assert "Cut-off for replies saved" in soup(client.get(board_path)).get_text(" ")


def test_a_cut_off_in_the_past_is_refused_too(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    board_path = f"/conferences/{conference_id}"
    sent_at = _sent_at(conference_id)
    assert sent_at is not None
    response = post(client, f"{board_path}/cutoff", moment_fields("cutoff", sent_at - timedelta(hours=3)), board_path)
    assert response.status_code == 400
    assert "The cut-off must be the same as or after" in soup(response).select_one(".govuk-error-summary").get_text()
