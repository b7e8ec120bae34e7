"""Warm the scheduling engine when Convene is served, so that the first options page is as quick as the rest.

OR-Tools loads on the first solve (about a second), and the calendar readers (icalendar, recurring-ical-events)
and the options page's templates load on first use too. A served process (a gunicorn worker, or ``flask run``)
starts a daemon thread at start-up that imports OR-Tools and solves a tiny request, reads a tiny calendar and
compiles the templates; requests are served meanwhile, and a "Find times" that arrives before the
warm-up ends only waits for what is left of it. CLI commands (``flask db
upgrade``, ``flask demo load`` and the rest) never start it.

How serving is detected (``wsgi.py`` asks ``serving()`` once the app exists):

- ``CONVENE_WARM_SOLVER=1`` or ``0`` decides outright (for another WSGI server, or to switch it off);
- otherwise gunicorn: its worker imports ``wsgi:app`` with the ``gunicorn`` package already imported (the
  ``flask`` CLI never imports it);
- otherwise ``flask run``: the app is loaded inside the ``run`` command, where every other command loads it
  while resolving the command's name.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask

log = logging.getLogger(__name__)

THREAD_NAME = "convene-solver-warm-up"
SETTING = "CONVENE_WARM_SOLVER"

#: Two roles, two people, one free afternoon: enough to reach CP-SAT through the engine's public entry point.
TINY_REQUEST: dict[str, Any] = {
    "timezone": "Europe/London",
    "earliest_start": "2030-03-04T12:00:00Z",
    "deadline": "2030-03-04T16:00:00Z",
    "duration_minutes": 60,
    "grain_minutes": 30,
    "roles": [
        {"role": "chair", "required": True, "candidates": ["p1", "p2"]},
        {"role": "police", "required": True, "candidates": ["p2", "p1"]},
    ],
    "people": {},
}

TINY_CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//convene//warm-up//EN\r\nBEGIN:VEVENT\r\nUID:warm-up\r\n"
    "DTSTAMP:20300301T000000Z\r\nDTSTART:20300304T130000Z\r\nDTEND:20300304T140000Z\r\n"
    "RRULE:FREQ=DAILY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
_started: threading.Thread | None = None
_lock = threading.Lock()


def serving(environ: Mapping[str, str] | None = None, modules: Mapping[str, object] | None = None) -> bool:
    """Whether this process is serving requests (not running a CLI command). See the module's docstring."""
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    setting = environ.get(SETTING, "").strip()
    if setting in {"0", "1"}:
        return setting == "1"
    if "gunicorn" in modules:
        return True
    context = click.get_current_context(silent=True)
    return context is not None and context.info_name == "run"


def warm_solver() -> float:
    """Import OR-Tools and solve a tiny request and a tiny CP-SAT model. Returns the seconds it took."""
    began = time.perf_counter()
    from ortools.sat.python import cp_model

    from scheduler.api import solve
    from scheduler.solver import new_solver

    solve(TINY_REQUEST)
    model = cp_model.CpModel()
    chosen = model.new_bool_var("chosen")
    model.add(chosen == 1)
    new_solver().solve(model)
    return time.perf_counter() - began


def warm_calendars() -> None:
    """Import the calendar readers and read a tiny calendar with a repeating event."""
    from datetime import UTC, datetime

    from scheduler.calendars import busy_from_ics

    busy_from_ics(TINY_CALENDAR, datetime(2030, 3, 4, tzinfo=UTC), datetime(2030, 3, 6, tzinfo=UTC))


#: At most this many uploaded calendars are read at start-up (the most recently changed first).
WARM_CALENDARS = 500


def warm_uploaded_calendars(app: Flask, limit: int = WARM_CALENDARS) -> int:
    """Read the directory's uploaded calendars into the calendar read cache (scheduler.calendars.READ_CACHE) over
    the coming span, so that the first options page after a start does not parse them: with 60 busy calendars
    that parsing was most of the page. Returns how many were read; one that cannot be read is skipped (the
    options page says why when it reads it)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from conference.directory.models import AvailabilitySource, Person
    from conference.extensions import db
    from scheduler.calendars import READ_CACHE, CalendarError, busy_from_ics

    start, end = READ_CACHE.span_for(datetime.now(UTC), datetime.now(UTC))
    read = 0
    with app.app_context():
        texts = db.session.scalars(
            select(Person.availability_ics)
            .where(Person.availability_source == AvailabilitySource.ICS_UPLOAD, Person.availability_ics != "")
            .order_by(Person.updated_at.desc())
            .limit(limit)
        ).all()
        db.session.rollback()
    for text in texts:
        try:
            busy_from_ics(text, start, end)
            read += 1
        except (CalendarError, ValueError):
            continue
    return read


def warm_templates(app: Flask) -> int:
    """Compile every HTML template, Convene's and GOV.UK Frontend's (about 130; Jinja caches up to 400 for the
    process): a first page otherwise compiles the 20 or so that it extends, imports and includes. Returns how many."""
    names = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def _run(app: Flask | None) -> None:
    try:
        began = time.perf_counter()
        warm_solver()
        warm_calendars()
        if app is not None:
            warm_templates(app)
            calendars = warm_uploaded_calendars(app)
            log.info("uploaded calendars read at start-up: %d", calendars)
        log.info("solver warm-up finished in %.0f ms", (time.perf_counter() - began) * 1000)
    except Exception:  # a failed warm-up only means the first solve is slower; never stop the server
        log.exception("solver warm-up failed")


def start_solver_warm_up(app: Flask | None = None) -> threading.Thread:
    """Start the warm-up thread once per process (daemon: it never holds a shutdown up) and return it."""
    global _started
    with _lock:
        if _started is None:
            _started = threading.Thread(target=_run, args=(app,), name=THREAD_NAME, daemon=True)
            _started.start()
            log.info("solver warm-up started")
        return _started
