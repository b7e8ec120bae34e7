"""Commands: ``flask --app wsgi outbox work [--once]``, ``replies import FILE``, ``mail catcher [--background]``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from conference.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(outbox_group)
    app.cli.add_command(replies_group)
    app.cli.add_command(mail_group)


@click.group("outbox", help="Invitations and emails waiting to be delivered.")
def outbox_group() -> None:
    pass


@outbox_group.command("work", help="Deliver queued messages over SMTP (runs until stopped).")
@click.option("--once", is_flag=True, help="Deliver one batch, then stop.")
@click.option("--until-empty", is_flag=True, help="Stop when nothing is due.")
@click.option("--batch", default=20, show_default=True, help="Messages claimed at a time.")
@click.option("--lease-seconds", default=60, show_default=True, help="How long a claim lasts.")
def outbox_work(once: bool, until_empty: bool, batch: int, lease_seconds: int) -> None:
    from datetime import timedelta

    from conference.outbox.worker import SmtpTarget, work

    settings = current_app.config["SETTINGS"]
    target = SmtpTarget(settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds)
    stats = work(target, once=once, stop_when_empty=until_empty, batch=batch, lease=timedelta(seconds=lease_seconds))
    click.echo(f"Sent {stats.sent}; to retry {stats.retried}; could not be sent {stats.dead}.")


@outbox_group.command("status", help="How many messages are waiting, sent or dead.")
def outbox_status() -> None:
    from conference.outbox.worker import counts

    for status, n in sorted(counts().items()):
        click.echo(f"{status}: {n}")


@click.group("replies", help="Replies from calendar clients.")
def replies_group() -> None:
    pass


@replies_group.command("import", help="Apply a calendar reply (.ics or .eml) to its meeting.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def replies_import(path: Path) -> None:
    from conference.convening.inbound import import_calendar_reply
    from conference.invitations.replies import ReplyOutcome

    try:
        raw = path.read_bytes()
    except OSError as error:
        click.echo(f"Cannot read {path}: {error.strerror}", err=True)
        sys.exit(2)
    with db.unit_of_work():
        result = import_calendar_reply(raw)
    click.echo(result.sentence)
    if result.outcome is ReplyOutcome.REFUSED:
        sys.exit(1)


@click.group("mail", help="The local mail catcher (development only).")
def mail_group() -> None:
    pass


@mail_group.command("catcher", help="Run a local SMTP server that keeps every message in instance/mail/.")
@click.option("--background", is_flag=True, help="Start it in the background and return.")
@click.option("--port", default=None, type=int, help="Port (default: the SMTP port in the settings).")
def mail_catcher(background: bool, port: int | None) -> None:
    from conference import mailcatcher

    settings = current_app.config["SETTINGS"]
    if not (settings.is_development or settings.is_test):
        click.echo("The mail catcher is for development only (CONVENE_ENV=development).", err=True)
        sys.exit(2)
    port = port or settings.smtp_port
    if background:
        started = mailcatcher.start_background(settings.smtp_host, port)
        click.echo(started)
        return
    click.echo(f"Mail catcher on {settings.smtp_host}:{port}; messages in {mailcatcher.MAIL_DIR}")
    mailcatcher.serve_forever(settings.smtp_host, port)


@mail_group.command("list", help="List the messages the mail catcher kept.")
def mail_list() -> None:
    from conference import mailcatcher

    for item in mailcatcher.list_messages():
        click.echo(f"{item.name}  {item.to}  {item.subject}")
