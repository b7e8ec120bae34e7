"""Replies in the forms real clients send (fixtures of tests/unit/invitations/replies), the machine endpoint,
the import command, and personal link replies with their misuse."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.convening.inbound import import_calendar_reply
from conference.convening.invitation_models import InvitationLink, ReplyRecord
from conference.convening.models import Attendee, Conference, ResponseStatus
from conference.directory.models import AvailabilitySource
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome
from conference.outbox.models import OutboxMessage
from tests.integration.convening.conftest import build_area, deliver, post, run_journey, soup
from tests.support.factories import EMPTY_ICS

FIXTURES = Path(__file__).resolve().parents[2] / "unit" / "invitations" / "replies"
FIXTURE_UID = "4d1c2f0e-8a55-4a53-9b1e-2f6f3c1d9a77"
EMAILS = {"police": "jo.smith@police.example", "health": "alex.rowe@nhs.example", "social": "pat@guardian.example"}


def _invited(client, factories) -> tuple[Conference, dict[str, Attendee]]:
    area = build_area(factories, emails=EMAILS)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    conference = db.session.get(Conference, uuid.UUID(conference_id))
    conference.ical_uid = FIXTURE_UID
    conference.ical_sequence = 1
    db.session.commit()
    attendees = {a.person.email: a for a in db.session.scalars(select(Attendee))}
    return conference, attendees


def _import(name: str):
    result = import_calendar_reply((FIXTURES / name).read_bytes())
    db.session.commit()
    return result


def test_calendar_replies_apply_hold_or_refuse_in_words(client, factories):
    conference, attendees = _invited(client, factories)
    assert _import("outlook_reply_accepted.eml").outcome is ReplyOutcome.APPLIED  # no ORGANIZER, Outlook
    assert _import("google_reply_declined.eml").outcome is ReplyOutcome.APPLIED
    assert _import("apple_reply_tentative.eml").outcome is ReplyOutcome.APPLIED
    db.session.expire_all()
    assert attendees["jo.smith@police.example"].response is ResponseStatus.ACCEPTED
    assert attendees["alex.rowe@nhs.example"].response is ResponseStatus.DECLINED
    assert attendees["pat@guardian.example"].response is ResponseStatus.TENTATIVE

    stale = _import("stale_sequence_reply.ics")
    assert stale.outcome is ReplyOutcome.STALE and "earlier version" in stale.sentence
    db.session.expire_all()
    assert attendees["jo.smith@police.example"].response is ResponseStatus.ACCEPTED
    resent = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_email == "jo.smith@police.example")
        .order_by(OutboxMessage.created_at)
    ).all()
    assert len(resent) == 2 and resent[-1].ical_sequence == 1

    held = _import("uninvited_reply.ics")
    assert held.outcome is ReplyOutcome.HELD and "was not invited" in held.sentence
    counter = _import("outlook_counter.ics")
    assert counter.outcome is ReplyOutcome.COUNTER
    for name in ("truncated.ics", "no_calendar.eml", "forwarded_request.ics", "no_partstat_reply.ics"):
        refused = _import(name)
        assert refused.outcome is ReplyOutcome.REFUSED and len(refused.sentence) > 20

    board = soup(client.get(f"/conferences/{conference.id}")).get_text(" ")
    assert "Proposed new times" in board and "proposes a new time" in board
    assert "held for you to check" in board and "chris@other-council.example" in board
    assert "Declined" in board and "Accepted" in board and "Tentative" in board


def test_reply_endpoint_needs_the_shared_secret_and_is_csrf_exempt(client, factories, app, monkeypatch):
    _invited(client, factories)
    raw = (FIXTURES / "outlook_reply_accepted.eml").read_bytes()
    assert client.post("/conferences/replies", data=raw).status_code == 403
    monkeypatch.setenv("CONVENE_REPLY_SECRET", "s3cret-value-for-tests")
    wrong = client.post("/conferences/replies", data=raw, headers={"X-Convene-Reply-Secret": "nope"})
    assert wrong.status_code == 403
    ok = client.post("/conferences/replies", data=raw, headers={"X-Convene-Reply-Secret": "s3cret-value-for-tests"})
    assert ok.status_code == 200 and ok.json["outcome"] == "applied"
    bad = client.post(
        "/conferences/replies", data=b"\x00garbage", headers={"X-Convene-Reply-Secret": "s3cret-value-for-tests"}
    )
    assert bad.status_code == 422 and "calendar" in bad.json["sentence"]


def test_replies_import_command_reports_a_malformed_file(app, client, factories, tmp_path):
    _invited(client, factories)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["replies", "import", str(FIXTURES / "truncated.ics")])
    assert result.exit_code == 1 and "damaged" in result.output
    result = runner.invoke(args=["replies", "import", str(tmp_path / "missing.ics")])
    assert result.exit_code == 2 and "Cannot read" in result.output
    result = runner.invoke(args=["replies", "import", str(FIXTURES / "outlook_reply_accepted.eml")])
    assert result.exit_code == 0 and "accepted" in result.output
    assert db.session.scalars(select(ReplyRecord).where(ReplyRecord.outcome == ReplyOutcome.APPLIED)).first()


def _tokens(smtp_sink) -> dict[str, str]:
    found = {}
    for message in smtp_sink.messages():
        body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
        found[message["To"].addresses[0].addr_spec] = re.search(r"https://convene\.test/r/(\S+)", body).group(1)
    return found


@pytest.mark.committed
def test_link_replies_work_only_for_their_own_invitee_and_meeting(client, factories, smtp_sink, app):
    area = build_area(factories, emails=EMAILS)
    factories.sign_in(client, area.coordinator)
    run_journey(client, area)
    deliver(app, smtp_sink)
    tokens = _tokens(smtp_sink)
    police, health = tokens["jo.smith@police.example"], tokens["alex.rowe@nhs.example"]
    anonymous = app.test_client()

    page = anonymous.get(f"/r/{police}")
    assert page.status_code == 200 and "Can you attend?" in page.get_data(as_text=True)
    assert "Zephyrine" not in page.get_data(as_text=True)
    # Extra fields naming another attendee change nothing else.
    other = db.session.scalars(
        select(Attendee).join(Attendee.person).where(Attendee.person.has(email="alex.rowe@nhs.example"))
    ).one()
    response = post(
        anonymous, f"/r/{police}", {"answer": "accept", "attendee_id": str(other.id), "response": "declined"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    by_email = {a.person.email: a for a in db.session.scalars(select(Attendee))}
    assert by_email["jo.smith@police.example"].response is ResponseStatus.ACCEPTED
    assert by_email["alex.rowe@nhs.example"].response is ResponseStatus.NEEDS_ACTION
    assert "Your answer has been sent" in anonymous.get(f"/r/{police}").get_data(as_text=True)
    link_audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reply.link")).one()
    police_attendee = by_email["jo.smith@police.example"]
    assert link_audit.detail["answer"] == "accept" and link_audit.object_id == str(police_attendee.id)

    assert post(anonymous, f"/r/{health}", {"answer": "nonsense"}).status_code == 400
    assert anonymous.get(f"/r/{police}x").status_code == 410
    assert anonymous.get("/r/" + "A" * 43).status_code == 410

    # Send my deputy: only a deputy free at the meeting's time is offered (Lou's calendar is unknown until uploaded).
    deputy_page = anonymous.get(f"/r/{health}/deputy").get_data(as_text=True)
    assert "Not available then" in deputy_page and "has no known availability" in deputy_page
    refused = post(anonymous, f"/r/{health}/deputy", {"deputy": str(area.people["health2"].id)}, f"/r/{health}")
    assert refused.status_code == 400
    area.people["health2"].availability_source = AvailabilitySource.ICS_UPLOAD
    area.people["health2"].availability_ics = EMPTY_ICS
    db.session.commit()
    # The deputy gets a REQUEST, the original a CANCEL, and the old link stops working.
    assert post(anonymous, f"/r/{health}/deputy", {"deputy": ""}).status_code == 400
    response = post(anonymous, f"/r/{health}/deputy", {"deputy": str(area.people["health2"].id)})
    assert response.status_code == 200 and "has been invited" in response.get_data(as_text=True)
    db.session.expire_all()
    methods = [
        (m.to_email, m.method) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
    ][-2:]
    assert methods == [(area.people["health2"].email, "REQUEST"), ("alex.rowe@nhs.example", "CANCEL")]
    cancel = db.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "CANCEL")).one()
    assert cancel.ical_sequence == 1  # one above the meeting's, so the person's calendar removes it
    assert anonymous.get(f"/r/{health}").status_code == 410

    # After the meeting ends the link no longer works, and changes nothing.
    for link in db.session.scalars(select(InvitationLink)):
        link.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    refused = post(anonymous, f"/r/{police}", {"answer": "decline"}, "/login")
    assert refused.status_code == 410 and "ended" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert by_email["jo.smith@police.example"].response is ResponseStatus.ACCEPTED
