"""Administrators change roles and disable accounts; each change is audited and applies on the next request."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import Role, User, UserSession
from conference.extensions import db
from tests.support.factories import csrf_token


def test_role_change_applies_on_the_next_request_and_is_audited(app, client, factories):
    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    coordinator = factories.user(agency, Role.COORDINATOR)
    theirs = app.test_client()
    factories.sign_in(theirs, coordinator)
    assert theirs.get("/cases/new").status_code == 200

    factories.sign_in(client, administrator)
    assert coordinator.display_name in client.get("/users").get_data(as_text=True)
    response = client.post(
        f"/users/{coordinator.id}",
        data={"csrf_token": csrf_token(client, f"/users/{coordinator.id}"), "role": "agency_member", "active": "yes"},
    )
    assert response.status_code == 302
    assert theirs.get("/cases/new").status_code == 403
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_change")).all()
    assert len(rows) == 1 and rows[0].detail == {"from": "coordinator", "to": "agency_member"}


def test_disabling_an_account_signs_it_out_everywhere(app, client, factories):
    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    chair = factories.user(agency, Role.CHAIR)
    theirs = app.test_client()
    factories.sign_in(theirs, chair)
    factories.sign_in(client, administrator)
    client.post(
        f"/users/{chair.id}",
        data={"csrf_token": csrf_token(client, f"/users/{chair.id}"), "role": "chair", "active": "no"},
    )
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == chair.id)) == 0
    assert theirs.get("/directory/agencies").status_code == 302


def test_bad_input_and_self_lockout_are_refused(client, factories):
    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    factories.sign_in(client, administrator)
    token = csrf_token(client, f"/users/{administrator.id}")
    response = client.post(f"/users/{administrator.id}", data={"csrf_token": token, "role": "wizard"})
    assert response.status_code == 400
    assert "Select a role" in response.get_data(as_text=True)
    response = client.post(f"/users/{administrator.id}", data={"csrf_token": token, "role": "chair", "active": "yes"})
    assert response.status_code == 400
    assert db.session.get(User, administrator.id).role == Role.ADMINISTRATOR


def test_accounts_of_another_area_are_not_found(client, factories):
    administrator = factories.user(factories.agency(factories.area("NB")), Role.ADMINISTRATOR)
    stranger = factories.user(factories.agency(factories.area("EM")), Role.COORDINATOR)
    factories.sign_in(client, administrator)
    assert client.get(f"/users/{stranger.id}").status_code == 404


def test_no_account_exists_until_one_is_created_and_the_cli_checks_passwords(app, factories):
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    agency = factories.agency(factories.area(), name="Northbridge Children's Services")
    runner = CliRunner()

    def create_admin(password: str):  # type: ignore[no-untyped-def]
        args = ["users", "create", "first.admin@example.test", "--name", "First Admin", "--role", "administrator"]
        return runner.invoke(app.cli, [*args, "--agency", agency.name, "--password", password])

    weak = create_admin("password1234")
    assert weak.exit_code == 2 and "too common" in weak.output
    ok = create_admin("violet-meadow-lantern-9")
    assert ok.exit_code == 0, ok.output
    assert "Enrolment code: " in ok.output and "never by email" in ok.output
    created = db.session.scalars(select(User)).one()
    assert created.mfa_enrolled_at is None and created.password_hash.startswith("$argon2id$")
    assert created.enrolment_code_hash and created.enrolment_code_expires_at


def _enrolment_code(response) -> str:
    import re

    match = re.search(r"\b([A-Z2-9]{5}-[A-Z2-9]{5})\b", response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:800]
    return match.group(1)


def test_an_administrator_resets_a_lost_authenticator_with_a_one_time_enrolment_code(app, client, factories):
    import re

    import pyotp

    from conference.outbox.models import OutboxMessage
    from tests.support.factories import PASSWORD

    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    chair = factories.user(agency, Role.CHAIR)
    theirs = app.test_client()
    factories.sign_in(theirs, chair)
    factories.sign_in(client, administrator)
    response = client.post(
        f"/users/{chair.id}/reset-authenticator", data={"csrf_token": csrf_token(client, f"/users/{chair.id}")}
    )
    assert response.status_code == 200 and "This code is shown once" in response.get_data(as_text=True)
    code = _enrolment_code(response)
    stored = db.session.get(User, chair.id)
    assert stored.mfa_enrolled_at is None and stored.totp_secret_encrypted is None
    assert stored.enrolment_code_hash and code.replace("-", "") not in stored.enrolment_code_hash
    assert theirs.get("/directory/agencies").status_code == 302
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.mfa_reset")).one()
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.enrolment_code_issued")).one()
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == chair.email)).one()
    assert b"authenticator app was reset" in notice.body and code.encode() not in notice.body

    fresh = app.test_client()
    response = fresh.post(
        "/login", data={"email": chair.email, "password": PASSWORD, "csrf_token": csrf_token(fresh, "/login")}
    )
    assert response.headers["Location"].endswith("/login/set-up-authenticator")
    page = fresh.get("/login/set-up-authenticator")
    assert "Enter your enrolment code" in page.get_data(as_text=True) and "data:image/svg" not in page.get_data(
        as_text=True
    )
    response = fresh.post(
        "/login/set-up-authenticator",
        data={"enrolment_code": "", "csrf_token": csrf_token(fresh, "/login/set-up-authenticator")},
    )
    assert response.status_code == 400 and "Enter the enrolment code your administrator gave you" in (
        response.get_data(as_text=True)
    )
    token = csrf_token(fresh, "/login/set-up-authenticator")
    response = fresh.post(
        "/login/set-up-authenticator", data={"enrolment_code": code.lower().replace("-", " "), "csrf_token": token}
    )
    assert response.status_code == 302
    page = fresh.get("/login/set-up-authenticator").get_data(as_text=True)
    secret = re.search(r"Key: <code[^>]*>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    response = fresh.post(
        "/login/set-up-authenticator",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(fresh, "/login/set-up-authenticator")},
    )
    assert response.status_code == 302
    assert fresh.get("/directory/agencies").status_code == 200
    db.session.expire_all()
    stored = db.session.get(User, chair.id)
    assert stored.mfa_enrolled_at is not None and stored.enrolment_code_hash is None  # used up: works once
    subjects = [
        row.body.split(b"Subject: ")[1].split(b"\n")[0]
        for row in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_email == chair.email).order_by(OutboxMessage.created_at)
        )
    ]
    assert subjects == [
        b"Your Convene authenticator app was reset",
        b"An authenticator app was set up for your Convene account",
    ]


def test_an_enrolment_code_expires_and_an_old_one_stops_working(app, client, factories):
    from datetime import UTC, datetime, timedelta

    import time_machine

    from tests.support.factories import PASSWORD

    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    newcomer = factories.user(agency, Role.COORDINATOR, enrolled=False)
    factories.sign_in(client, administrator)
    first = _enrolment_code(
        client.post(
            f"/users/{newcomer.id}/reset-authenticator",
            data={"csrf_token": csrf_token(client, f"/users/{newcomer.id}")},
        )
    )
    second = _enrolment_code(
        client.post(
            f"/users/{newcomer.id}/reset-authenticator",
            data={"csrf_token": csrf_token(client, f"/users/{newcomer.id}")},
        )
    )
    theirs = app.test_client()
    theirs.post(
        "/login", data={"email": newcomer.email, "password": PASSWORD, "csrf_token": csrf_token(theirs, "/login")}
    )
    response = theirs.post(
        "/login/set-up-authenticator",
        data={"enrolment_code": first, "csrf_token": csrf_token(theirs, "/login/set-up-authenticator")},
    )
    assert response.status_code == 400 and "ask your administrator for a new one" in response.get_data(as_text=True)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, minutes=1)):
        theirs = app.test_client()
        theirs.post(
            "/login", data={"email": newcomer.email, "password": PASSWORD, "csrf_token": csrf_token(theirs, "/login")}
        )
        response = theirs.post(
            "/login/set-up-authenticator",
            data={"enrolment_code": second, "csrf_token": csrf_token(theirs, "/login/set-up-authenticator")},
        )
        assert response.status_code == 400
    assert db.session.get(User, newcomer.id).totp_secret_encrypted is None


def test_an_administrator_unlocks_a_locked_account(app, client, factories):
    from datetime import UTC, datetime

    from sqlalchemy import update

    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    chair = factories.user(agency, Role.CHAIR)
    db.session.execute(update(User).where(User.id == chair.id).values(locked_at=datetime.now(UTC), failed_logins=10))
    db.session.commit()
    factories.sign_in(client, administrator)
    assert "Locked" in client.get("/users").get_data(as_text=True)
    assert "Unlock account" in client.get(f"/users/{chair.id}").get_data(as_text=True)
    response = client.post(f"/users/{chair.id}/unlock", data={"csrf_token": csrf_token(client, f"/users/{chair.id}")})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, chair.id).locked_at is None and db.session.get(User, chair.id).failed_logins == 0
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.unlocked")).all()
    assert len(rows) == 1 and rows[0].actor_user_id == administrator.id
    factories.sign_in(app.test_client(), chair)


def test_an_administrator_creates_an_account_which_needs_the_email_link_and_the_enrolment_code(app, client, factories):
    import re
    from email import message_from_bytes

    import pyotp

    from conference.outbox.models import OutboxMessage

    area = factories.area()
    agency = factories.agency(area)
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    factories.sign_in(client, administrator)
    assert "Create an account" in client.get("/users").get_data(as_text=True)
    token = csrf_token(client, "/users/new")
    bad = client.post(
        "/users/new",
        data={"csrf_token": token, "display_name": "", "email": "not-an-email", "role": "wizard", "agency_id": "x"},
    )
    assert bad.status_code == 400
    for message in (
        "Enter their full name",
        "Enter an email address in the correct format",
        "Select a role",
        "Select an agency",
    ):
        assert message in bad.get_data(as_text=True)
    taken = client.post(
        "/users/new",
        data={
            "csrf_token": token,
            "display_name": "Dup",
            "email": administrator.email,
            "role": "chair",
            "agency_id": str(agency.id),
        },
    )
    assert taken.status_code == 400 and "already has an account" in taken.get_data(as_text=True)

    response = client.post(
        "/users/new",
        data={
            "csrf_token": token,
            "display_name": "Nova Reed",
            "email": "Nova.Reed@example.test",
            "role": "chair",
            "agency_id": str(agency.id),
        },
    )
    assert response.status_code == 200 and "This code is shown once" in response.get_data(as_text=True)
    code = _enrolment_code(response)
    created = db.session.scalars(select(User).where(User.email == "nova.reed@example.test")).one()
    assert created.role == Role.CHAIR and created.mfa_enrolled_at is None and created.enrolment_code_hash
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == created.email)).one()
    assert code.encode() not in mail.body
    body = message_from_bytes(mail.body).get_payload(decode=True).decode()
    link = re.search(r"https://convene\.test(/login/reset/\S+)", body).group(1)

    person = app.test_client()
    new = "quartz-meadow-falcon-62"
    assert (
        person.post(
            link, data={"password": new, "confirm_password": new, "csrf_token": csrf_token(person, link)}
        ).status_code
        == 302
    )
    person.post("/login", data={"email": created.email, "password": new, "csrf_token": csrf_token(person, "/login")})
    person.post(
        "/login/set-up-authenticator",
        data={"enrolment_code": code, "csrf_token": csrf_token(person, "/login/set-up-authenticator")},
    )
    page = person.get("/login/set-up-authenticator").get_data(as_text=True)
    secret = re.search(r"Key: <code[^>]*>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    person.post(
        "/login/set-up-authenticator",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(person, "/login/set-up-authenticator")},
    )
    assert person.get("/directory/agencies").status_code == 200
