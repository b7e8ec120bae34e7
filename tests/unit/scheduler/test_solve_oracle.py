"""The engine against a small exhaustive oracle written here from the contract's own words."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scheduler import solve

LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BASE_DAYS = [
    dt.date(2026, 3, 28),  # Saturday before spring forward (29 March)
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 24),  # Saturday before fall back (25 October)
    dt.date(2026, 10, 25),
    dt.date(2026, 11, 27),  # a Friday
    dt.date(2026, 11, 24),  # a Tuesday
]
WINDOW_CHOICES = [
    [],
    [["09:00", "17:00"]],
    [["08:00", "12:00"], ["13:00", "18:00"]],
    [["00:00", "24:00"]],
    [["01:00", "03:00"]],
    [["17:00", "22:00"]],
]


# --- the oracle ------------------------------------------------------------------------------


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _wall(day_on: dt.date, clock: str) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    naive = dt.datetime.combine(day_on, dt.time()) + dt.timedelta(hours=hours, minutes=minutes)
    return naive.replace(tzinfo=LONDON).astimezone(dt.UTC)


def oracle_status(person: dict[str, Any] | None, start: dt.datetime, end: dt.datetime, allow_unknown: bool) -> str:
    """'free', 'ooh' or 'no': the contract's rule, checked minute by minute of the definition."""
    if person is None or person.get("availability") == "unknown":
        return "unknown" if allow_unknown else "no"
    for busy_start, busy_end in person.get("busy", []):
        if _at(busy_start) < end and start < _at(busy_end):
            return "no"
    local_day = start.astimezone(LONDON).date()
    for window_start, window_end in person["working_hours"].get(DAYS[local_day.weekday()], []):
        if _wall(local_day, window_start) <= start and end <= _wall(local_day, window_end):
            return "free"
    return "ooh" if person.get("on_call") else "no"


def oracle_starts(request: dict[str, Any]) -> list[dt.datetime]:
    earliest, deadline = _at(request["earliest_start"]), _at(request["deadline"])
    moment = earliest.replace(second=0, microsecond=0)
    if moment < earliest:
        moment += dt.timedelta(minutes=1)
    starts = []
    while moment + dt.timedelta(minutes=request["duration_minutes"]) <= deadline:
        local = moment.astimezone(LONDON)
        if (local.hour * 60 + local.minute) % request["grain_minutes"] == 0:
            starts.append(moment)
        moment += dt.timedelta(minutes=1)
    return starts


def oracle_options(request: dict[str, Any]) -> list[tuple[dt.datetime, tuple[int, int, int, int, int], dict[str, Any]]]:
    """Every valid (start, metrics, assignment), by enumerating all starts and all assignments."""
    found = []
    allow = request.get("allow_unknown", False)
    for start in oracle_starts(request):
        end = start + dt.timedelta(minutes=request["duration_minutes"])
        status = {
            p: oracle_status(request["people"].get(p), start, end, allow)
            for r in request["roles"]
            for p in r["candidates"]
        }
        choices = []
        for role in request["roles"]:
            options: list[Any] = [p for p in role["candidates"] if status[p] != "no"]
            options += ["W"] if role["required"] and role["written_submission"] else []
            options += [None] if not role["required"] else []
            choices.append(options)
        for combo in itertools.product(*choices):
            people = [c for c in combo if c not in (None, "W")]
            if len(set(people)) != len(people):
                continue
            written = sum(c == "W" for c in combo)
            rank = sum(
                r["candidates"].index(c) for r, c in zip(request["roles"], combo, strict=True) if c not in (None, "W")
            )
            ooh = sum(status[c] == "ooh" for c in people)
            missing = sum(c is None for c in combo)
            unknown = sum(status[c] == "unknown" for c in people)
            assignment = {r["role"]: c for r, c in zip(request["roles"], combo, strict=True)}
            found.append((start, (written, rank, ooh, missing, unknown), assignment))
    return found


def dominated(a: tuple[dt.datetime, tuple[int, ...]], b: tuple[dt.datetime, tuple[int, ...]]) -> bool:
    """a dominates b (the contract's definition, on the four metrics)."""
    ka, kb = (a[0], *a[1][:4]), (b[0], *b[1][:4])
    return ka != kb and all(x <= y for x, y in zip(ka, kb, strict=True))


