"""Named situations a coordinator meets: clock changes, Friday evenings, part-time staff, on call."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from scheduler import RequestError, parse_request, solve
from scheduler.availability import iso, start_grains
from scheduler.solver import new_solver

FIXTURES = Path(__file__).parent / "fixtures"
WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def request(
    earliest: str, deadline: str, roles: list[dict[str, Any]], people: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "timezone": "Europe/London",
        "earliest_start": earliest,
        "deadline": deadline,
        "duration_minutes": 60,
        "grain_minutes": 15,
        "max_proposals": 5,
        "roles": roles,
        "people": people,
        **extra,
    }


def role(name: str, *candidates: str, required: bool = True, written: bool = False) -> dict[str, Any]:
    return {"role": name, "required": required, "written_submission": written, "candidates": list(candidates)}


def person(
    hours: dict[str, Any] | None = None, busy: list[list[str]] | None = None, on_call: bool = False
) -> dict[str, Any]:
    return {"working_hours": WEEKDAYS_9_TO_5 if hours is None else hours, "on_call": on_call, "busy": busy or []}


def test_spec_example_fixture_friday_evening() -> None:
    answer = solve(json.loads((FIXTURES / "spec_example_request.json").read_text()))
    assert answer["status"] == "ok"
    first, second = answer["proposals"][:2]
    assert (first["start"], first["end"]) == ("2026-11-27T16:45:00Z", "2026-11-27T17:45:00Z")
    assert first["assignments"] == {
        "chair": {"person": "p2"},
        "police": {"person": "p4"},
        "immigration": {"written_submission": True},
        "education": {"person": None},
    }
    assert first["metrics"] == {"written_submissions": 1, "deputy_rank": 2, "out_of_hours": 2, "optional_missing": 1}
    assert "Sam Okafor (p3) is busy until 6:30pm, so the deputy p4 attends" in first["explanation"]
    assert second["start"] == "2026-11-27T18:30:00Z" and second["assignments"]["police"] == {"person": "p3"}
    assert "Sam Okafor (p3) (police) is busy until 6:15pm" not in second["explanation"]
    assert "Not earlier: Sam Okafor (p3) (police) is busy until 6:30pm" in second["explanation"]


def test_literal_spec_example_treats_missing_people_as_unknown() -> None:
    literal = json.loads((FIXTURES / "spec_example_request.json").read_text())
    literal["people"] = {"p1": literal["people"]["p1"]}
    answer = solve(literal)
    assert answer["status"] == "no_slot" and answer["proposals"] == []
    assert any("p3: availability unknown" in reason for reason in answer["reasons"])
    assert "confirm_availability" in {s["kind"] for s in answer["suggestions"]}


@pytest.mark.parametrize(
    ("earliest", "deadline", "expected"),
    [
        # Friday before the spring change: 9am on Friday is 09:00Z, on Monday 30 March (BST) it is 08:00Z.
        ("2026-03-27T17:00:00Z", "2026-03-31T17:00:00Z", "2026-03-30T08:00:00Z"),
        # Friday before the autumn change: 9am is 08:00Z (BST); on Monday 26 October (GMT) it is 09:00Z.
        ("2026-10-23T16:00:00Z", "2026-10-27T17:00:00Z", "2026-10-26T09:00:00Z"),
    ],
)
def test_working_hours_follow_clock_changes(earliest: str, deadline: str, expected: str) -> None:
    answer = solve(request(earliest, deadline, [role("chair", "p1")], {"p1": person()}))
    first = answer["proposals"][0]
    assert first["start"] == expected
    assert "does not work on Saturdays" in first["explanation"] or "does not work on Sundays" in first["explanation"]


def test_autumn_fold_gives_both_one_oclocks_and_spring_gap_none() -> None:
    fold = parse_request(request("2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z", [role("a", "p1")], {}))
    fold = type(fold)(**{**fold.__dict__, "grain_minutes": 60})
    assert [iso(m) for m in start_grains(fold)] == [
        "2026-10-24T23:00:00Z",
        "2026-10-25T00:00:00Z",
        "2026-10-25T01:00:00Z",
        "2026-10-25T02:00:00Z",
    ]
    gap = parse_request(request("2026-03-29T00:00:00Z", "2026-03-29T04:00:00Z", [role("a", "p1")], {}))
    gap = type(gap)(**{**gap.__dict__, "grain_minutes": 60})
    # 01:00 local does not exist; 00:00 GMT, then 02:00 BST (01:00Z) ...
    assert [iso(m) for m in start_grains(gap)] == [f"2026-03-29T0{h}:00:00Z" for h in range(4)]


def test_on_call_out_of_hours_and_never_when_not_on_call() -> None:
    roles = [role("police", "p1", "p2")]
    people = {"p1": person(), "p2": person(on_call=True)}
    answer = solve(request("2026-11-27T20:00:00Z", "2026-11-28T02:00:00Z", roles, people))
    first = answer["proposals"][0]
    assert first["start"] == "2026-11-27T20:00:00Z" and first["assignments"]["police"] == {"person": "p2"}
    assert first["metrics"]["out_of_hours"] == 1 and first["metrics"]["deputy_rank"] == 1
    assert "p2 attends out of hours (on call)" in first["explanation"]
    people["p2"]["on_call"] = False
    blocked = solve(request("2026-11-27T20:00:00Z", "2026-11-28T02:00:00Z", roles, people))
    assert blocked["status"] == "no_slot"
    assert "use_on_call" in {s["kind"] for s in blocked["suggestions"]}


def test_half_open_intervals_meeting_starts_when_busy_ends_and_ends_when_busy_starts() -> None:
    people = {
        "p1": person(
            busy=[["2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"], ["2026-11-24T11:00:00Z", "2026-11-24T17:00:00Z"]]
        )
    }
    answer = solve(request("2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", [role("chair", "p1")], people))
    assert [p["start"] for p in answer["proposals"]] == ["2026-11-24T10:00:00Z"]
    assert "busy until 10am" in answer["proposals"][0]["explanation"]


def test_part_time_days_explained() -> None:
    people = {"p1": person(), "p2": person(hours={"tue": [["09:00", "15:00"]], "thu": [["09:00", "15:00"]]})}
    answer = solve(
        request("2026-11-23T09:00:00Z", "2026-11-25T17:00:00Z", [role("chair", "p1"), role("police", "p2")], people)
    )
    first = answer["proposals"][0]
    assert first["start"] == "2026-11-24T09:00:00Z"
    assert "Nothing earlier works" in first["explanation"] and "p2 does not work on Mondays" in first["explanation"]


def test_person_shared_between_roles_fills_one() -> None:
    people = {"p1": person(), "p2": person(busy=[["2026-11-24T09:00:00Z", "2026-11-24T12:00:00Z"]])}
    roles = [role("chair", "p1"), role("police", "p1", "p2")]
    answer = solve(request("2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", roles, people))
    first = answer["proposals"][0]
    assert first["start"] == "2026-11-24T12:00:00Z"
    assert first["assignments"] == {"chair": {"person": "p1"}, "police": {"person": "p2"}}
    assert "p1 is needed as chair" in first["explanation"]


def test_best_attended_included_even_when_a_cheaper_option_exists() -> None:
    # Immigration can attend only ten hours later; a cheaper alternative (primary police) comes an hour later.
    people = {
        "p1": person(hours={"tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]]}),
        "p2": person(hours={"tue": [["00:00", "24:00"]]}, busy=[["2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"]]),
        "p3": person(hours={"tue": [["00:00", "24:00"]]}),
        "p5": person(hours={"tue": [["00:00", "24:00"]]}, busy=[["2026-11-24T08:00:00Z", "2026-11-24T19:00:00Z"]]),
    }
    roles = [role("chair", "p1"), role("police", "p2", "p3"), role("immigration", "p5", written=True)]
    answer = solve(request("2026-11-24T09:00:00Z", "2026-11-24T23:00:00Z", roles, people, max_proposals=2))
    starts = [p["start"] for p in answer["proposals"]]
    assert starts == ["2026-11-24T09:00:00Z", "2026-11-24T19:00:00Z"]
    assert answer["proposals"][1]["metrics"]["written_submissions"] == 0
    assert answer["proposals"][1]["explanation"].startswith("Best attended")


def test_unknown_availability_is_not_free_unless_allowed() -> None:
    people = {"p1": {"availability": "unknown"}}
    base = request("2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", [role("chair", "p1")], people)
    assert solve(base)["status"] == "no_slot"
    allowed = solve({**base, "allow_unknown": True})
    assert allowed["status"] == "ok" and allowed["proposals"][0]["assignments"]["chair"] == {"person": "p1"}
    assert "no known availability" in allowed["proposals"][0]["explanation"]


def test_no_slot_names_roles_people_and_unblocking_steps() -> None:
    people = {"p1": person(), "p5": person(busy=[["2026-11-24T00:00:00Z", "2026-11-26T00:00:00Z"]])}
    roles = [role("chair", "p1"), role("immigration", "p5")]
    answer = solve(request("2026-11-24T09:00:00Z", "2026-11-25T17:00:00Z", roles, people))
    assert answer["status"] == "no_slot" and answer["proposals"] == []
    assert any(
        r.startswith("Immigration: no candidate can attend") and "p5: busy throughout" in r for r in answer["reasons"]
    )
    kinds = {(s["kind"], s["role"]) for s in answer["suggestions"]}
    assert {
        ("allow_written_submission", "immigration"),
        ("add_deputy", "immigration"),
        ("extend_deadline", None),
    } <= kinds
    extend = next(s for s in answer["suggestions"] if s["kind"] == "extend_deadline")
    assert "Thursday 26 November at 9am" in extend["detail"]


def test_max_proposals_and_distinct_starts() -> None:
    people = {f"p{i}": person(on_call=True) for i in range(1, 4)}
    roles = [role("chair", "p1", "p2"), role("police", "p3", "p2")]
    answer = solve(request("2026-11-24T06:00:00Z", "2026-11-24T20:00:00Z", roles, people, max_proposals=3))
    starts = [p["start"] for p in answer["proposals"]]
    assert 1 <= len(starts) <= 3 and len(set(starts)) == len(starts)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"earliest_start": "2026-11-24T09:00:00"}, "has no UTC offset"),
        ({"deadline": "2026-11-24T08:00:00Z"}, "is before earliest_start"),
        ({"deadline": "2026-11-24T09:00:00Z"}, "the window is empty"),
        ({"duration_minutes": 600}, "does not fit"),
        ({"grain_minutes": 7}, "does not divide a day"),
        ({"grain_minutes": "15"}, "grain_minutes must be a whole number"),
        ({"people": {"p1": person(hours={"mon": [["9am", "17:00"]]})}}, "is not a time of day"),
        ({"people": {"p1": person(hours={"mon": [["17:00", "09:00"]]})}}, "ends (09:00) before it starts"),
        ({"people": {"p1": person(hours={"monday": [["09:00", "17:00"]]})}}, "'monday' is not a day"),
        ({"roles": []}, "at least one role"),
    ],
)
def test_bad_requests_raise_request_error(change: dict[str, Any], message: str) -> None:
    base = request("2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z", [role("chair", "p1")], {"p1": person()})
    bad = copy.deepcopy(base)
    bad.update(change)
    with pytest.raises(RequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        solve(bad)


def _busy_week(seed: int) -> dict[str, Any]:
    """Ten roles of up to five ranked candidates over a week, a third of working time busy (seeded)."""
    rng = random.Random(seed)
    people: dict[str, Any] = {}
    roles = []
    for r in range(10):
        candidates = [f"r{r}c{c}" for c in range(rng.randint(2, 5))]
        for c, pid in enumerate(candidates):
            busy = []
            for day in range(8):
                for hour in range(9, 17):
                    if rng.random() < 0.33:
                        start = f"2026-11-{23 + day:02d}T{hour:02d}:{rng.choice(['00', '30'])}:00Z"
                        end = f"2026-11-{23 + day:02d}T{hour + 1:02d}:{rng.choice(['00', '30'])}:00Z"
                        busy.append([start, end])
            people[pid] = person(busy=busy, on_call=c == len(candidates) - 1)
        roles.append(role(f"role{r}", *candidates, required=r < 7, written=r in (5, 6)))
    return request("2026-11-23T16:40:00Z", "2026-11-30T16:40:00Z", roles, people)


def test_same_request_same_answer_every_time() -> None:
    solver = new_solver()
    assert solver.parameters.num_workers == 1 and solver.parameters.max_deterministic_time > 0
    for seed in range(3):
        week = _busy_week(seed)
        first = solve(week)
        assert first["status"] == "ok" and len(first["proposals"]) >= 3
        assert all(solve(copy.deepcopy(week)) == first for _ in range(2))
