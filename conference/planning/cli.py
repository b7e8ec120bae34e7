"""Command: ``flask --app wsgi planning work [--once]``: solve the queued plan runs."""

from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    app.cli.add_command(planning_group)


@click.group("planning", help="Plan the week: solve queued plan runs.")
def planning_group() -> None:
    pass


@planning_group.command("work", help="Solve queued plan runs (runs until stopped).")
@click.option("--once", is_flag=True, help="Solve one queued run, if any, then stop.")
def planning_work(once: bool) -> None:
    from conference.planning.worker import work

    done = work(once=once)
    click.echo(f"Solved {done} plan run{'s' if done != 1 else ''}.")
