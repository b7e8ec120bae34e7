"""Commands: ``flask --app wsgi db upgrade``, ``demo load``, ``audit verify``, ``users code``."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from conference.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(users_group)
    app.cli.add_command(retention_group)
    _register_feature_cli(app)


def _register_feature_cli(app: Flask) -> None:
    from conference.convening.cli import register_cli as register_convening_cli
    from conference.planning.cli import register_cli as register_planning_cli
    from decisions.cli import register_cli as register_decisions_cli

    register_convening_cli(app)
    register_decisions_cli(app)
    register_planning_cli(app)


@click.group("db", help="Database migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply every migration up to the latest.")
def db_upgrade() -> None:
    from conference import migrate

    migrate.upgrade(db.engine)
    click.echo("Database is up to date.")


@db_group.command("downgrade", help="Undo migrations down to REVISION.")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from conference import migrate

    migrate.downgrade(db.engine, revision)
    click.echo(f"Database downgraded to {revision}.")


@click.group("demo", help="The Northbridge demo area.")
def demo_group() -> None:
    pass


@demo_group.command("load", help="Load (or refresh) the Northbridge demo area. Safe to run twice.")
def demo_load() -> None:
    from conference.demo import load_demo

    # The demo's accounts have a published password and a fixed authenticator key: never on a real service.
    if not current_app.config["SETTINGS"].is_development:
        click.echo(
            "The demo area works only in development: its accounts have a published password and a fixed "
            "authenticator key. Nothing was loaded. To try Convene, run `make run`, which sets "
            "CONVENE_ENV=development with its own local database.",
            err=True,
        )
        sys.exit(2)
    summary = load_demo()
    click.echo(summary.describe())


@click.group("audit", help="The audit log.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check the audit log's hash chain and name the first broken row.")
def audit_verify() -> None:
    from conference.audit import verify_audit_log

    report = verify_audit_log(db.session())
    if report.ok:
        click.echo(f"Audit log verified: {report.checked} rows, chain intact.")
        return
    click.echo(
        f"Audit log BROKEN at row {report.first_broken_id}: {report.problem}. "
        f"{report.checked} rows before it verified.",
        err=True,
    )
    sys.exit(1)


@click.group("retention", help="Housekeeping under the retention schedule (docs/retention.md).")
def retention_group() -> None:
    pass


@retention_group.command("purge", help="Remove ended sessions, old drafts and reset links; clear old message bodies.")
def retention_purge() -> None:
    from conference.retention import purge

    with db.unit_of_work():
        report = purge()
    click.echo(report.describe())


@click.group("users", help="Accounts.")
def users_group() -> None:
    pass


@users_group.command(
    "create",
    help="Create an account and print its one-time enrolment code (valid 7 days): "
    "the person needs it to set up an authenticator app at first sign-in.",
)
@click.argument("email")
@click.option("--name", required=True, help="The person's name as colleagues know it.")
@click.option(
    "--role",
    "role_name",
    required=True,
    type=click.Choice(["coordinator", "chair", "agency_member", "manager", "administrator"]),
)
@click.option("--agency", "agency_name", required=True, help="The agency's name, exactly as in the directory.")
@click.password_option(help="Asked for, twice, if not given.")
def users_create(email: str, name: str, role_name: str, agency_name: str, password: str) -> None:
    from conference.audit import record_event
    from conference.auth.enrolment import issue_enrolment_code
    from conference.auth.models import Role, User
    from conference.auth.passwords import hash_password, password_problem
    from conference.directory.models import Agency

    email = email.strip().lower()
    problem = password_problem(password, email=email, name=name)
    if problem:
        click.echo(f"{problem}.", err=True)
        sys.exit(2)
    with db.unit_of_work() as session:
        agencies = session.scalars(select(Agency).where(Agency.name == agency_name)).all()
        if len(agencies) != 1:
            click.echo(f"No single agency is called {agency_name!r}. Check the directory.", err=True)
            sys.exit(2)
        if session.scalars(select(User).where(User.email == email)).first() is not None:
            click.echo("An account with that email address already exists.", err=True)
            sys.exit(2)
        user = User(
            email=email,
            display_name=name,
            password_hash=hash_password(password),
            role=Role(role_name),
            agency_id=agencies[0].id,
        )
        session.add(user)
        session.flush()
        record_event(session, "user.create", object_type="user", object_id=user.id, detail={"role": role_name})
        code = issue_enrolment_code(None, user, current_app.config["SECRET_KEY"])
    click.echo(
        f"Account created. Enrolment code: {code}\n"
        f"Give it to {name} in person or by phone (never by email). At first sign-in they enter their "
        "password, then this code, then set up an authenticator app. It works once and expires in 7 days; "
        "an administrator can issue a new one from the Accounts page."
    )


@users_group.command("code", help="Print the current sign-in code for a DEMO account (development only).")
@click.argument("email")
def users_code(email: str) -> None:
    from conference.auth import mfa
    from conference.auth.models import User

    settings = current_app.config["SETTINGS"]
    if not settings.is_development:
        click.echo("This command works only in development mode (CONVENE_ENV=development).", err=True)
        sys.exit(2)
    user = db.session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.totp_secret_encrypted:
        click.echo(f"No demo account with an authenticator for {email}.", err=True)
        sys.exit(2)
    click.echo(mfa.code_at(mfa.decrypt_secret(user.totp_secret_encrypted, settings.secret_key)))
