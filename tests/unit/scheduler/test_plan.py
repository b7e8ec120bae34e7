"""The regional plan: never worse than greedy, fixed bookings untouched, nobody double-booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import parse_batch, plan, plan_batch
from scheduler.availability import build_grid, to_minute
from scheduler.planner import double_booked, greedy_plan
from scheduler.solver import metrics_of, valid_at

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@st.composite
def batches(draw: st.DrawFn) -> dict[str, Any]:
    people_ids = [f"p{i}" for i in range(draw(st.integers(3, 6)))]
    people = {}
    for pid in people_ids:
        busy = []
        for _ in range(draw(st.integers(0, 2))):
            start = MONDAY + dt.timedelta(minutes=30 * draw(st.integers(0, 40)))
            busy.append(
                [start.isoformat(), (start + dt.timedelta(minutes=draw(st.sampled_from([60, 180])))).isoformat()]
            )
        people[pid] = {"working_hours": HOURS, "on_call": draw(st.booleans()), "busy": busy}
    conferences = []
    for index in range(draw(st.integers(2, 6))):
        earliest = MONDAY + dt.timedelta(hours=draw(st.integers(0, 24)))
        roles = []
        for r in range(draw(st.integers(1, 3))):
            candidates = draw(st.lists(st.sampled_from(people_ids), min_size=1, max_size=2, unique=True))
            roles.append(
                {
                    "role": f"r{r}",
                    "required": draw(st.booleans()),
                    "written_submission": draw(st.booleans()),
                    "candidates": candidates,
                }
            )
        conferences.append(
            {
                "id": f"c{index}",
                "priority": draw(st.integers(1, 5)),
                "earliest_start": earliest.isoformat(),
                "deadline": (earliest + dt.timedelta(hours=draw(st.sampled_from([8, 30])))).isoformat(),
                "duration_minutes": draw(st.sampled_from([60, 120])),
                "roles": roles,
                "fixed": None,
            }
        )
    return {
        "timezone": "Europe/London",
        "grain_minutes": 30,
        "time_limit_seconds": 1,
        "people": people,
        "conferences": conferences,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_plan_is_valid_and_never_worse_than_greedy(data: dict[str, Any]) -> None:
    batch = parse_batch(data)
    result = plan_batch(batch)
    greedy = greedy_plan(batch)
    assert result.key() <= greedy.key()
    assert not double_booked(result) and not double_booked(greedy)
    for conference, booking in zip(batch.conferences, result.bookings, strict=True):
        if booking.start is None:
            assert booking.reasons
            continue
        grid = build_grid(batch.request_for(conference))
        index = grid.starts.index(booking.start)
        roles = {r.role: r for r in conference.roles}
        for name, cover in booking.assignments.items():
            assert cover.person is None or grid.attendable(cover.person, index)
            assert not cover.written or roles[name].may_write
            assert cover.person is not None or cover.written or not roles[name].required
        assert valid_at(grid, index)
        assert booking.metrics == metrics_of(grid, index, booking.assignments)
    # the summary is what the contract defines
    unscheduled = sum(c.priority for c, b in zip(batch.conferences, result.bookings, strict=True) if b.start is None)
    waited = sum(
        c.priority * (b.start - to_minute(c.earliest_start_at))
        for c, b in zip(batch.conferences, result.bookings, strict=True)
        if b.start is not None
    )
    assert (result.unscheduled_priority, result.weighted_wait_minutes) == (unscheduled, waited)


def _shared_lead_batch(fixed: dict[str, Any] | None) -> dict[str, Any]:
    """Three conferences needing the one Home Office lead (p1) on Monday morning."""
    people = {
        "p1": {"working_hours": HOURS, "on_call": False, "busy": []},
        "p2": {"working_hours": HOURS, "on_call": False, "busy": []},
    }
    conferences = []
    for index, priority in enumerate([1, 5, 3]):
        conferences.append(
            {
                "id": f"c{index}",
                "priority": priority,
                "earliest_start": MONDAY.isoformat(),
                "deadline": (MONDAY + dt.timedelta(hours=8)).isoformat(),
                "duration_minutes": 60,
                "roles": [
                    {"role": "home_office", "required": True, "candidates": ["p1"]},
                    {"role": "chair", "required": True, "candidates": ["p2"]},
                ],
                "fixed": fixed if index == 0 else None,
            }
        )
    return {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": 2,
        "people": people,
        "conferences": conferences,
    }


def test_greedy_baseline_books_by_priority_and_fixed_booking_stays() -> None:
    fixed = {
        "start": "2026-11-23T10:00:00Z",
        "assignments": {"home_office": {"person": "p1"}, "chair": {"person": "p2"}},
    }
    answer = plan(_shared_lead_batch(fixed))
    bookings = {b["id"]: b for b in answer["bookings"]}
    assert bookings["c0"]["start"] == "2026-11-23T10:00:00Z"
    assert bookings["c0"]["assignments"] == {"home_office": {"person": "p1"}, "chair": {"person": "p2"}}
    assert bookings["c1"]["start"] == "2026-11-23T09:00:00Z"  # priority 5 first
    assert bookings["c2"]["start"] == "2026-11-23T11:00:00Z"  # p1 is in c0 from 10:00 to 11:00
    assert answer["summary"]["unscheduled_priority"] == 0
    assert answer["summary"]["weighted_wait_minutes"] == 1 * 60 + 5 * 0 + 3 * 120


def test_solver_beats_greedy_when_greedy_blocks_a_conference() -> None:
    # Greedy books c1 (priority 5) at 09:00 with p1, leaving c2 nothing: p1 is its only option then.
    people = {
        "p1": {"working_hours": HOURS, "on_call": False, "busy": []},
        "p2": {"working_hours": HOURS, "on_call": False, "busy": []},
    }
    c1 = {
        "id": "c1",
        "priority": 5,
        "earliest_start": MONDAY.isoformat(),
        "deadline": (MONDAY + dt.timedelta(hours=8)).isoformat(),
        "duration_minutes": 60,
        "roles": [{"role": "chair", "required": True, "candidates": ["p1", "p2"]}],
        "fixed": None,
    }
    c2 = {
        "id": "c2",
        "priority": 4,
        "earliest_start": MONDAY.isoformat(),
        "deadline": (MONDAY + dt.timedelta(hours=1)).isoformat(),
        "duration_minutes": 60,
        "roles": [{"role": "chair", "required": True, "candidates": ["p1"]}],
        "fixed": None,
    }
    data = {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": 5,
        "people": people,
        "conferences": [c1, c2],
    }
    greedy = greedy_plan(parse_batch(data))
    assert greedy.unscheduled_priority == 4
    answer = plan(data)
    assert answer["summary"]["unscheduled_priority"] == 0 and answer["summary"]["method"] == "cp-sat"
    assert answer["summary"]["greedy"]["unscheduled_priority"] == 4
    unscheduled = next(b for b in greedy.bookings if b.id == "c2")
    assert unscheduled.reasons and "clashes with other conferences" in unscheduled.reasons[0]
