"""The coordinator's journey end to end, delivered through a real SMTP server and parsed by two parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.convening.models import Attendee, Conference, ConferenceStatus, ResponseStatus
from conference.extensions import db
from conference.outbox.models import OutboxMessage, OutboxStatus
from tests.integration.convening.conftest import build_area, deliver, run_journey, soup


def _calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


@pytest.mark.committed
def test_journey_sends_one_standard_invitation_per_invitee(client, factories, smtp_sink, app):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)

    board = client.get(f"/conferences/{conference_id}")
    assert "Invitations sent to 4 people" in soup(board).select_one(".govuk-notification-banner").get_text()
    conference = db.session.get(Conference, __import__("uuid").UUID(conference_id))
    assert conference.status is ConferenceStatus.INVITED
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4  # with the chair
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "conference.invite"))
        == 1
    )

    stats = deliver(app, smtp_sink)
    assert stats.sent == 4
    messages = smtp_sink.messages()
    assert sorted(str(m["To"].addresses[0].addr_spec) for m in messages) == sorted(
        area.people[k].email for k in ("chair", "social", "police", "health")
    )
    for message in messages:
        assert message.get_content_type() == "multipart/alternative"
        assert message["Cc"] is None
        part = _calendar_part(message)
        ics = part.get_payload(decode=True)
        calendar = icalendar.Calendar.from_ical(ics)
        assert part.get_param("method") == str(calendar["METHOD"]) == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        attendees = event.get("ATTENDEE")
        assert not isinstance(attendees, list)
        assert str(attendees).lower().endswith(message["To"].addresses[0].addr_spec.lower())
        assert str(event["UID"]) == conference.ical_uid and int(event["SEQUENCE"]) == 0
        parsed = vobject.readOne(ics.decode())
        assert parsed.vevent.uid.value == conference.ical_uid
        assert len(parsed.vevent.contents["attendee"]) == 1
        assert message["From"].addresses[0].addr_spec == "meetings@convene.example"
    assert all(m.status is OutboxStatus.SENT for m in db.session.scalars(select(OutboxMessage)))


@pytest.mark.committed
def test_reschedule_raises_sequence_and_cancel_applies(client, factories, smtp_sink, app):
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    deliver(app, smtp_sink)
    from tests.integration.convening.conftest import post

    tomorrow = datetime.now(UTC) + timedelta(days=1)
    response = post(
        client,
        f"/conferences/{conference_id}/options",
        {
            "action": "another",
            "another-day": str(tomorrow.day),
            "another-month": str(tomorrow.month),
            "another-year": str(tomorrow.year),
            "another-time": "10:00",
        },
    )
    assert response.status_code == 302
    assert "Everyone invited can attend" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = post(client, f"/conferences/{conference_id}/send", {}, f"/conferences/{conference_id}/check")
    assert response.status_code == 302
    response = post(client, f"/conferences/{conference_id}/cancel", {})
    assert response.status_code == 302
    deliver(app, smtp_sink)
    by_person: dict[str, list[tuple[str, int, str]]] = {}
    for message in smtp_sink.messages():
        calendar = icalendar.Calendar.from_ical(_calendar_part(message).get_payload(decode=True))
        event = calendar.walk("VEVENT")[0]
        by_person.setdefault(message["To"].addresses[0].addr_spec, []).append(
            (str(calendar["METHOD"]), int(event["SEQUENCE"]), str(event["STATUS"]))
        )
    assert len(by_person) == 4
    for sequence in by_person.values():
        assert sequence == [("REQUEST", 0, "CONFIRMED"), ("REQUEST", 1, "CONFIRMED"), ("CANCEL", 2, "CANCELLED")]
    assert all(a.response is ResponseStatus.NEEDS_ACTION for a in db.session.scalars(select(Attendee)))
