"""Minimum notice: the options offered never start sooner than the notice allows, and the reply cut-off is never
earlier than sending plus the minimum reply time (rules.timescales), at 1am, on a Friday evening and before a bank
holiday."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conference.cases.models import MissingRisk
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference
from conference.extensions import db
from rules.clock import LONDON
from rules.notice import MINIMUM_REPLY_TIME, earliest_start_with_notice, minimum_notice
from rules.vocabulary import MeetingType
from tests.integration.convening.conftest import build_area, convene_until_options, post, soup


def arrangement_of(conference_id: str) -> ConferenceArrangement:
    return db.session.scalars(
        select(ConferenceArrangement).where(ConferenceArrangement.conference_id == uuid.UUID(conference_id))
    ).one()


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


CASES = [
    # (now, meeting type, urgent): 1:11am on a Tuesday, a Friday evening, the Thursday before Christmas
    (london(2026, 12, 8, 1, 11), MeetingType.STRATEGY_DISCUSSION, True),
    (london(2026, 12, 8, 1, 11), MeetingType.STRATEGY_DISCUSSION, False),
    (london(2026, 12, 11, 18, 30), MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, False),
    (london(2026, 12, 24, 16, 0), MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, False),
]


@pytest.mark.parametrize(("now_at", "meeting_type", "urgent"), CASES)
def test_options_never_start_sooner_than_the_notice_and_the_cut_off_leaves_time_to_reply(
    client, factories, monkeypatch, now_at, meeting_type, urgent
):
    area = build_area(factories)  # everyone free all week, so only the notice holds the meeting back
    area.case.missing_risk = MissingRisk.HIGH if urgent else MissingRisk.LOW
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    conference.meeting_type = meeting_type
    conference.earliest_start_at = now_at - timedelta(hours=1)
    conference.deadline_at = now_at + timedelta(days=8)
    db.session.commit()
    monkeypatch.setattr("conference.convening.options.utcnow", lambda: now_at)
    monkeypatch.setattr("conference.convening.invitations.utcnow", lambda: now_at)
    assert post(client, f"/conferences/{conference_id}/options", {"action": "find"}).status_code == 302
    db.session.expire_all()
    arrangement = arrangement_of(conference_id)
    assert arrangement.proposals, soup(client.get(f"/conferences/{conference_id}/options"))
    allowed = earliest_start_with_notice(now_at, minimum_notice(meeting_type, urgent=urgent), "england")
    starts = [datetime.fromisoformat(p["start"]) for p in arrangement.proposals]
    assert min(starts) >= allowed
    assert min(starts) < allowed + timedelta(minutes=15), "the soonest is the first grain after the notice"
    # choose the soonest and send: no short-notice warning, and the cut-off leaves time to reply
    assert post(client, f"/conferences/{conference_id}/options", {"proposal": "0"}).status_code == 302
    assert post(client, f"/conferences/{conference_id}/place", {"how": "venue", "venue": "Room 4"}).status_code == 302
    check = soup(client.get(f"/conferences/{conference_id}/check"))
    assert check.select_one("#short-notice") is None
    response = post(client, f"/conferences/{conference_id}/send", {}, f"/conferences/{conference_id}/check")
    assert response.headers["Location"].endswith(f"/conferences/{conference_id}")
    db.session.expire_all()
    arrangement = arrangement_of(conference_id)
    assert arrangement.reply_cutoff_at >= now_at + MINIMUM_REPLY_TIME


def test_a_time_chosen_by_hand_at_short_notice_is_warned_about_in_words(client, factories, monkeypatch):
    now_at = london(2026, 12, 8, 1, 11)
    area = build_area(factories)
    area.case.missing_risk = MissingRisk.HIGH
    db.session.commit()
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    monkeypatch.setattr("conference.convening.options.utcnow", lambda: now_at)
    monkeypatch.setattr("conference.convening.invitations.utcnow", lambda: now_at)
    monkeypatch.setattr("conference.convening.views.utcnow", lambda: now_at)
    start = london(2026, 12, 8, 1, 15)
    response = post(
        client,
        f"/conferences/{conference_id}/options",
        {
            "action": "another",
            "another-day": "8",
            "another-month": "12",
            "another-year": "2026",
            "another-time": "1:15am",
        },
    )
    assert response.status_code == 302
    assert post(client, f"/conferences/{conference_id}/place", {"how": "venue", "venue": "Room 4"}).status_code == 302
    warning = soup(client.get(f"/conferences/{conference_id}/check")).select_one("#short-notice")
    assert warning is not None
    text = " ".join(warning.get_text(" ").split())
    assert "4 minutes" in text and "at least 30 minutes" in text
    post(client, f"/conferences/{conference_id}/send", {}, f"/conferences/{conference_id}/check")
    db.session.expire_all()
    arrangement = arrangement_of(conference_id)
    assert db.session.get(Conference, uuid.UUID(conference_id)).start_at == start
    assert arrangement.reply_cutoff_at >= now_at + MINIMUM_REPLY_TIME


def test_a_deadline_too_close_for_the_notice_says_so_and_keeps_the_page(client, factories, monkeypatch):
    now_at = london(2026, 12, 11, 18, 30)
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = convene_until_options(client, area)
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    conference.meeting_type = MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE
    conference.earliest_start_at = now_at
    conference.deadline_at = now_at + timedelta(hours=20)
    db.session.commit()
    monkeypatch.setattr("conference.convening.options.utcnow", lambda: now_at)
    assert post(client, f"/conferences/{conference_id}/options", {"action": "find"}).status_code == 302
    page = soup(client.get(f"/conferences/{conference_id}/options"))
    warning = " ".join(page.select_one(".govuk-warning-text").get_text(" ").split())
    assert "at least 1 working day of notice" in warning and "Change the deadline" in warning
