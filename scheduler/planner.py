"""A region's week: many conferences over shared people.

1. Fixed conferences (``fixed`` given: invitations already sent) are kept exactly as they are;
   their people are busy for them.
2. **Greedy baseline**, exactly as the contract defines it: conferences by descending priority,
   then earlier ``earliest_start``, then ``id``; each is booked at its fastest valid slot with that
   slot's best assignment (fewest written submissions, then lowest deputy rank, then fewest out
   of hours, then fewest optional roles uncovered), given the bookings before it.
3. **CP-SAT** over all non-fixed conferences at once, warm-started from the complete greedy plan
   as a hint: per conference a start over its valid grains and an ``is booked`` literal; per
   role the candidate literals (each enforcing the person's valid starts) plus written/uncovered
   slack; per person one optional fixed-size interval per conference, present iff they attend,
   in one ``add_no_overlap``. Objective: ``unscheduled_priority`` then ``weighted_wait_minutes``.
4. The better plan by the contract's order (unscheduled priority, weighted wait, written
   submissions, deputy ranks) is returned; on a tie, or if the solver finds nothing better in
   ``time_limit_seconds``, the greedy plan. So a plan is never worse than the baseline.

The greedy pass is deterministic. The solver runs with a fixed seed; with 2 workers and a wall
clock limit its path can still vary from run to run, but the result is never worse than greedy.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.answer import explain_no_slot
from scheduler.availability import Grid, Interval, build_grid, iso, minute_ceil, overlay, to_minute
from scheduler.model import Batch, Conference
from scheduler.solver import Assignment, Cover, Metrics, Option, best_at, metrics_of, valid_indices

SOLVER_WORKERS = 2
SOLVER_SEED = 11


@dataclass(frozen=True)
class Booking:
    id: str
    status: str  # "booked" | "unscheduled"
    start: int | None = None
    end: int | None = None
    assignments: Assignment = field(default_factory=dict)
    metrics: Metrics | None = None
    reasons: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        if self.status == "unscheduled" or self.start is None or self.end is None or self.metrics is None:
            return {"id": self.id, "status": "unscheduled", "reasons": list(self.reasons)}
        return {
            "id": self.id,
            "status": "booked",
            "start": iso(self.start),
            "end": iso(self.end),
            "assignments": {role: cover.as_json() for role, cover in self.assignments.items()},
            "metrics": self.metrics.as_json(),
        }


@dataclass(frozen=True)
class PlanResult:
    bookings: tuple[Booking, ...]
    unscheduled_priority: int
    weighted_wait_minutes: int
    written_submissions: int
    deputy_rank: int
    method: str  # "greedy" | "cp-sat"
    baseline: tuple[int, int]  # the greedy plan's (unscheduled_priority, weighted_wait_minutes)

    def key(self) -> tuple[int, int, int, int]:
        """The contract's order: lower is better."""
        return (self.unscheduled_priority, self.weighted_wait_minutes, self.written_submissions, self.deputy_rank)

    def as_json(self) -> dict[str, Any]:
        return {
            "bookings": [booking.as_json() for booking in self.bookings],
            "summary": {
                "unscheduled_priority": self.unscheduled_priority,
                "weighted_wait_minutes": self.weighted_wait_minutes,
                "method": self.method,
                "greedy": {"unscheduled_priority": self.baseline[0], "weighted_wait_minutes": self.baseline[1]},
            },
        }


# --- shared pieces ---------------------------------------------------------------------------


def _fixed_busy(batch: Batch) -> dict[str, list[Interval]]:
    busy: dict[str, list[Interval]] = {}
    for conference in batch.conferences:
        if conference.fixed:
            start = to_minute(conference.fixed.start_at)
            for person in conference.fixed.assignments.values():
                if person:
                    busy.setdefault(person, []).append((start, start + conference.duration_minutes))
    return busy


