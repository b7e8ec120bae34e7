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
    response = client.post(f"/users/{coordinator.id}", data={
        "csrf_token": csrf_token(client, f"/users/{coordinator.id}"), "role": "agency_member", "active": "yes"})
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
    client.post(f"/users/{chair.id}", data={"csrf_token": csrf_token(client, f"/users/{chair.id}"),
                                            "role": "chair", "active": "no"})
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
    weak = runner.invoke(app.cli, ["users", "create", "first.admin@example.test", "--name", "First Admin", "--role",
                                   "administrator", "--agency", agency.name, "--password", "password1234"])
    assert weak.exit_code == 2 and "too common" in weak.output
    ok = runner.invoke(app.cli, ["users", "create", "first.admin@example.test", "--name", "First Admin", "--role",
                                 "administrator", "--agency", agency.name, "--password", "violet-meadow-lantern-9"])
    assert ok.exit_code == 0, ok.output
    created = db.session.scalars(select(User)).one()
    assert created.mfa_enrolled_at is None and created.password_hash.startswith("$argon2id$")


def test_an_administrator_resets_a_lost_authenticator(app, client, factories):
    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    chair = factories.user(agency, Role.CHAIR)
    theirs = app.test_client()
    factories.sign_in(theirs, chair)
    factories.sign_in(client, administrator)
    response = client.post(f"/users/{chair.id}/reset-authenticator",
                           data={"csrf_token": csrf_token(client, f"/users/{chair.id}")})
    assert response.status_code == 302
    assert db.session.get(User, chair.id).mfa_enrolled_at is None
    assert theirs.get("/directory/agencies").status_code == 302
    from tests.support.factories import PASSWORD

    fresh = app.test_client()
    response = fresh.post("/login", data={"email": chair.email, "password": PASSWORD,
                                          "csrf_token": csrf_token(fresh, "/login")})
    assert response.headers["Location"].endswith("/login/set-up-authenticator")
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.mfa_reset")).one()
