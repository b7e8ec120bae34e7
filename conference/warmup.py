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

import gc
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


#: Where a feature registers what else to warm at start-up (``app.extensions[WARM_UPS]``: callables taking the
#: app), so this platform module imports no feature: the convening feature reads the uploaded calendars.
WARM_UPS = "convene.warm_ups"


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
            for warm_up in app.extensions.get(WARM_UPS, []):
                try:
                    log.info("%s at start-up: %d", warm_up.__name__, warm_up(app))
                except Exception:  # a database not migrated yet, say: the first page only is slower
                    log.warning("%s at start-up failed", warm_up.__name__, exc_info=True)
        settle_garbage_collector()
        log.info("solver warm-up finished in %.0f ms", (time.perf_counter() - began) * 1000)
    except Exception:  # a failed warm-up only means the first solve is slower; never stop the server
        log.exception("solver warm-up failed")


def settle_garbage_collector() -> float:
    """Collect once, then move every object alive now (the app, its modules, OR-Tools, the compiled templates, the
    calendar cache's first reads) out of the garbage collector's sight (``gc.freeze``). Returns the seconds taken.

    Measured after the warm-up (docs/benchmarks.md): about 180,000 tracked objects, and every full collection walks
    them all, 40 to 100 ms with every thread of the worker held; one is due soon after start-up (the warm-up made
    most of them), so it landed in the first options page, and later ones at random in busy pages (the dashboard's
    p99). Frozen objects are never collected, which is right for what lives as long as the process.
    """
    began = time.perf_counter()
    gc.collect()
    gc.freeze()
    return time.perf_counter() - began


def start_solver_warm_up(app: Flask | None = None) -> threading.Thread:
    """Start the warm-up thread once per process (daemon: it never holds a shutdown up) and return it."""
    global _started
    with _lock:
        if _started is None:
            _started = threading.Thread(target=_run, args=(app,), name=THREAD_NAME, daemon=True)
            _started.start()
            log.info("solver warm-up started")
        return _started
