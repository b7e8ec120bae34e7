"""The demo's "Plan the week" shows why meetings are planned together: the plan beats one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conference.auth.models import User
from conference.convening.models import Conference
from conference.demo import load_demo
from conference.demo_planning import NOTE
from conference.extensions import db
from conference.planning import services, worker
from rules.display import to_london


@pytest.fixture(autouse=True)
def development(app):  # type: ignore[no-untyped-def]
    """The demo loads only in development (published password): run this module's test app as development."""
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(environment="development")
    yield
    app.config["SETTINGS"] = settings


def test_the_demo_plan_beats_one_at_a_time(app) -> None:
    load_demo()
    manager = db.session.scalars(select(User).where(User.email == "quinn.hollowell@northbridge.example")).one()
    siblings = db.session.scalars(select(Conference).where(Conference.notes == NOTE)).all()
    assert len(siblings) == 2
    today = to_london(datetime.now(UTC)).date()
    run, _new = services.request_plan(manager, today, today + timedelta(days=6), move_invited=False)
    result, greedy = worker.solve(run.batch)
    run.result, run.greedy = result, greedy

    together, one_at_a_time = services.comparison(run)
    better = (
        together.placed > one_at_a_time.placed,
        together.unscheduled_priority < one_at_a_time.unscheduled_priority,
        together.weighted_wait_minutes < one_at_a_time.weighted_wait_minutes,
    )
    assert any(better), (together, one_at_a_time)
    booked = {b["id"]: b["status"] for b in result["bookings"]}
    assert all(booked[s.reference] == "booked" for s in siblings)
    one_by_one = {b["id"]: b["status"] for b in greedy["bookings"]}
    assert sorted(one_by_one[s.reference] for s in siblings) == ["booked", "unscheduled"]
