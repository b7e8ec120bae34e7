"""A scripted attack run against account security (security review, issue 12, findings 1 and 3).

Each test plays one attack the review verified against a running instance, prints what the attacker saw, and
asserts both the answer and that nothing was stored: no authenticator enrolled, no session that grants access.
Run with ``-s`` to read the attack log.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pyotp
import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import Role, User, UserSession
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from tests.integration.decisions.support import fresh_code, make_world, post, record_everything, url
from tests.support.factories import PASSWORD, csrf_token

ONE_MESSAGE_SIGN_OFF = "Enter your password and the code from your authenticator app correctly"
ONE_MESSAGE_LOGIN = "Enter a correct email address and password"


def _log(attack: str, result: str) -> None:
    print(f"[attack] {attack}: {result}")


def _user(user_id) -> User:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _sessions_granting_access(user_id) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user_id, UserSession.mfa_at.is_not(None))
        )
        or 0
    )


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib").get_text(" ", strip=True)


def _reset_link(email: str) -> str:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.method == "RESET", OutboxMessage.to_email == email)
    ).all()
    body = message_from_bytes(rows[-1].body).get_payload(decode=True).decode()
    return re.search(r"https://convene\.test(/login/reset/\S+)", body).group(1)


def _take_over_with_a_reset_link(client, email: str) -> None:
    """The attacker can read the victim's email once: they ask for a reset and choose a password."""
    client.post(
        "/login/forgotten-password",
        data={"email": email, "csrf_token": csrf_token(client, "/login/forgotten-password")},
    )
    link = _reset_link(email)
    new = "attacker-chosen-pass-99"
    response = client.post(
        link, data={"password": new, "confirm_password": new, "csrf_token": csrf_token(client, link)}
    )
    assert response.status_code == 302
    response = client.post("/login", data={"email": email, "password": new, "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/set-up-authenticator")


@pytest.mark.parametrize("victim_state", ["new account before first sign-in", "after an administrator's reset"])
def test_a_reset_link_alone_cannot_set_up_an_authenticator(app, client, factories, victim_state):
    agency = factories.agency(factories.area())
    if victim_state == "new account before first sign-in":
        victim = factories.user(agency, Role.CHAIR, enrolled=False)
    else:
        victim = factories.user(agency, Role.CHAIR)
        administrator = factories.user(agency, Role.ADMINISTRATOR)
        admin_client = app.test_client()
        factories.sign_in(admin_client, administrator)
        response = admin_client.post(
            f"/users/{victim.id}/reset-authenticator",
            data={"csrf_token": csrf_token(admin_client, f"/users/{victim.id}")},
        )
        assert response.status_code == 200

    _take_over_with_a_reset_link(client, victim.email)
    page = client.get("/login/set-up-authenticator")
    html = page.get_data(as_text=True)
    key = re.search(r"Key: <code[^>]*>([A-Z2-7 ]+)</code>", html)
    if key:  # the old flow gave the key to whoever had the password: enrol the attacker's phone with it
        secret = key.group(1).replace(" ", "")
        token = csrf_token(client, "/login/set-up-authenticator")
        client.post("/login/set-up-authenticator", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    _log(
        f"reset link alone, {victim_state}",
        "authenticator key shown" if key else "asked for an enrolment code; no QR code or key shown",
    )
    assert key is None and "data:image/svg" not in html
    assert "Enter your enrolment code" in _text(page) or "enrolment code" in _text(page)

    # Guessing the enrolment code is refused, then limited, and the account locks after 10 wrong codes.
    statuses = []
    for n in range(12):
        response = client.post(
            "/login/set-up-authenticator",
            data={"enrolment_code": f"ABCD-{n:04d}", "csrf_token": csrf_token(client, "/login/set-up-authenticator")},
        )
        statuses.append(response.status_code)
    _log("guessing enrolment codes", f"answers {statuses}")
    assert statuses[0] == 400 and "data:image/svg" not in response.get_data(as_text=True)
    assert all(s in (302, 400, 429) for s in statuses) and 200 not in statuses

    stored = _user(victim.id)
    assert stored.totp_secret_encrypted is None and stored.mfa_enrolled_at is None
    assert _sessions_granting_access(victim.id) == 0
    assert client.get("/directory/agencies").status_code == 302


def test_forty_wrong_sign_offs_are_limited_lock_the_account_and_get_one_message(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as traveller:
        answers = []
        for n in range(40):
            wrong = (
                {"password": "not-my-password", "code": fresh_code(world.chair)}
                if n % 2
                else {"password": PASSWORD, "code": "000000"}
            )
            response = post(client, url(world, "/check"), wrong)
            answers.append((response.status_code, ONE_MESSAGE_SIGN_OFF in _text(response)))
        _log(
            "40 wrong sign-offs at once",
            f"{answers.count((400, True))} refused with one message, "
            f"{sum(1 for s, _ in answers if s == 429)} limited (429)",
        )
        assert answers[:5] == [(400, True)] * 5
        assert all(status == 429 for status, _ in answers[5:])
        traveller.shift(timedelta(seconds=61))
        later = [
            post(client, url(world, "/check"), {"password": "not-my-password", "code": "000000"}).status_code
            for _ in range(5)
        ]
        _log("5 more a minute later", f"answers {later}; account locked: {_user(world.chair.id).locked_at is not None}")
        assert later == [400] * 5
        assert _user(world.chair.id).locked_at is not None
        # The locked account's session ends; its password and code no longer sign anyone in.
        assert client.get(url(world, "/check")).status_code == 302
    fresh = client.application.test_client()
    response = fresh.post(
        "/login", data={"email": world.chair.email, "password": PASSWORD, "csrf_token": csrf_token(fresh, "/login")}
    )
    assert response.status_code == 400 and ONE_MESSAGE_LOGIN in _text(response)
    assert _sessions_granting_access(world.chair.id) == 0
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "decision.reauth_failed")).all()
    assert len(failed) == 10 and all("factor" not in (row.detail or {}) for row in failed)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.locked")).one()


def test_code_guessing_across_sessions_and_addresses_is_limited_and_locks_the_account(app, factories):
    victim = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    start = datetime.now(UTC)
    answers: list[int] = []  # the answers to code guesses
    sign_ins: list[int] = []  # the answers to the password step
    with time_machine.travel(start, tick=True) as traveller:
        for minute in range(3):
            for n in range(4):  # a fresh session from a fresh address each time: per-IP limits alone do not help
                attacker = app.test_client()
                attacker.environ_base["REMOTE_ADDR"] = f"192.0.2.{minute * 10 + n + 1}"
                response = attacker.post(
                    "/login",
                    data={"email": victim.email, "password": PASSWORD, "csrf_token": csrf_token(attacker, "/login")},
                )
                sign_ins.append(response.status_code)
                if response.status_code != 302:
                    continue
                token = csrf_token(attacker, "/login/code")
                for _ in range(2):
                    response = attacker.post("/login/code", data={"code": "123456", "csrf_token": token})
                    answers.append(response.status_code)
            traveller.shift(timedelta(seconds=61))
    _log("code guessing, 12 sessions from 12 addresses over 3 minutes", f"codes {answers}, sign-ins {sign_ins}")
    assert answers.count(429) >= 1  # limited per account, whatever the session or address
    assert answers.count(400) == 10  # then locked: the password step refuses the account
    assert sign_ins[-1] == 400
    stored = _user(victim.id)
    assert stored.locked_at is not None and stored.totp_last_step is None
    assert _sessions_granting_access(victim.id) == 0
    # Even the right code no longer works for the locked account.
    attacker = app.test_client()
    response = attacker.post(
        "/login", data={"email": victim.email, "password": PASSWORD, "csrf_token": csrf_token(attacker, "/login")}
    )
    assert response.status_code == 400
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == victim.email)).all()
    assert len(notice) == 1 and b"locked" in notice[0].body


def test_failures_for_a_made_up_email_do_not_block_a_colleague_at_the_same_office(client, factories):
    colleague = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    token = csrf_token(client, "/login")
    statuses = [
        client.post(
            "/login", data={"email": "made.up@example.test", "password": "wrong-password-here", "csrf_token": token}
        ).status_code
        for _ in range(10)
    ]
    office = client.application.test_client()
    factories.sign_in(office, colleague)
    _log("10 failures for a made-up email, then a colleague from the same address", f"{statuses}; colleague in")
    assert statuses == [400] * 10
    assert office.get("/directory/agencies").status_code == 200
