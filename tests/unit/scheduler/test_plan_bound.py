"""The plan's lower bound and gap, and the plan against an exhaustive oracle on tiny batches.

The oracle enumerates every valid (start, assignment) of each conference with the single-meeting
oracle of ``test_solve_oracle`` (written from the contract's words), then searches every
combination with no person in two overlapping meetings for the least (unscheduled priority,
weighted wait).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import parse_batch, plan, plan_batch
from scheduler.planner import greedy_plan, relative_gap
from tests.unit.scheduler.test_plan import HOURS, MONDAY, _shared_lead_batch, batches
from tests.unit.scheduler.test_solve_oracle import _at, oracle_options

EXAMPLE = Path(__file__).parent / "fixtures" / "spec_example_request.json"

Choice = tuple[int, int, int, frozenset[str]]  # wait, start, end (minutes), people


def _choices(data: dict[str, Any], conference: dict[str, Any]) -> list[Choice]:
    """Every way to hold one conference, reduced to what matters between conferences: for each
    start, the least sets of people (a superset at the same start can only clash more)."""
    request = {
        "timezone": data["timezone"],
        "earliest_start": conference["earliest_start"],
        "deadline": conference["deadline"],
        "duration_minutes": conference["duration_minutes"],
        "grain_minutes": data["grain_minutes"],
        "roles": conference["roles"],
        "people": data["people"],
    }
    earliest = _at(conference["earliest_start"])
    by_start: dict[dt.datetime, set[frozenset[str]]] = {}
    for start, _, assignment in oracle_options(request):
        people = frozenset(p for p in assignment.values() if p not in (None, "W"))
        by_start.setdefault(start, set()).add(people)
    choices = []
    for start, sets in by_start.items():
        minute = int(start.timestamp()) // 60
        wait = int((start - earliest).total_seconds()) // 60
        for people in sets:
            if not any(other < people for other in sets):
                choices.append((wait, minute, minute + conference["duration_minutes"], people))
    return sorted(choices, key=lambda c: (c[0], c[1]))


def oracle_plan(data: dict[str, Any]) -> tuple[int, int]:
    """The least (unscheduled priority, weighted wait) over every plan, by branch and bound."""
    conferences = sorted(data["conferences"], key=lambda c: -c["priority"])
    options = [_choices(data, c) for c in conferences]
    least = [min((c[0] for c in o), default=0) * conf["priority"] for o, conf in zip(options, conferences, strict=True)]
    best = (sum(c["priority"] for c in conferences) + 1, 0)

    def search(n: int, lost: int, waited: int, taken: list[Choice]) -> None:
        nonlocal best
        if (lost, waited + sum(least[n:])) >= best:
            return
        if n == len(conferences):
            best = (lost, waited)
            return
        priority = conferences[n]["priority"]
        for choice in options[n]:
            wait, start, end, people = choice
            if all(not (people & other[3]) or end <= other[1] or other[2] <= start for other in taken):
                search(n + 1, lost, waited + priority * wait, [*taken, choice])
        search(n + 1, lost + priority, waited, taken)

    search(0, 0, 0, [])
    return best


def _summary_pair(summary: dict[str, Any], key: str | None = None) -> tuple[int, int]:
    source = summary if key is None else summary[key]
    return source["unscheduled_priority"], source["weighted_wait_minutes"]


def _check_bound_and_gap(answer: dict[str, Any]) -> None:
    summary = answer["summary"]
    value, bound = _summary_pair(summary), _summary_pair(summary, "lower_bound")
    assert bound <= value  # lexicographically: the bound is never above the plan
    if bound[0] < value[0]:
        expected = (value[0] - bound[0]) / value[0]
    else:
        expected = 0.0 if value[1] == 0 else (value[1] - bound[1]) / value[1]
    assert summary["gap"] == pytest.approx(expected, abs=1e-6)
    assert 0.0 <= summary["gap"] <= 1.0
    assert value <= _summary_pair(summary, "greedy")  # never worse than greedy


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_bound_is_never_above_the_plan_and_the_gap_is_what_it_says(data: dict[str, Any]) -> None:
    data["time_limit_seconds"] = 10
    _check_bound_and_gap(plan(data))


def test_relative_gap_is_on_the_first_measure_the_bound_does_not_prove() -> None:
    assert relative_gap((0, 1000), (0, 990)) == pytest.approx(0.01)
    assert relative_gap((0, 0), (0, 0)) == 0.0
    assert relative_gap((4, 500), (1, 700)) == pytest.approx(0.75)  # the wait does not count until priority is proven
    assert relative_gap((4, 500), (4, 500)) == 0.0


@st.composite
def tiny_batches(draw: st.DrawFn) -> dict[str, Any]:
    people_ids = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    people = {}
    for pid in people_ids:
        busy = []
        for _ in range(draw(st.integers(0, 1))):
            start = MONDAY + dt.timedelta(minutes=30 * draw(st.integers(0, 12)))
            busy.append(
                [start.isoformat(), (start + dt.timedelta(minutes=draw(st.sampled_from([30, 90])))).isoformat()]
            )
        people[pid] = {"working_hours": HOURS, "on_call": draw(st.booleans()), "busy": busy}
    conferences = []
    for index in range(draw(st.integers(2, 4))):
        earliest = MONDAY + dt.timedelta(minutes=30 * draw(st.integers(0, 6)))
        roles = []
        for r in range(draw(st.integers(1, 2))):
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
                "deadline": (earliest + dt.timedelta(hours=draw(st.sampled_from([2, 4])))).isoformat(),
                "duration_minutes": draw(st.sampled_from([60, 90])),
                "roles": roles,
                "fixed": None,
            }
        )
    return {
        "timezone": "Europe/London",
        "grain_minutes": 30,
        "time_limit_seconds": 10,
        "people": people,
        "conferences": conferences,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_batches())
def test_plan_equals_the_exhaustive_oracle_on_tiny_batches(data: dict[str, Any]) -> None:
    answer = plan(data)
    best = oracle_plan(data)
    assert _summary_pair(answer["summary"]) == best
    assert _summary_pair(answer["summary"], "lower_bound") == best
    assert answer["summary"]["gap"] == 0.0
    _check_bound_and_gap(answer)


def _spec_example_batch() -> dict[str, Any]:
    """The contract's example conference three times over, sharing its people."""
    request = json.loads(EXAMPLE.read_text())
    conferences = [
        {
            "id": f"NB-2026-00{index}/strategy",
            "priority": priority,
            "earliest_start": request["earliest_start"],
            "deadline": request["deadline"],
            "duration_minutes": request["duration_minutes"],
            "roles": request["roles"],
            "fixed": None,
        }
        for index, priority in enumerate([2, 5, 3])
    ]
    return {
        "timezone": request["timezone"],
        "grain_minutes": request["grain_minutes"],
        "time_limit_seconds": 10,
        "people": request["people"],
        "conferences": conferences,
    }


