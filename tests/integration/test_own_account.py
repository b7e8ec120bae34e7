"""A person changes their own password and sees and ends their own sessions (ASVS 2.1.5, 2.1.6, 3.3.4, 3.3.3)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import Role, User, UserSession
from conference.auth.passwords import verify_password
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from tests.support.factories import PASSWORD, csrf_token

NEW = "harbour-quince-maple-31"


def _change(client, **fields):
    data = {
        "current_password": PASSWORD,
        "new_password": NEW,
        "confirm_password": NEW,
        "csrf_token": csrf_token(client, "/account/password"),
        **fields,
    }
    return client.post("/account/password", data=data)


def _sessions(user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def test_changing_ones_password_needs_the_current_one_and_the_policy(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.CHAIR)
    factories.sign_in(client, user)
    assert "Change your password" in client.get("/account/password").get_data(as_text=True)
    wrong = _change(client, current_password="not-my-password")
    assert wrong.status_code == 400 and "Enter your current password correctly" in wrong.get_data(as_text=True)
    common = _change(client, new_password="password1234", confirm_password="password1234")
    assert common.status_code == 400 and "Password is too common" in common.get_data(as_text=True)
    mismatch = _change(client, confirm_password="something-else-entirely")
    assert mismatch.status_code == 400 and "Enter the same password twice" in mismatch.get_data(as_text=True)
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password.change_failed")).one()


def test_a_changed_password_is_audited_emailed_and_can_end_other_sessions(app, client, factories):
    user = factories.user(factories.agency(factories.area()), Role.CHAIR)
    elsewhere = app.test_client()
    factories.sign_in(elsewhere, user)
    factories.sign_in(client, user)
    assert _sessions(user) == 2
    response = _change(client, end_other_sessions="yes")
    assert response.status_code == 302
    assert "Your password has been changed" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW)
    assert client.get("/directory/agencies").status_code == 200  # this session goes on
    assert elsewhere.get("/directory/agencies").status_code == 302  # the other one ended
    assert _sessions(user) == 1
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "password.changed")).one()
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == user.email)).one()
    assert b"Subject: Your Convene password was changed" in notice.body


def test_a_person_sees_their_sessions_and_ends_one_or_all_others(app, client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    someone_else = factories.user(factories.agency(factories.area("EM")), Role.COORDINATOR)
    phones = [app.test_client() for _ in range(3)]
    for phone in phones:
        factories.sign_in(phone, user)
    stranger = app.test_client()
    factories.sign_in(stranger, someone_else)
    factories.sign_in(client, user)
    page = client.get("/account/sessions")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    rows = soup.select("tbody tr")
    assert len(rows) == 4 and sum("This session" in row.get_text() for row in rows) == 1
    forms = soup.select("form[action^='/account/sessions/'][action$='/end']")
    assert len(forms) == 3  # none for this session
    response = client.post(forms[0]["action"], data={"csrf_token": csrf_token(client, "/account/sessions")})
    assert response.status_code == 302
    assert _sessions(user) == 3
    assert sum(phone.get("/directory/agencies").status_code == 302 for phone in phones) == 1
    # Another person's session cannot be ended through this page.
    assert (
        client.post(
            "/account/sessions/0000000000000000/end", data={"csrf_token": csrf_token(client, "/account/sessions")}
        ).status_code
        == 404
    )
    client.post("/account/sessions/end-others", data={"csrf_token": csrf_token(client, "/account/sessions")})
    assert _sessions(user) == 1 and _sessions(someone_else) == 1
    assert client.get("/directory/agencies").status_code == 200
    assert all(phone.get("/directory/agencies").status_code == 302 for phone in phones)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("session%"))).all()
    assert actions.count("session.ended") == 1 and actions.count("session.others_ended") == 1