def _fixed_booking(batch: Batch, conference: Conference) -> Booking:
    assert conference.fixed is not None
    start = to_minute(conference.fixed.start_at)
    assignment = {
        role.role: Cover(conference.fixed.assignments.get(role.role), role.role in conference.fixed.written)
        for role in conference.roles
    }
    grid = build_grid(batch.request_for(conference))
    index = grid.starts.index(start) if start in grid.starts else None
    metrics = metrics_of(grid, index, assignment) if index is not None else _plain_metrics(conference, assignment)
    return Booking(conference.id, "booked", start, start + conference.duration_minutes, assignment, metrics)


def _plain_metrics(conference: Conference, assignment: Assignment) -> Metrics:
    """Metrics of a fixed booking outside the grid (only out-of-hours cannot be known; counted as 0)."""
    written = sum(c.written for c in assignment.values())
    rank = sum(r.candidates.index(p) for r in conference.roles if (p := assignment[r.role].person) is not None)
    missing = sum(1 for r in conference.roles if not r.required and assignment[r.role].person is None)
    return Metrics(written, rank, 0, missing)


def _booking(conference: Conference, grid: Grid, option: Option) -> Booking:
    start = grid.starts[option.index]
    return Booking(
        conference.id, "booked", start, start + conference.duration_minutes, option.assignment, option.metrics
    )


def _summarise(
    batch: Batch, bookings: Mapping[str, Booking], method: str, baseline: tuple[int, int] | None
) -> PlanResult:
    unscheduled = wait = written = rank = 0
    for conference in batch.conferences:
        booking = bookings[conference.id]
        if booking.start is None or booking.metrics is None:
            unscheduled += conference.priority
            continue
        wait += conference.priority * (booking.start - minute_ceil(conference.earliest_start_at))
        written += booking.metrics.written_submissions
        rank += booking.metrics.deputy_rank
    ordered = tuple(bookings[c.id] for c in batch.conferences)
    return PlanResult(ordered, unscheduled, wait, written, rank, method, baseline or (unscheduled, wait))


def _unscheduled(batch: Batch, conference: Conference, extra: Mapping[str, Sequence[Interval]]) -> Booking:
    grid = build_grid(batch.request_for(conference), extra)
    reasons, _ = explain_no_slot(grid, extra, suggest=False)
    alone = build_grid(batch.request_for(conference), _fixed_busy(batch))
    if valid_indices(alone):
        reasons = ["Every workable time clashes with other conferences booked for the same people.", *reasons]
    return Booking(conference.id, "unscheduled", reasons=tuple(reasons))


def greedy_order(batch: Batch) -> list[Conference]:
    movable = [c for c in batch.conferences if c.fixed is None]
    return sorted(movable, key=lambda c: (-c.priority, c.earliest_start_at, c.id))


def _merged(*sources: Mapping[str, Sequence[Interval]]) -> dict[str, list[Interval]]:
    merged: dict[str, list[Interval]] = {}
    for source in sources:
        for person, intervals in source.items():
            merged.setdefault(person, []).extend(intervals)
    return merged


# --- greedy baseline -------------------------------------------------------------------------


def base_grids(batch: Batch) -> dict[str, Grid]:
    """Each movable conference's grid given people's own busy time and the fixed bookings."""
    fixed_busy = _fixed_busy(batch)
    return {c.id: build_grid(batch.request_for(c), fixed_busy) for c in greedy_order(batch)}


def greedy_plan(batch: Batch, grids: Mapping[str, Grid] | None = None) -> PlanResult:
    """The contract's one-at-a-time baseline."""
    grids = base_grids(batch) if grids is None else grids
    busy: dict[str, list[Interval]] = {}
    bookings = {c.id: _fixed_booking(batch, c) for c in batch.conferences if c.fixed}
    for conference in greedy_order(batch):
        grid = overlay(grids[conference.id], busy)
        index = next(iter(valid_indices(grid, first_only=True)), None)
        option = best_at(grid, index) if index is not None else None
        if option is None:
            bookings[conference.id] = _unscheduled(batch, conference, _merged(_fixed_busy(batch), busy))
            continue
        booking = _booking(conference, grid, option)
        bookings[conference.id] = booking
        assert booking.start is not None and booking.end is not None
        for cover in option.assignment.values():
            if cover.person:
                busy.setdefault(cover.person, []).append((booking.start, booking.end))
    return _summarise(batch, bookings, "greedy", None)


