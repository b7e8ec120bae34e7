"""The planning worker: claims queued plan runs (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, like the outbox),
solves each with the scheduler's ``plan`` and its one-at-a-time baseline, and stores the answer or the failure.

    flask --app wsgi planning work          # keep working
    flask --app wsgi planning work --once   # one queued run, if any
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, text

from conference.db import UTCDateTime, utcnow
from conference.extensions import db
from conference.planning.models import PlanRun, PlanStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # a run still "running" after this is taken again (its worker died)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(worker: str) -> uuid.UUID | None:
    """Claim the oldest queued run (or a running one whose worker stopped). One statement; commits."""
    now_at = utcnow()
    lock = "FOR UPDATE SKIP LOCKED" if db.is_postgresql else ""
    statement = text(
        "UPDATE plan_runs SET status = 'running', claimed_by = :worker, started_at = :now, updated_at = :now "
        "WHERE id IN (SELECT id FROM plan_runs WHERE status = 'queued' "
        "OR (status = 'running' AND started_at < :stale) "
        f"ORDER BY created_at LIMIT 1 {lock}) RETURNING id"
    ).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("stale", type_=UTCDateTime()))
    with db.engine.begin() as connection:
        row = connection.execute(statement, {"worker": worker, "now": now_at, "stale": now_at - LEASE}).first()
    if row is None:
        return None
    value = row[0]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def solve(batch: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan and the one-at-a-time (greedy) baseline, both in the contract's JSON."""
    from scheduler.model import parse_batch
    from scheduler.planner import greedy_plan, plan_batch

    parsed = parse_batch(batch)
    return plan_batch(parsed).as_json(), greedy_plan(parsed).as_json()


def run_claimed(run_id: uuid.UUID) -> PlanStatus:
    run = db.session.get(PlanRun, run_id)
    if run is None:
        return PlanStatus.FAILED
    batch = dict(run.batch)
    db.session.rollback()  # no transaction held open while solving
    try:
        result, greedy = solve(batch)
        error = ""
    except Exception as problem:  # a failed solve is recorded, never lost
        log.exception("plan run %s failed", run_id)
        result, greedy = {}, {}
        error = _describe(problem)
    with db.unit_of_work():
        run = db.session.get(PlanRun, run_id)
        assert run is not None
        run.result, run.greedy, run.error = result, greedy, error
        run.status = PlanStatus.FAILED if error else PlanStatus.DONE
        run.finished_at = utcnow()
        return run.status


def _describe(problem: Exception) -> str:
    from scheduler.errors import RequestError

    if isinstance(problem, RequestError):
        return f"The meetings could not be planned: {problem}"
    return "The planner stopped with an error. Try again; if it happens again, tell your administrator."


def run_once(worker: str | None = None) -> int:
    """Solve at most one queued run. Returns how many were solved (0 or 1)."""
    claimed = claim(worker or worker_id())
    if claimed is None:
        return 0
    run_claimed(claimed)
    return 1


def work(*, once: bool = False, poll_seconds: float = 2.0) -> int:
    done = 0
    while True:
        solved = run_once()
        done += solved
        if once:
            return done
        if not solved:
            time.sleep(poll_seconds)
