"""Who the audit rows name (the acting user passed to each service, or the personal link that is not a user) and the
convening forms' messages for a date and time (the shared `GovDateField` and `GovTimeField`), in page order."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.convening.models import Conference
from conference.extensions import db
from rules.display import to_london
from tests.integration.convening.conftest import build_area, deliver, post, run_journey, soup

EMAILS = {"police": "jo.smith@police.example", "health": "alex.rowe@nhs.example", "social": "pat@guardian.example"}


def _rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _summary(response) -> list[str]:
    return [a.get_text(" ").strip() for a in soup(response).select(".govuk-error-summary__list a")]


def _hrefs(response) -> list[str]:
    return [a["href"] for a in soup(response).select(".govuk-error-summary__list a")]


@pytest.mark.committed
def test_rows_name_the_coordinator_and_a_link_answer_names_no_user(client, factories, smtp_sink, app):
    area = build_area(factories, emails=EMAILS)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    for action in ("conference.start", "conference.window", "conference.roles", "conference.invite"):
        rows = _rows(action)
        assert rows and all(r.actor_user_id == area.coordinator.id for r in rows), action

    conference = db.session.get(Conference, uuid.UUID(conference_id))
    assert conference is not None and conference.start_at is not None
    # Five minutes before the start: after sending + the minimum reply time, since no start is sooner than the notice.
    start = to_london(conference.start_at - timedelta(minutes=5))
    saved = post(
        client,
        f"/conferences/{conference_id}/cutoff",
        {
            "cutoff-day": str(start.day),
            "cutoff-month": str(start.month),
            "cutoff-year": str(start.year),
            "cutoff-time": f"{start.hour:02d}:{start.minute:02d}",
        },
        f"/conferences/{conference_id}",
    )
    assert saved.status_code == 302, _summary(saved)
    assert [r.actor_user_id for r in _rows("conference.cutoff")] == [area.coordinator.id]

    # The coordinator, still signed in, opens someone's personal link and answers: the row names the link, not them.
    deliver(app, smtp_sink)
    body = next(
        p.get_content()
        for m in smtp_sink.messages()
        if m["To"].addresses[0].addr_spec == "jo.smith@police.example"
        for p in m.walk()
        if p.get_content_type() == "text/plain"
    )
    token = re.search(r"https://convene\.test/r/(\S+)", body).group(1)
    assert post(client, f"/r/{token}", {"answer": "accept"}).status_code == 302
    (row,) = _rows("reply.link")
    assert row.actor_user_id is None and row.actor_role == "personal link"


def test_the_cut_off_and_timescale_dates_give_each_message_at_its_part(client, factories):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    board = f"/conferences/{conference_id}"
    cases = [
        ({}, ["Enter the cut-off", "Enter the time of the cut-off"], ["#cutoff-day", "#cutoff-time"]),
        (
            {"cutoff-day": "3", "cutoff-year": "2030", "cutoff-time": "25:00"},
            ["The cut-off must include a month", "Enter a real time, for example 2:30pm or 14:30"],
            ["#cutoff-month", "#cutoff-time"],
        ),
        (
            {"cutoff-day": "3", "cutoff-month": "Jan", "cutoff-year": "2099", "cutoff-time": "2pm"},
            ["The cut-off must be before the meeting starts"],
            ["#cutoff-day"],
        ),
    ]
    for data, messages, hrefs in cases:
        response = post(client, f"{board}/cutoff", data, board)
        assert response.status_code == 400
        assert _summary(response) == messages and _hrefs(response) == hrefs
    assert not _rows("conference.cutoff"), "a refused cut-off writes no row"

    # The timescale page of a new draft: the same two fields, then the duration, in page order.
    response = post(client, f"/cases/{area.case.id}/conferences/new", {"meeting_type": "strategy_discussion"})
    timescale = response.headers["Location"]
    bad = post(client, timescale, {"deadline-day": "31", "deadline-month": "2", "deadline-year": "2030"})
    assert bad.status_code == 400
    assert _summary(bad) == [
        "The deadline must be a real date",
        "Enter the time of the deadline",
        "Enter how long the meeting lasts, in minutes, between 15 and 480",
    ]
    late = datetime.now(UTC) + timedelta(days=90)
    far = post(
        client,
        timescale,
        {
            "deadline-day": str(late.day),
            "deadline-month": late.strftime("%B"),
            "deadline-year": str(late.year),
            "deadline-time": "midday",
            "duration": "60",
        },
    )
    assert _summary(far) == ["The deadline must be within 60 days, so that calendars can be checked"]
    assert soup(far).select_one("#deadline-month")["value"] == late.strftime("%B"), "the values typed are kept"
