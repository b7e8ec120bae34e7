"""Issue 12, finding 10 for convening: the options page finds times only on a POST, and a refused change
(an answer of 409) leaves nothing behind."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.convening import options as convening_options
from conference.convening import request as convening_request
from conference.convening import services
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference
from conference.extensions import db
from tests.integration.convening.conftest import build_area, post, soup


def _draft_with_window(client, factories) -> Conference:
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    response = post(client, f"/cases/{area.case.id}/conferences/new", {"meeting_type": "strategy_discussion"})
    conference = db.session.get(Conference, uuid.UUID(response.headers["Location"].split("/")[2]))
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    convening_request.set_window(area.coordinator, conference, now, now + timedelta(days=2), 60)
    db.session.commit()
    return conference


def test_opening_the_options_page_finds_and_stores_nothing(client, factories):
    conference = _draft_with_window(client, factories)
    page = client.get(f"/conferences/{conference.id}/options")
    assert page.status_code == 200
    db.session.expire_all()
    arrangement = db.session.scalars(select(ConferenceArrangement)).one()
    assert arrangement.solved_at is None and arrangement.proposals == []
    assert "Find times" in soup(page).get_text()
    assert client.get(f"/conferences/{conference.id}/options?again=yes").status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(ConferenceArrangement)).one().solved_at is None
    found = post(client, f"/conferences/{conference.id}/options", {"action": "find"})
    assert found.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(ConferenceArrangement)).one().solved_at is not None


def test_a_refused_relaxation_changes_nothing(client, factories, monkeypatch):
    conference = _draft_with_window(client, factories)
    deadline_before = conference.deadline_at

    def no_times(conference):
        raise services.ConveningError("The scheduler could not run.")

    token_page = f"/conferences/{conference.id}/options"
    monkeypatch.setattr(convening_options, "find_options", no_times)
    response = post(client, f"/conferences/{conference.id}/options/relax", {"kind": "extend_deadline"}, token_page)
    assert response.status_code == 409
    assert "The scheduler could not run." in response.get_data(as_text=True), "the page says why"
    db.session.expire_all()
    assert db.session.get(Conference, conference.id).deadline_at == deadline_before
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "conference.relax"))
        == 0
    )
