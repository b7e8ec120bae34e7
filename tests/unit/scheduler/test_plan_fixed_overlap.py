"""Two invited (fixed) meetings that already share a person at the same time are not the plan's doing: the plan
may still improve on one-at-a-time planning (the demo's invited meetings overlap like this)."""

from __future__ import annotations

from typing import Any

from scheduler.api import parse_batch
from scheduler.planner import double_booked, greedy_plan, plan_batch

HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def person(name: str) -> dict[str, Any]:
    return {"name": name, "working_hours": HOURS, "busy": []}


def roles(police: str, social: str) -> list[dict[str, Any]]:
    return [
        {"role": "police", "required": True, "candidates": [police]},
        {"role": "social_care", "required": True, "candidates": [social]},
    ]


def fixed(conference_id: str, start: str) -> dict[str, Any]:
    return {
        "id": conference_id,
        "priority": 3,
        "earliest_start": start,
        "deadline": start.replace("T13", "T15"),
        "duration_minutes": 60,
        "roles": roles("officer", f"{conference_id}-social"),
        "fixed": {
            "start": start,
            "assignments": {"police": {"person": "officer"}, "social_care": {"person": f"{conference_id}-social"}},
        },
    }


def test_the_siblings_are_both_placed_despite_two_invited_meetings_sharing_the_officer() -> None:
    data = {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": 5,
        "people": {p: person(p) for p in ("officer", "social", "F1-social", "F2-social")},
        "conferences": [
            fixed("F1", "2030-03-04T13:00:00Z"),
            fixed("F2", "2030-03-04T13:00:00Z"),
            {  # the more urgent sibling: any time over two days
                "id": "A",
                "priority": 7,
                "earliest_start": "2030-03-04T08:45:00Z",
                "deadline": "2030-03-05T17:00:00Z",
                "duration_minutes": 60,
                "roles": roles("officer", "social"),
                "fixed": None,
            },
            {  # the other: only nine to ten on the first day
                "id": "B",
                "priority": 4,
                "earliest_start": "2030-03-04T09:00:00Z",
                "deadline": "2030-03-04T10:00:00Z",
                "duration_minutes": 60,
                "roles": roles("officer", "social"),
                "fixed": None,
            },
        ],
    }
    batch = parse_batch(data)
    greedy = greedy_plan(batch)
    plan = plan_batch(batch)
    status = {b.id: b.status for b in plan.bookings}
    assert {b.id: b.status for b in greedy.bookings}["B"] == "unscheduled"
    assert status["A"] == status["B"] == "booked"
    assert plan.unscheduled_priority < greedy.unscheduled_priority
    fixed_ids = frozenset({"F1", "F2"})
    assert double_booked(plan) == ["officer"]  # F1 and F2, as invited
    assert double_booked(plan, fixed_ids) == []
