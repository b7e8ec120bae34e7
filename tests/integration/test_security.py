"""The security bar of the foundation (docs/security-checklist.md), as tests that can fail."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from argon2 import extract_parameters
from sqlalchemy import func, select, text, update

from conference import create_app
from conference.audit import AuditEvent, verify_audit_log
from conference.auth.models import FormDraft, Role, User, UserSession
from conference.auth.policy import Permission
from conference.cases.models import Case
from conference.config import Settings, SettingsError
from conference.extensions import db
from tests.support.factories import PASSWORD, TOTP_SECRET, csrf_token

SAMPLE_ARGS = {"case_id": uuid.uuid4(), "agency_id": uuid.uuid4(), "number": 1}  # number: a version that may exist


def _url_for_rule(app, rule) -> str:
    values = {}
    for arg in rule.arguments:
        values[arg] = SAMPLE_ARGS.get(arg, uuid.uuid4())
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _guarded_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or getattr(view, "_public", False):
            continue
        yield rule


def test_every_route_declares_a_permission_or_is_explicitly_public(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not getattr(app.view_functions[rule.endpoint], "_public", False)
        and not isinstance(getattr(app.view_functions[rule.endpoint], "_permission", None), Permission)
    ]
    assert undeclared == []


def test_anonymous_requests_to_every_guarded_route_are_refused(app, client):
    checked = 0
    for rule in _guarded_rules(app):
        url = _url_for_rule(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 400, 401), (method, url, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].endswith("/login"), (method, url)
            checked += 1
    assert checked >= 8


def test_a_password_only_session_reaches_only_the_code_pages(app, client, factories):
    user = factories.user(factories.agency(factories.area()), Role.MANAGER)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    for rule in _guarded_rules(app):
        if rule.endpoint in {"auth.mfa", "auth.mfa_setup", "auth.logout"} or "GET" not in (rule.methods or ()):
            continue
        response = client.get(_url_for_rule(app, rule))
        assert response.status_code == 302 and response.headers["Location"].endswith("/login/code"), rule.rule


def test_a_signed_in_user_without_the_permission_gets_403(client, factories):
    area = factories.area()
    admin = factories.user(factories.agency(area), Role.ADMINISTRATOR)
    case = factories.case(factories.user(factories.agency(area), Role.COORDINATOR))
    factories.sign_in(client, admin)
    assert client.get("/cases").status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get("/cases/new").status_code == 403


def test_object_scope_across_two_areas_and_agencies(app, client, factories):
    north, east = factories.area("NB", "Northbridge"), factories.area("EM", "Eastmere")
    north_care, east_care = factories.agency(north), factories.agency(east)
    north_police = factories.agency(north, kind="police")
    north_coordinator = factories.user(north_care, Role.COORDINATOR)
    east_coordinator = factories.user(east_care, Role.COORDINATOR)
    police_member = factories.user(north_police, Role.AGENCY_MEMBER)
    north_cases = [factories.case(north_coordinator) for _ in range(3)]
    east_case = factories.case(east_coordinator)
    factories.involve(north_cases[0], north_police)

    factories.sign_in(client, north_coordinator)
    assert client.get(f"/cases/{east_case.id}").status_code == 404
    assert client.get(f"/cases/{east_case.id}/access-log").status_code in (403, 404)
    listing = client.get("/cases").get_data(as_text=True)
    assert all(c.reference in listing for c in north_cases) and east_case.reference not in listing

    police = app.test_client()
    factories.sign_in(police, police_member)
    assert police.get(f"/cases/{north_cases[0].id}").status_code == 200
    assert police.get(f"/cases/{north_cases[1].id}").status_code == 404
    listing = police.get("/cases").get_data(as_text=True)
    assert north_cases[0].reference in listing and north_cases[1].reference not in listing
    # An agency member does not see the child's identity.
    page = police.get(f"/cases/{north_cases[0].id}").get_data(as_text=True)
    assert "Testchild" not in page and "identity is restricted" in page


def test_session_cookie_flags(client, factories):
    user = factories.user(factories.agency(factories.area()))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
    )
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-convene=")]
    assert len(cookies) == 1
    attributes = {part.strip().split("=")[0].lower() for part in cookies[0].split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes
    assert "samesite=lax" in cookies[0].lower() and "path=/" in cookies[0].lower()
    token = cookies[0].split(";")[0].split("=", 1)[1]
    assert len(token) >= 43  # 256 bits, URL-safe base64


@pytest.mark.parametrize("path", ["/login", "/healthz", "/no-such-page", "/accessibility"])
def test_security_headers_on_html_json_and_error_responses(client, path):
    first, second = client.get(path), client.get(path)
    for response in (first, second):
        csp = response.headers["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert "charset=utf-8" in response.headers["Content-Type"].lower()
    nonce = re.compile(r"'nonce-([^']+)'")
    assert nonce.search(first.headers["Content-Security-Policy"]).group(1) != nonce.search(
        second.headers["Content-Security-Policy"]
    ).group(1)


def test_trace_is_refused_and_get_cannot_sign_out(client, factories):
    assert client.open("/login", method="TRACE").status_code == 405
    factories.sign_in(client, factories.user(factories.agency(factories.area())))
    assert client.get("/logout").status_code == 405


def test_csrf_refusal_saves_nothing(client, factories):
    factories.sign_in(client, factories.user(factories.agency(factories.area()), Role.COORDINATOR))
    response = client.post("/cases/new", data={"child_first_name": "Nocsrf", "gender": "male"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_totp_code_works_once(client, factories, app):
    user = factories.user(factories.agency(factories.area()))
    factories.sign_in(client, user)
    used_step = db.session.get(User, user.id).totp_last_step
    assert used_step is not None
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(other, "/login")})
    code = pyotp.TOTP(TOTP_SECRET).at(used_step * 30)
    response = other.post("/login/code", data={"code": code, "csrf_token": csrf_token(other, "/login/code")})
    assert response.status_code == 400
    assert "Each code works once" in response.get_data(as_text=True)
    old = pyotp.TOTP(TOTP_SECRET).at((used_step - 2) * 30)
    response = other.post("/login/code", data={"code": old, "csrf_token": csrf_token(other, "/login/code")})
    assert response.status_code == 400


def test_the_totp_secret_is_not_stored_in_plain_text(factories):
    user = factories.user(factories.agency(factories.area()))
    row = db.session.execute(
        text("SELECT totp_secret_encrypted FROM users WHERE email = :e"), {"e": user.email}
    ).scalar_one()
    assert TOTP_SECRET not in row


def test_password_hash_is_argon2id_above_the_floor(factories):
    user = factories.user(factories.agency(factories.area()))
    assert user.password_hash.startswith("$argon2id$")
    params = extract_parameters(user.password_hash)
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2


def test_new_session_id_at_login_and_after_mfa_and_logout_revokes(client, factories, app):
    user = factories.user(factories.agency(factories.area()))
    client.get("/login")
    anonymous = client.get_cookie("__Host-convene")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
    after_password = client.get_cookie("__Host-convene").value
    assert anonymous is None or anonymous.value != after_password
    client.post(
        "/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now(), "csrf_token": csrf_token(client, "/login/code")}
    )
    after_mfa = client.get_cookie("__Host-convene").value
    assert after_mfa != after_password
    assert client.get("/cases").status_code in (200, 403)
    # The password-stage id no longer works.
    stale = app.test_client()
    stale.set_cookie("__Host-convene", after_password, domain="localhost", secure=True)
    assert stale.get("/directory/agencies").status_code == 302
    # Logging out ends the session on the server: replaying the cookie is refused.
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/directory/agencies")})
    assert response.headers["Clear-Site-Data"]
    replay = app.test_client()
    replay.set_cookie("__Host-convene", after_mfa, domain="localhost", secure=True)
    assert replay.get("/directory/agencies").status_code == 302


def test_idle_and_absolute_session_limits(client, factories):
    user = factories.user(factories.agency(factories.area()))
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=True) as traveller:
        factories.sign_in(client, user)
        assert client.get("/directory/agencies").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/directory/agencies").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/directory/agencies").status_code == 302
    with time_machine.travel(start + timedelta(days=1), tick=True) as traveller:
        factories.sign_in(client, user)
        for _ in range(26):  # active every 28 minutes for over 12 hours
            traveller.shift(timedelta(minutes=28))
            if client.get("/directory/agencies").status_code != 200:
                break
        assert client.get("/directory/agencies").status_code == 302
        assert datetime.now(UTC) - (start + timedelta(days=1)) >= timedelta(hours=12)


def test_disabling_a_user_ends_their_sessions(client, factories):
    user = factories.user(factories.agency(factories.area()))
    factories.sign_in(client, user)
    db.session.execute(update(User).where(User.id == user.id).values(is_active=False))
    db.session.commit()
    assert client.get("/directory/agencies").status_code == 302


def test_a_form_posted_after_the_session_expired_is_restored_after_signing_in(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)
    token = csrf_token(client, "/cases/new")
    db.session.execute(update(UserSession).values(last_seen_at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    response = client.post(
        "/cases/new", data={"csrf_token": token, "child_first_name": "Keptname", "nationality": "Keptland"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "signed out because" in client.get("/login").get_data(as_text=True)
    factories.sign_in(client, user)
    page = client.get("/cases/new").get_data(as_text=True)
    assert 'value="Keptname"' in page and 'value="Keptland"' in page
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_too_large_form_posted_after_expiry_is_not_kept_and_the_person_is_told(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)
    token = csrf_token(client, "/cases/new")
    db.session.execute(update(UserSession).values(last_seen_at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    response = client.post("/cases/new", data={"csrf_token": token, "child_first_name": "x" * (300 * 1024)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 0
    assert "too large to keep" in client.get("/login").get_data(as_text=True)
    factories.sign_in(client, user)
    assert "too large to keep" in client.get("/cases/new").get_data(as_text=True)
    assert "too large to keep" not in client.get("/cases/new").get_data(as_text=True)


def test_a_kept_form_belongs_to_the_user_of_the_expired_session(client, factories):
    agency = factories.agency(factories.area())
    user, other = factories.user(agency, Role.COORDINATOR), factories.user(agency, Role.COORDINATOR)
    factories.sign_in(client, user)
    token = csrf_token(client, "/cases/new")
    db.session.execute(update(UserSession).values(last_seen_at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    client.post("/cases/new", data={"csrf_token": token, "child_first_name": "Keptname"})
    assert db.session.scalars(select(FormDraft)).one().user_id == user.id
    factories.sign_in(client, other)  # someone else signs in on the same browser: not restored for them
    assert 'value="Keptname"' not in client.get("/cases/new").get_data(as_text=True)


def test_refused_sign_in_steps_keep_their_audit_rows_and_the_failure_count(client, factories):
    user = factories.user(factories.agency(factories.area()))
    token = csrf_token(client, "/login")
    refused = client.post("/login", data={"email": user.email, "password": "wrong-password-here", "csrf_token": token})
    assert refused.status_code == 400  # a refusal: the request rolls back, but these are kept on purpose
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 1
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    wrong_code = client.post("/login/code", data={"code": "000000", "csrf_token": csrf_token(client, "/login/code")})
    assert wrong_code.status_code == 400
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["login.failed", "login.password", "mfa.failed"]
    assert verify_audit_log(db.session).ok


def test_login_is_rate_limited(client, factories):
    user = factories.user(factories.agency(factories.area()))
    token = csrf_token(client, "/login")
    statuses = [
        client.post(
            "/login", data={"email": user.email, "password": "wrong-password-here", "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rate_limited")).all()
    assert len(refused) == 1 and refused[0].detail == {"endpoint": "auth.login"}


def test_unknown_and_known_emails_get_the_same_answer(client, factories):
    user = factories.user(factories.agency(factories.area()))
    token = csrf_token(client, "/login")
    known = client.post("/login", data={"email": user.email, "password": "not-the-password", "csrf_token": token})
    unknown = client.post(
        "/login", data={"email": "nobody@example.test", "password": "not-the-password", "csrf_token": token}
    )
    assert known.status_code == unknown.status_code == 400
    message = "Enter a correct email address and password"
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_audit_rows_for_login_failure_view_and_create(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    client.post(
        "/login",
        data={"email": user.email, "password": "wrong-password-here", "csrf_token": csrf_token(client, "/login")},
    )
    factories.sign_in(client, user)
    case = factories.case(user)
    client.get(f"/cases/{case.id}")
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("login.failed") == 1
    assert actions.count("login.password") == 1 and actions.count("login") == 1
    assert actions.count("case.create") == 1 and actions.count("case.view") == 1
    view = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.view")).one()
    assert view.actor_user_id == user.id and view.actor_role == "coordinator" and view.request_id
    assert view.object_id == str(case.id) and view.ip
    assert verify_audit_log(db.session).ok


@pytest.mark.committed
def test_audit_log_is_append_only_and_tampering_is_detected(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    for _ in range(3):
        factories.case(user)
    report = verify_audit_log(db.session)
    assert report.ok and report.checked == 3
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'x' WHERE id = 2"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events WHERE id = 2"))
        db.session.flush()
    db.session.rollback()
    # A superuser can bypass the trigger; the chain still names the first broken row.
    db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    db.session.execute(text("UPDATE audit_events SET reason = 'edited' WHERE id = 2"))
    db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    db.session.commit()
    report = verify_audit_log(db.session)
    assert not report.ok and report.first_broken_id == 2


def test_a_failing_audit_write_rolls_back_the_change(client, factories, monkeypatch):
    import conference.cases.services as services

    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "record_event", broken)
    from tests.integration.test_cases import _new_case_form

    response = client.post("/cases/new", data=_new_case_form(client))
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_operational_logs_carry_no_personal_data(client, factories, caplog):
    caplog.set_level(logging.DEBUG)
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR, email="canary.email@example.test")
    factories.sign_in(client, user)
    from tests.integration.test_cases import _new_case_form

    client.post("/cases/new", data=_new_case_form(client))
    client.post("/cases/new", data={"csrf_token": "bad", "child_first_name": "Canaryfirst"})
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    from conference.logs import JsonFormatter

    formatted = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for canary in ("Canaryfirst", "Canarylast", "Canaryland", "canary.email@example.test"):
        assert canary not in logged and canary not in formatted


def test_a_newline_in_a_log_value_stays_on_one_line():
    from conference.logs import JsonFormatter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user said %s", ("a\nb\r\nc",), None)
    assert "\n" not in JsonFormatter().format(record)


def test_the_app_refuses_to_start_with_a_weak_secret_key(database_url):
    for key in ("", "dev", "short-key"):
        with pytest.raises(SettingsError, match="SECRET_KEY"):
            create_app(Settings(environment="production", secret_key=key, database_url=database_url))
    warnings = Settings(environment="development", secret_key="", database_url=database_url).validate()
    assert len(warnings) == 1 and "CONVENE_ENV=development" in warnings[0]


def test_error_pages_have_no_traceback(client, factories):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("environment", ["production", "test"])
def test_demo_accounts_cannot_be_loaded_outside_development(app, database_url, environment):
    from click.testing import CliRunner

    app = create_app(Settings(environment=environment, secret_key="k" * 40, database_url=database_url))
    with app.app_context():
        result = CliRunner().invoke(app.cli, ["demo", "load"])
        assert result.exit_code != 0
        assert "only in development" in result.output and "CONVENE_ENV=development" in result.output
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.remove()


def test_the_development_mail_page_is_for_administrators_only(database_url, factories):
    from tests.conftest import TEST_SECRET_KEY
    from tests.support.pages import PageCheckingClient

    dev = create_app(Settings(environment="development", secret_key=TEST_SECRET_KEY, database_url=database_url))
    dev.test_client_class = PageCheckingClient
    with dev.app_context():
        agency = factories.agency(factories.area())
        for role, status in ((Role.COORDINATOR, 403), (Role.CHAIR, 403), (Role.ADMINISTRATOR, 200)):
            client = dev.test_client()
            factories.sign_in(client, factories.user(agency, role))
            assert client.get("/dev/mail").status_code == status, role
        db.session.remove()


@pytest.mark.parametrize("variable", ["CONVENE_WORKERS", "WEB_CONCURRENCY"])
def test_per_process_rate_limits_are_refused_when_more_than_one_worker_runs(variable):
    env = {"CONVENE_ENV": "production", "SECRET_KEY": "k" * 40, variable: "4"}
    with pytest.raises(SettingsError, match="CONVENE_RATELIMIT_STORAGE_URL"):
        Settings.from_env(env).validate()
    assert Settings.from_env({**env, "CONVENE_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379"}).validate() == []
    assert Settings.from_env({**env, variable: "1"}).validate() == []
    with pytest.raises(SettingsError, match="whole number"):
        Settings.from_env({**env, variable: "many"})