def _contended_batch() -> dict[str, Any]:
    """test_plan's example where greedy blocks a conference."""
    people = {p: {"working_hours": HOURS, "on_call": False, "busy": []} for p in ("p1", "p2")}
    window = {"earliest_start": MONDAY.isoformat(), "duration_minutes": 60, "fixed": None}
    return {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": 10,
        "people": people,
        "conferences": [
            {
                **window,
                "id": "c1",
                "priority": 5,
                "deadline": (MONDAY + dt.timedelta(hours=8)).isoformat(),
                "roles": [{"role": "chair", "required": True, "written_submission": False, "candidates": ["p1", "p2"]}],
            },
            {
                **window,
                "id": "c2",
                "priority": 4,
                "deadline": (MONDAY + dt.timedelta(hours=1)).isoformat(),
                "roles": [{"role": "chair", "required": True, "written_submission": False, "candidates": ["p1"]}],
            },
        ],
    }


def _shared_lead() -> dict[str, Any]:
    data = _shared_lead_batch(None)
    for conference in data["conferences"]:
        for role in conference["roles"]:
            role["written_submission"] = False
    data["time_limit_seconds"] = 10
    return data


@pytest.mark.parametrize("make", [_spec_example_batch, _contended_batch, _shared_lead])
def test_plan_is_the_best_known_on_the_contract_examples(make: Any) -> None:
    data = make()
    answer = plan(data)
    best = oracle_plan(data)
    assert _summary_pair(answer["summary"]) == best
    assert _summary_pair(answer["summary"], "lower_bound") == best and answer["summary"]["gap"] == 0.0
    _check_bound_and_gap(answer)
    batch = parse_batch(data)
    assert plan_batch(batch).key() <= greedy_plan(batch).key()


def test_bound_counts_the_wait_of_fixed_bookings() -> None:
    fixed = {
        "start": "2026-11-23T10:00:00Z",
        "assignments": {"home_office": {"person": "p1"}, "chair": {"person": "p2"}},
    }
    answer = plan(_shared_lead_batch(fixed))
    # c0 fixed at 10:00 (priority 1, 60 minutes after its earliest start); c1 at 09:00; c2 at 11:00
    assert answer["summary"]["lower_bound"] == {"unscheduled_priority": 0, "weighted_wait_minutes": 1 * 60 + 3 * 120}
    assert answer["summary"]["gap"] == 0.0
    _check_bound_and_gap(answer)


def test_a_time_limit_too_short_to_search_still_gives_a_true_bound() -> None:
    data = _contended_batch()
    data["time_limit_seconds"] = 0.01
    _check_bound_and_gap(plan(data))