# --- CP-SAT improvement ----------------------------------------------------------------------


@dataclass
class _Vars:
    conference: Conference
    grid: Grid
    booked: cp_model.IntVar
    start: cp_model.IntVar
    wait: cp_model.IntVar
    x: dict[tuple[str, str], cp_model.IntVar]
    slack: dict[str, cp_model.IntVar]
    valid: list[int]


def _conference_vars(model: cp_model.CpModel, conference: Conference, grid: Grid, valid: list[int]) -> _Vars:
    starts = [grid.starts[i] for i in valid]
    earliest = minute_ceil(conference.earliest_start_at)
    booked = model.new_bool_var(f"booked[{conference.id}]")
    start = model.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start[{conference.id}]")
    wait = model.new_int_var(0, starts[-1] - earliest, f"wait[{conference.id}]")
    model.add(wait == start - earliest).only_enforce_if(booked)
    model.add(wait == 0).only_enforce_if(booked.Not())
    x: dict[tuple[str, str], cp_model.IntVar] = {}
    slack: dict[str, cp_model.IntVar] = {}
    for role in conference.roles:
        choices = []
        for person in role.candidates:
            can = [grid.starts[i] for i in valid if grid.attendable(person, i)]
            if not can:
                continue
            var = model.new_bool_var(f"x[{conference.id},{role.role},{person}]")
            x[(role.role, person)] = var
            choices.append(var)
            if len(can) < len(starts):
                model.add_linear_expression_in_domain(start, cp_model.Domain.from_values(can)).only_enforce_if(var)
        if role.may_write or not role.required:
            slack[role.role] = model.new_bool_var(f"slack[{conference.id},{role.role}]")
            choices.append(slack[role.role])
        model.add(sum(choices) == booked)
    for person in {p for _, p in x}:
        mine = [var for (_, p), var in x.items() if p == person]
        if len(mine) > 1:
            model.add_at_most_one(mine)
    return _Vars(conference, grid, booked, start, wait, x, slack, valid)


def _hint(model: cp_model.CpModel, v: _Vars, booking: Booking) -> None:
    booked = booking.start is not None
    model.add_hint(v.booked, booked)
    model.add_hint(v.start, booking.start if booking.start is not None else v.grid.starts[v.valid[0]])
    model.add_hint(v.wait, booking.start - minute_ceil(v.conference.earliest_start_at) if booking.start else 0)
    for (role, person), var in v.x.items():
        model.add_hint(var, booked and booking.assignments[role].person == person)
    for role, var in v.slack.items():
        model.add_hint(var, booked and booking.assignments[role].person is None)


def _no_overlap(model: cp_model.CpModel, variables: Sequence[_Vars], hints: Mapping[str, Booking]) -> None:
    intervals: dict[str, list[cp_model.IntervalVar]] = {}
    for v in variables:
        booking = hints[v.conference.id]
        for person in {p for _, p in v.x}:
            mine = [var for (_, p), var in v.x.items() if p == person]
            used = mine[0]
            if len(mine) > 1:
                used = model.new_bool_var(f"used[{v.conference.id},{person}]")
                model.add(sum(mine) == used)
                model.add_hint(used, any(c.person == person for c in booking.assignments.values()))
            interval = model.new_optional_fixed_size_interval_var(
                v.start, v.conference.duration_minutes, used, f"iv[{v.conference.id},{person}]"
            )
            intervals.setdefault(person, []).append(interval)
    for person_intervals in intervals.values():
        if len(person_intervals) > 1:
            model.add_no_overlap(person_intervals)


