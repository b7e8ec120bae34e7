"""A scripted attack run for findings 4 (spoofed calendar replies) and 5 (anonymous storage growth) of the
security review (issue 12). Each attack is made as an outsider would make it; each test prints what happened
(``pytest -s`` shows the run) and asserts that nothing was applied or stored.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import FormDraft, UserSession
from conference.convening.invitation_models import ReplyRecord
from conference.convening.models import Attendee, Conference, ResponseStatus
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome
from tests.integration.convening.conftest import build_area, run_journey, soup

SECRET = "s3cret-value-for-tests"
UID = "4d1c2f0e-8a55-4a53-9b1e-2f6f3c1d9a77"
EMAILS = {"police": "jo.smith@police.example", "health": "alex.rowe@nhs.example", "social": "pat@guardian.example"}


def _invited(client, factories) -> tuple[Conference, dict[str, Attendee]]:
    area = build_area(factories, emails=EMAILS)
    factories.sign_in(client, area.coordinator)
    conference = db.session.get(Conference, uuid.UUID(run_journey(client, area)))
    conference.ical_uid, conference.ical_sequence = UID, 1
    db.session.commit()
    return conference, {a.person.email: a for a in db.session.scalars(select(Attendee))}


def _ics(attendee: str, partstat: str = "DECLINED", comment: str = "") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Evil//EN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        f"UID:{UID}",
        "SEQUENCE:1",
        "DTSTAMP:20261120T140000Z",
        f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee}",
    ]
    if comment:
        lines.append(f"COMMENT:{comment}")
    return "\r\n".join([*lines, "END:VEVENT", "END:VCALENDAR", ""])


def _email(sender: str, attendee: str, comment: str = "") -> bytes:
    return (
        f"From: Someone <{sender}>\r\nTo: meetings@convene.example.org\r\nSubject: Declined\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n"
        + _ics(attendee, comment=comment)
    ).encode()


def _post(client, raw: bytes, secret: str = SECRET):
    return client.post("/conferences/replies", data=raw, headers={"X-Convene-Reply-Secret": secret})


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _actions(prefix: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))))


def test_attack_spoofed_reply_is_held_not_applied(client, factories, monkeypatch):
    monkeypatch.setenv("CONVENE_REPLY_SECRET", SECRET)
    conference, attendees = _invited(client, factories)
    police = attendees["jo.smith@police.example"]
    before = police.response
    response = _post(client, _email("mallory@evil.example", "jo.smith@police.example", "x" * 5000))
    print("spoofed REPLY from mallory@evil.example for jo.smith:", response.status_code, response.json)
    assert response.status_code == 200 and response.json["outcome"] == "held"
    db.session.expire_all()
    assert db.session.get(Attendee, police.id).response is before  # nothing applied
    held = db.session.scalars(select(ReplyRecord).where(ReplyRecord.outcome == ReplyOutcome.HELD)).one()
    assert held.address == "jo.smith@police.example" and not held.sender_verified
    assert len(held.sentence) < 1200  # the attacker's COMMENT is cut short
    [row] = _actions("reply.held")
    assert row.detail["sender_verified"] is False
    board = soup(client.get(f"/conferences/{conference.id}")).get_text(" ")
    assert "Unverified" in board and "mallory@evil.example" in board and "x" * 600 not in board

    # A bare .ics has no sender at all: held as well.
    bare = _post(client, _ics("jo.smith@police.example").encode())
    print("bare .ics REPLY for jo.smith:", bare.status_code, bare.json)
    assert bare.json["outcome"] == "held"
    db.session.expire_all()
    assert db.session.get(Attendee, police.id).response is before

    # The genuine reply, from the attendee's own address, is applied and audited.
    real = _post(client, _email("Jo.Smith@Police.Example", "jo.smith@police.example"))
    assert real.json["outcome"] == "applied"
    db.session.expire_all()
    assert db.session.get(Attendee, police.id).response is ResponseStatus.DECLINED
    assert len(_actions("reply.applied")) == 1


def test_attack_wrong_reply_secret_is_refused_and_audited(client, factories, monkeypatch):
    monkeypatch.setenv("CONVENE_REPLY_SECRET", SECRET)
    _invited(client, factories)
    records = _count(ReplyRecord)
    response = _post(client, _email("jo.smith@police.example", "jo.smith@police.example"), secret="guess")
    print("wrong reply secret:", response.status_code, response.json)
    assert response.status_code == 403
    assert _count(ReplyRecord) == records
    [row] = _actions("reply.secret_refused")
    assert row.outcome == "refused" and "guess" not in str(row.detail)


def test_attack_over_long_address_is_refused_cleanly(client, factories, monkeypatch):
    monkeypatch.setenv("CONVENE_REPLY_SECRET", SECRET)
    _invited(client, factories)
    records = _count(ReplyRecord)
    long_address = "a" * 10_000 + "@evil.example"
    for raw in (
        _ics(long_address).encode(),
        _email(long_address, long_address),
        _email("mallory@evil.example", "b" * 300 + "@evil.example"),
    ):
        response = _post(client, raw)
        print("over-long address:", response.status_code, str(response.json)[:160])
        assert response.status_code == 422 and "address" in response.json["sentence"]
        assert long_address not in response.json["sentence"]
    assert _count(ReplyRecord) == records


def test_attack_anonymous_post_with_a_made_up_cookie_stores_no_draft(client, factories):
    factories.user(factories.agency(factories.area()))
    client.set_cookie("__Host-convene", "made-up-" + "z" * 40, domain="localhost", secure=True)
    response = client.post("/cases/new", data={"child_first_name": "x" * (4 * 1024 * 1024)})
    print("anonymous 4 MB POST with a made-up cookie:", response.status_code, response.headers.get("Location"))
    assert response.status_code in (302, 400, 403, 413)
    assert _count(FormDraft) == 0
    assert _count(UserSession) == 0


def test_attack_a_hundred_anonymous_login_pages_create_no_session_rows(client):
    for _ in range(100):
        fresh = client.application.test_client()
        assert fresh.get("/login").status_code == 200
    print("session rows after 100 anonymous GET /login:", _count(UserSession))
    assert _count(UserSession) == 0
