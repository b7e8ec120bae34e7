"""Commands: ``flask --app wsgi actions remind`` (overdue-action reminders) and ``flask --app wsgi decisions demo``."""

from __future__ import annotations

import secrets
from datetime import timedelta

import click
from flask import Flask
from sqlalchemy import select

from conference.audit import record_event
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.db import utcnow
from conference.extensions import db
from decisions.actions.services import remind_overdue_actions
from decisions.models import DecisionAction


@click.group("actions", help="Actions agreed at meetings.")
def actions_group() -> None:
    pass


@actions_group.command("remind", help="Queue reminder emails for overdue actions (delivered by the outbox worker).")
def remind_command() -> None:
    with db.unit_of_work():
        count = remind_overdue_actions()
    click.echo(f"Queued {count} reminder{'s' if count != 1 else ''}.")


@click.group("decisions", help="Decisions and the chair's record.")
def decisions_group() -> None:
    pass


@decisions_group.command("demo", help="Add a held strategy discussion to demo case NB-<year>-0003 for the chair.")
def demo_command() -> None:
    from conference.cases.models import Case
    from conference.directory.models import Person
    from rules.vocabulary import MeetingType, Nation, Seat

    with db.unit_of_work():
        case = db.session.scalars(select(Case).where(Case.reference.like("NB-%-0003"))).first()
        if case is None:
            raise click.ClickException("Load the demo first: flask --app wsgi demo load")
        existing = db.session.scalars(select(Conference).where(Conference.case_id == case.id)).first()
        if existing is not None:
            click.echo(f"Meeting {existing.reference} already exists: /conferences/{existing.id}/record")
            return
        start_at = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        conference = Conference(
            case_id=case.id,
            reference=f"MTG-{secrets.token_hex(2).upper()}",
            meeting_type=MeetingType.STRATEGY_DISCUSSION,
            nation=Nation(case.nation.value),
            status=ConferenceStatus.HELD,
            start_at=start_at,
            end_at=start_at + timedelta(hours=1),
            ical_uid=f"{secrets.token_hex(16)}@convene.example",
            venue="Northbridge MASH",
        )
        db.session.add(conference)
        db.session.flush()
        tags = {
            Seat.SOCIAL_CARE: "@northbridge.example",
            Seat.POLICE: "@northbridge-police.example",
            Seat.HEALTH: "@northbridge-health.example",
        }
        for position, (role, domain) in enumerate(tags.items()):
            seat = ConferenceRole(conference_id=conference.id, role=role, position=position)
            db.session.add(seat)
            db.session.flush()
            person = db.session.scalars(
                select(Person).where(Person.email.like(f"%{domain}")).order_by(Person.name)
            ).first()
            if person is not None:
                db.session.add(
                    Attendee(
                        conference_id=conference.id,
                        conference_role_id=seat.id,
                        person_id=person.id,
                        response=ResponseStatus.ACCEPTED,
                    )
                )
        record_event(db.session, "demo.decisions", object_type="conference", object_id=conference.id)
    click.echo(f"Meeting {conference.reference} added: /conferences/{conference.id}/record")


def register_cli(app: Flask) -> None:
    app.cli.add_command(actions_group)
    app.cli.add_command(decisions_group)


__all__ = ["DecisionAction", "register_cli", "remind_overdue_actions"]