def improve(
    batch: Batch, greedy: PlanResult, deadline: float, grids: Mapping[str, Grid] | None = None
) -> dict[str, Booking] | None:
    """CP-SAT from the complete greedy hint until ``deadline`` (``time.monotonic()``); None if nothing found."""
    grids = base_grids(batch) if grids is None else grids
    hints = {b.id: b for b in greedy.bookings}
    model = cp_model.CpModel()
    variables: list[_Vars] = []
    for conference in greedy_order(batch):
        grid = grids[conference.id]
        valid = valid_indices(grid)
        if valid:
            v = _conference_vars(model, conference, grid, valid)
            _hint(model, v, hints[conference.id])
            variables.append(v)
    if not variables:
        return None
    _no_overlap(model, variables, hints)
    seconds = deadline - time.monotonic()
    if seconds <= 0:
        return None
    unscheduled = sum(v.conference.priority * (1 - v.booked) for v in variables)
    waits = sum(v.conference.priority * v.wait for v in variables)
    wait_bound = sum(
        v.conference.priority * (v.grid.starts[v.valid[-1]] - minute_ceil(v.conference.earliest_start_at))
        for v in variables
    )
    model.minimize(unscheduled * (wait_bound + 1) + waits)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = SOLVER_WORKERS
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.max_presolve_iterations = 1  # full presolve took most of the budget at 100 conferences
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _read_solution(solver, variables)


def _read_solution(solver: cp_model.CpSolver, variables: Sequence[_Vars]) -> dict[str, Booking]:
    bookings: dict[str, Booking] = {}
    for v in variables:
        if not solver.value(v.booked):
            continue
        start = solver.value(v.start)
        index = v.grid.starts.index(start)
        assignment = {}
        for role in v.conference.roles:
            person = next(
                (p for p in role.candidates if (role.role, p) in v.x and solver.value(v.x[role.role, p])), None
            )
            written = person is None and role.may_write
            assignment[role.role] = Cover(person, written)
        option = Option(index, assignment, metrics_of(v.grid, index, assignment))
        bookings[v.conference.id] = _booking(v.conference, v.grid, option)
    return bookings


def double_booked(result: PlanResult) -> list[str]:
    """People in two overlapping meetings of a plan (should always be empty)."""
    seen: dict[str, list[Interval]] = {}
    clashes = []
    for booking in result.bookings:
        if booking.start is None or booking.end is None:
            continue
        for cover in booking.assignments.values():
            if cover.person:
                for start, end in seen.get(cover.person, []):
                    if start < booking.end and booking.start < end:
                        clashes.append(cover.person)
                seen.setdefault(cover.person, []).append((booking.start, booking.end))
    return clashes


def plan_batch(batch: Batch) -> PlanResult:
    """Book a batch: greedy, then CP-SAT within ``time_limit_seconds``; never worse than greedy."""
    began = time.monotonic()
    grids = base_grids(batch)
    greedy = greedy_plan(batch, grids)
    baseline = (greedy.unscheduled_priority, greedy.weighted_wait_minutes)
    # keep a reserve for reading the solution and explaining what stays unscheduled
    reserve = max(0.5, 0.15 * batch.time_limit_seconds)
    found = improve(batch, greedy, began + batch.time_limit_seconds - reserve, grids)
    if found is None:
        return greedy
    bookings = {b.id: b for b in greedy.bookings if b.id in {c.id for c in batch.conferences if c.fixed}}
    bookings.update(found)
    busy = _fixed_busy(batch)
    for booking in found.values():
        for cover in booking.assignments.values():
            if cover.person and booking.start is not None and booking.end is not None:
                busy.setdefault(cover.person, []).append((booking.start, booking.end))
    for conference in batch.conferences:
        if conference.id not in bookings:
            bookings[conference.id] = _unscheduled(batch, conference, busy)
    improved = _summarise(batch, bookings, "cp-sat", baseline)
    if improved.key() < greedy.key() and not double_booked(improved):
        return improved
    return greedy
