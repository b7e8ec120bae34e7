"""Forgotten passwords: the same answer for every address, a single-use 30-minute link, MFA still required."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pyotp
import time_machine
from sqlalchemy import select, update

from conference.audit import AuditEvent
from conference.auth.models import User, UserSession
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from tests.support.factories import TOTP_SECRET, csrf_token


def _ask(client, email):
    return client.post(
        "/login/forgotten-password",
        data={"email": email, "csrf_token": csrf_token(client, "/login/forgotten-password")},
    )


def _link() -> str:
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "RESET")).one()
    body = message_from_bytes(row.body).get_payload(decode=True).decode()
    return re.search(r"https://convene\.test(/login/reset/\S+)", body).group(1)


def test_the_answer_is_the_same_for_known_and_unknown_addresses(client, factories):
    user = factories.user(factories.agency(factories.area()))
    known, unknown = _ask(client, user.email), _ask(client, "nobody@example.test")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "EMAIL")  # noqa: E731
    assert re.sub(r'nonce="[^"]+"|value="[^"]+"', "", strip(known, user.email)) == re.sub(
        r'nonce="[^"]+"|value="[^"]+"', "", strip(unknown, "nobody@example.test")
    )
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_a_reset_link_works_once_ends_sessions_and_still_needs_the_code(app, client, factories):
    user = factories.user(factories.agency(factories.area()))
    other = app.test_client()
    factories.sign_in(other, user)
    _ask(client, user.email)
    link = _link()
    assert client.get(link).status_code == 200
    new = "amber-valley-kettle-42"
    token = csrf_token(client, link)
    response = client.post(link, data={"password": new, "confirm_password": new, "csrf_token": token})
    assert response.status_code == 302
    assert "Your password has been changed" in client.get("/login").get_data(as_text=True)
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    assert other.get("/directory/agencies").status_code == 302
    assert client.get(link).status_code == 410  # used
    response = client.post(
        "/login",
        data={"email": user.email, "password": "amber-valley-kettle-42", "csrf_token": csrf_token(client, "/login")},
    )
    assert response.headers["Location"].endswith("/login/code")  # MFA is not skipped
    assert client.get("/directory/agencies").status_code == 302
    db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))  # a later code
    db.session.commit()
    client.post(
        "/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now(), "csrf_token": csrf_token(client, "/login/code")}
    )
    assert client.get("/directory/agencies").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "password.reset_requested" in actions and "password.reset" in actions
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "NOTICE")).one()
    assert notice.to_email == user.email and b"Subject: Your Convene password was changed" in notice.body


def test_an_expired_or_tampered_link_is_refused(client, factories):
    user = factories.user(factories.agency(factories.area()))
    _ask(client, user.email)
    link = _link()
    assert client.get(link + "x").status_code == 410
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=31)):
        assert client.get(link).status_code == 410
    before = db.session.get(User, user.id).password_hash
    response = client.post(link + "x", data={"password": "amber-valley-kettle-42", "csrf_token": "x"})
    assert response.status_code in (400, 410)
    assert db.session.get(User, user.id).password_hash == before


def test_weak_or_mismatched_new_passwords_are_explained(client, factories):
    user = factories.user(factories.agency(factories.area()))
    _ask(client, user.email)
    link = _link()
    response = client.post(
        link, data={"password": "short", "confirm_password": "short", "csrf_token": csrf_token(client, link)}
    )
    assert response.status_code == 400 and "12 characters or more" in response.get_data(as_text=True)
    response = client.post(
        link,
        data={
            "password": "amber-valley-kettle-42",
            "confirm_password": "different-one-here",
            "csrf_token": csrf_token(client, link),
        },
    )
    assert response.status_code == 400 and "Enter the same password twice" in response.get_data(as_text=True)
    assert client.get(link).status_code == 200  # still usable after mistakes