# --- random small instances ------------------------------------------------------------------


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    base = draw(st.sampled_from(BASE_DAYS))
    hour = draw(st.integers(0, 23))
    earliest = dt.datetime.combine(base, dt.time(hour), tzinfo=dt.UTC) + dt.timedelta(
        minutes=draw(st.sampled_from([0, 0, 0, 7, 40]))
    )
    length = draw(st.integers(1, 8)) * 60
    people: dict[str, Any] = {}
    for pid in ("p1", "p2", "p3", "p4"):
        if draw(st.integers(0, 9)) == 0:
            continue  # no entry: unknown availability
        hours = {d: draw(st.sampled_from(WINDOW_CHOICES)) for d in DAYS}
        busy = []
        for _ in range(draw(st.integers(0, 2))):
            offset = draw(st.integers(0, length // 15)) * 15
            span = draw(st.sampled_from([15, 30, 60, 120, 240]))
            busy_start = earliest + dt.timedelta(minutes=offset)
            busy.append([busy_start.isoformat(), (busy_start + dt.timedelta(minutes=span)).isoformat()])
        person: dict[str, Any] = {"working_hours": hours, "on_call": draw(st.booleans()), "busy": busy}
        if draw(st.integers(0, 9)) == 0:
            person["availability"] = "unknown"
        people[pid] = person
    roles = []
    for index in range(draw(st.integers(1, 3))):
        candidates = draw(st.lists(st.sampled_from(["p1", "p2", "p3", "p4"]), min_size=1, max_size=3, unique=True))
        roles.append(
            {
                "role": f"r{index}",
                "required": draw(st.booleans()),
                "written_submission": draw(st.booleans()),
                "candidates": candidates,
            }
        )
    return {
        "timezone": "Europe/London",
        "earliest_start": earliest.isoformat(),
        "deadline": (earliest + dt.timedelta(minutes=length)).isoformat(),
        "duration_minutes": draw(st.sampled_from([15, 30, 60, 90])) if length >= 90 else 15,
        "grain_minutes": draw(st.sampled_from([15, 15, 30, 60])),
        "max_proposals": draw(st.sampled_from([1, 2, 2, 2, 3, 4])),
        "allow_unknown": draw(st.booleans()),
        "roles": roles,
        "people": people,
    }


def _as_oracle(proposal: dict[str, Any]) -> tuple[dt.datetime, dict[str, Any]]:
    assignment = {
        role: ("W" if cover.get("written_submission") else cover.get("person"))
        for role, cover in proposal["assignments"].items()
    }
    return _at(proposal["start"]), assignment


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_engine_matches_exhaustive_oracle(request: dict[str, Any]) -> None:
    options = oracle_options(request)
    answer = solve(request)
    if not options:
        assert answer["status"] == "no_slot"
        assert answer["proposals"] == [] and answer["reasons"]
        return
    assert answer["status"] == "ok"
    proposals = answer["proposals"]
    assert 1 <= len(proposals) <= request["max_proposals"]
    starts = [p["start"] for p in proposals]
    assert len(set(starts)) == len(starts), "proposals must have distinct start times"

    chosen = []
    for proposal in proposals:
        start, assignment = _as_oracle(proposal)
        match = [o for o in options if o[0] == start and o[2] == assignment]
        assert match, f"proposal is not valid: {proposal}"
        metrics = match[0][1]
        assert proposal["metrics"] == dict(
            zip(("written_submissions", "deputy_rank", "out_of_hours", "optional_missing"), metrics[:4], strict=True)
        )
        assert set(proposal["assignments"]) == {r["role"] for r in request["roles"]}
        assert proposal["explanation"]
        chosen.append((start, metrics))

    fastest_start = min(o[0] for o in options)
    assert chosen[0][0] == fastest_start
    assert chosen[0][1] == min(o[1] for o in options if o[0] == fastest_start)
    assert not any(dominated((o[0], o[1]), chosen[0]) for o in options), "first proposal is dominated"
    for a, b in itertools.permutations(chosen, 2):
        assert not dominated(a, b), "a proposal is dominated by another proposal"
    if request["max_proposals"] >= 2:
        fewest = min(o[1][0] for o in options)
        attended_start = min(o[0] for o in options if o[1][0] == fewest)
        assert any(start == attended_start and metrics[0] == fewest for start, metrics in chosen)


# --- guarantee 4: the fastest and the best-attended meetings are both proposed ------------------


@st.composite
def writing_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Requests where a written submission often buys an earlier start: the candidates of a role open
    to a written submission are busy for a while from the earliest start, so the best-attended meeting
    is often later than the fastest one."""
    request = draw(requests())
    earliest = _at(request["earliest_start"])
    length = int((_at(request["deadline"]) - earliest).total_seconds() // 60)
    written = {
        "role": "written",
        "required": True,
        "written_submission": True,
        "candidates": draw(st.lists(st.sampled_from(["p1", "p2", "p3", "p4"]), min_size=1, max_size=2, unique=True)),
    }
    for pid in written["candidates"]:
        person = request["people"].setdefault(pid, {"working_hours": {d: [["00:00", "24:00"]] for d in DAYS}})
        person.pop("availability", None)
        person.setdefault("on_call", draw(st.booleans()))
        busy_until = earliest + dt.timedelta(minutes=draw(st.integers(0, length // 15)) * 15)
        person["busy"] = [*person.get("busy", []), [earliest.isoformat(), busy_until.isoformat()]]
    request["roles"] = [*request["roles"][:2], written]
    request["max_proposals"] = draw(st.sampled_from([2, 2, 3, 5]))
    return request


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(writing_requests())
def test_fastest_and_best_attended_meetings_are_both_proposed(request: dict[str, Any]) -> None:
    options = oracle_options(request)
    answer = solve(request)
    if not options:
        assert answer["status"] == "no_slot"
        return
    proposed = []
    for proposal in answer["proposals"]:
        start, assignment = _as_oracle(proposal)
        match = [o[1] for o in options if o[0] == start and o[2] == assignment]
        assert match, f"proposal is not valid: {proposal}"
        proposed.append((start, match[0]))

    def best_at(start: dt.datetime) -> tuple[int, ...]:
        return min(o[1] for o in options if o[0] == start)

    fastest_start = min(o[0] for o in options)
    assert (fastest_start, best_at(fastest_start)) in proposed, "the fastest meeting is missing"
    fewest = min(o[1][0] for o in options)
    attended_start = min(o[0] for o in options if o[1][0] == fewest)
    assert (attended_start, best_at(attended_start)) in proposed, "the best-attended meeting is missing"
    event("best attended later than fastest" if attended_start > fastest_start else "one meeting is both")


# --- the documented ranking of further options ---------------------------------------------------

SCORE_WEIGHTS = (240, 60, 120, 30, 120)  # written, deputy rank, out of hours, optional missing, unknown


def ranking_key(start: dt.datetime, metrics: tuple[int, ...]) -> tuple[float, tuple[int, ...]]:
    """Wait in minutes plus the weighted metrics; equal costs go to the lexicographically better metrics."""
    wait = start.timestamp() / 60
    return wait + sum(w * m for w, m in zip(SCORE_WEIGHTS, metrics, strict=True)), metrics


def class_first_starts(request: dict[str, Any]) -> set[dt.datetime]:
    """The earliest start of each availability class (every candidate's standing the same): the
    engine proposes only these, as a later start of a class offers nothing its first does not."""
    allow = request.get("allow_unknown", False)
    people = sorted({p for r in request["roles"] for p in r["candidates"]})
    seen: set[tuple[str, ...]] = set()
    firsts = set()
    for start in oracle_starts(request):
        end = start + dt.timedelta(minutes=request["duration_minutes"])
        key = tuple(oracle_status(request["people"].get(p), start, end, allow) for p in people)
        if key not in seen:
            seen.add(key)
            firsts.add(start)
    return firsts


def apart_from(
    options: list[tuple[dt.datetime, tuple[int, int, int, int, int], dict[str, Any]]],
    chosen: list[tuple[dt.datetime, tuple[int, ...]]],
    starts: set[dt.datetime],
) -> list[tuple[dt.datetime, tuple[int, ...]]]:
    """Options at ``starts`` that start elsewhere than, dominate none of and are dominated by none of ``chosen``."""
    return [
        (o[0], o[1])
        for o in options
        if o[0] in starts
        and all(o[0] != c[0] and not dominated(c, (o[0], o[1])) and not dominated((o[0], o[1]), c) for c in chosen)
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(requests(), writing_requests()).map(lambda r: {**r, "max_proposals": 5}))
def test_each_further_option_is_the_cheapest_one_apart_from_those_before(request: dict[str, Any]) -> None:
    options = oracle_options(request)
    starts = class_first_starts(request)
    proposals = solve(request)["proposals"]
    chosen: list[tuple[dt.datetime, tuple[int, ...]]] = []
    for proposal in proposals:
        start, assignment = _as_oracle(proposal)
        metrics = next(o[1] for o in options if o[0] == start and o[2] == assignment)
        if proposal["explanation"].startswith("Another option"):
            event("further option")
            assert ranking_key(start, metrics) == min(ranking_key(*o) for o in apart_from(options, chosen, starts))
        chosen.append((start, metrics))
    if len(proposals) < 5:  # stopped early: nothing valid is left apart from the proposals
        assert not apart_from(options, chosen, starts)
