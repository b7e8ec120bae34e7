"""A region's week: many conferences over shared people.

1. Fixed conferences (``fixed`` given: invitations already sent) are kept exactly as they are;
   their people are busy for them.
2. **Greedy baseline**, exactly as the contract defines it: conferences by descending priority,
   then earlier ``earliest_start``, then ``id``; each is booked at its fastest valid slot with that
   slot's best assignment (fewest written submissions, then lowest deputy rank, then fewest out
   of hours, then fewest optional roles uncovered), given the bookings before it.
3. **Essential people.** At each valid start of a conference, the people in *every* valid
   meeting there (no matching of its must-attend roles avoids them) are busy then whatever the
   assignment. Only these are exact in the **relaxation**: one literal per (conference, start),
   at most one per conference, and per person, at each start where they are essential, at most one
   of the overlapping starts of conferences that need them (clique constraints). Every plan obeys
   it, so its optimum is a **lower bound**: first on the unscheduled priority, then on the weighted
   wait at that priority. Time-indexed, its LP is tight; it solves in well under a second at 200
   conferences, and on the benchmark's instances lies within 1% of the best plans found.
4. **The relaxation's plan given people**: one CP-SAT assignment model at its starts (people in
   overlapping meetings at most once), placing as much as it can, conferences with few valid
   starts first; the rest are booked after, fewest valid starts first, each at its relaxation
   start if it can be staffed there, else its fastest slot, keeping free the people the later
   ones need.
5. While the plan is more than :data:`GAP_LIMIT` (1%) above the bound: **CP-SAT** over starts and
   people, warm-started from the best plan so far: per conference a start, an ``is booked``
   literal and one literal per valid start; per role the candidate literals (each enforcing the
   person's valid starts) plus written/uncovered slack; per person one optional fixed-size
   interval per conference, present iff they attend, in one ``add_no_overlap``; the relaxation's
   clique constraints on the start literals (redundant: they give the LP the bound). First with
   each start within :data:`NEAR_MINUTES` of the relaxation's (a small model, for at most half of
   the time left), then over every start. The objective is the unscheduled priority then the
   weighted wait (the wait alone, the priority fixed, once that is proven least); a solution
   callback stops at the first plan within the gap limit, and the whole model's CP-SAT bound, where
   higher, replaces the relaxation's (the neighbourhood's bound is its own, not the plan's).
   Batches of at most :data:`EXACT_UP_TO` movable conferences are solved exactly (gap limit 0,
   within ``time_limit_seconds``).
6. **People for the chosen times**: the assignment model again at the plan's starts, minimising
   written submissions, then deputy ranks, then out of hours, then optional roles uncovered.
7. The best plan by the contract's order (unscheduled priority, weighted wait, written
   submissions, deputy ranks) is returned, the greedy plan on a tie; so a plan is never worse
   than the baseline. It carries the bound and the gap (:func:`relative_gap`).

CP-SAT settings (:func:`_solver`): a fixed seed; probing off and one presolve pass (probing alone
took 2 s, 10 s on a busy machine, at 200 conferences). The relaxation and the assignment models
run on 1 worker: they solve in well under a second (a second worker made them slower on the
2-core machine: 0.4 to 1.3 s instead of 0.3 to 0.7 s at 200 conferences), and one worker is
deterministic, so steps 1 to 4 and the bound give the same answer every run (unless a step runs
into the time limit). The whole model (step 5) runs on :data:`SOLVER_WORKERS` = 2, one per core
of the machines it runs on: its progress comes from large-neighbourhood search beside the LP
worker, which one worker can only interleave. With 2 workers and a wall-clock limit the plan
found can vary from run to run, but it is never worse than greedy and the reported gap is always
true of the plan returned.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from scheduler.answer import explain_no_slot
from scheduler.availability import Grid, Interval, Status, build_grid, iso, minute_ceil, overlay, to_minute
from scheduler.model import Batch, Conference, Role
from scheduler.solver import (
    Assignment,
    Cover,
    Metrics,
    Option,
    _signatures,
    best_at,
    metrics_of,
    must_attend,
    valid_indices,
)

SOLVER_WORKERS = 2
SOLVER_SEED = 11
GAP_LIMIT = 0.01  # stop searching once the plan is proven within 1% of the best possible ...
EXACT_UP_TO = 20  # ... except for batches of at most this many movable conferences: those are solved exactly
NEAR_MINUTES = 60  # the first CP-SAT search moves each conference at most this far from the relaxation's start
NEAR_SHARE = 0.5  # of the time left, at most this much for that search


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
    lower_bound: tuple[int, int] | None = None  # no plan is lexicographically below this (see relative_gap)
    gap: float | None = None

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
                **self._bound_json(),
            },
        }

    def _bound_json(self) -> dict[str, Any]:
        if self.lower_bound is None or self.gap is None:
            return {}
        return {
            "lower_bound": {"unscheduled_priority": self.lower_bound[0], "weighted_wait_minutes": self.lower_bound[1]},
            "gap": round(self.gap, 6),
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


# --- each conference's options, and the people every meeting at a start needs ---------------


@dataclass(frozen=True)
class _Options:
    """A movable conference that can be booked on its own: its valid start grains and, for each,
    the people *every* valid meeting at that start needs (busy then whatever the assignment)."""

    conference: Conference
    grid: Grid
    valid: tuple[int, ...]
    earliest: int
    essential: tuple[tuple[str, ...], ...]  # parallel to ``valid``

    def start(self, k: int) -> int:
        return self.grid.starts[self.valid[k]]

    def end(self, k: int) -> int:
        return self.start(k) + self.conference.duration_minutes

    def wait(self, k: int) -> int:
        return self.start(k) - self.earliest


def _matched(role_people: Sequence[Sequence[str]]) -> set[str] | None:
    """The people of one matching that gives every role a different person of its list, or None."""
    owner: dict[str, int] = {}

    def place(role: int, seen: set[str]) -> bool:
        for person in role_people[role]:
            if person not in seen:
                seen.add(person)
                if person not in owner or place(owner[person], seen):
                    owner[person] = role
                    return True
        return False

    return set(owner) if all(place(role, set()) for role in range(len(role_people))) else None


def _essential(grid: Grid, index: int) -> tuple[str, ...]:
    """People in every valid meeting at this grain: no matching of the must-attend roles avoids them.

    Only the people of one matching can be in all of them, so only those are tested.
    """
    needed = [[p for p in role.candidates if grid.attendable(p, index)] for role in must_attend(grid.request.roles)]
    matched = _matched(needed) or set()
    return tuple(sorted(p for p in matched if _matched([[q for q in people if q != p] for people in needed]) is None))


def options_of(conference: Conference, grid: Grid) -> _Options | None:
    """The conference's valid starts and their essential people (memoised per availability class)."""
    valid = valid_indices(grid)
    if not valid:
        return None
    signatures = _signatures(grid)
    memo: dict[bytes, tuple[str, ...]] = {}
    essential = []
    for index in valid:
        key = signatures[index]
        if key not in memo:
            memo[key] = _essential(grid, index)
        essential.append(memo[key])
    return _Options(conference, grid, tuple(valid), minute_ceil(conference.earliest_start_at), tuple(essential))


def _cliques(options: Sequence[_Options]) -> list[list[tuple[int, int]]]:
    """Sets of (option number, start number) of which a plan uses at most one: per person, at each
    start where they are essential, the starts of two or more conferences that need them then."""
    usage: dict[str, list[tuple[int, int, int, int]]] = {}
    for n, option in enumerate(options):
        for k, people in enumerate(option.essential):
            for person in people:
                usage.setdefault(person, []).append((option.start(k), option.end(k), n, k))
    cliques = []
    for uses in usage.values():
        if len({n for _, _, n, _ in uses}) < 2:
            continue
        uses.sort()
        active: list[tuple[int, int, int, int]] = []
        position = 0
        for moment in sorted({start for start, *_ in uses}):
            while position < len(uses) and uses[position][0] <= moment:
                active.append(uses[position])
                position += 1
            active = [use for use in active if use[1] > moment]
            if len({n for _, _, n, _ in active}) > 1:
                cliques.append([(n, k) for _, _, n, k in active])
    return cliques


def _solver(seconds: float, workers: int = 1) -> cp_model.CpSolver:
    """CP-SAT for the plan's models (see the module docstring for the choices)."""
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = workers
    parameters.random_seed = SOLVER_SEED
    parameters.max_time_in_seconds = max(seconds, 0.05)
    parameters.cp_model_probing_level = 0  # probing alone took 2 s (up to 10 s on a busy machine) at 200 conferences
    parameters.max_presolve_iterations = 1
    parameters.catch_sigint_signal = False
    return solver


def _ceil(bound: float) -> int:
    """An integer objective's lower bound from CP-SAT's float one (0 if it has none yet)."""
    return math.ceil(bound - 1e-6) if math.isfinite(bound) else 0


def _remaining(deadline: float) -> float:
    return deadline - time.monotonic()


# --- the relaxation: starts only, essential people only --------------------------------------


class _Relaxation:
    """Each conference's start (or none); no person in two overlapping meetings that both *need*
    them. Every plan satisfies these constraints, so the optimum here bounds every plan's; the model
    is time-indexed (one literal per start), whose LP is tight, and it solves in a fraction of a second.
    """

    def __init__(self, options: Sequence[_Options]) -> None:
        self.options = options
        self.model = cp_model.CpModel()
        self.y = [[self.model.new_bool_var(f"y[{o.conference.id},{k}]") for k in range(len(o.valid))] for o in options]
        for literals in self.y:
            self.model.add_at_most_one(literals)
        for clique in _cliques(options):
            self.model.add_at_most_one(self.y[n][k] for n, k in clique)
        literals = [y for ys in self.y for y in ys]
        self.total = sum(o.conference.priority for o in options)
        self.booked_priority = cp_model.LinearExpr.weighted_sum(
            literals, [o.conference.priority for o, ys in zip(options, self.y, strict=True) for _ in ys]
        )
        self.wait = cp_model.LinearExpr.weighted_sum(
            literals, [o.conference.priority * o.wait(k) for o in options for k in range(len(o.valid))]
        )

    def unscheduled_bound(self, deadline: float) -> int:
        """A lower bound on the unscheduled priority among these conferences."""
        self.model.maximize(self.booked_priority)
        solver = _solver(_remaining(deadline))
        status = solver.solve(self.model)
        most = solver.best_objective_bound  # at most this much priority can be booked
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not math.isfinite(most):
            return 0
        return max(0, self.total - math.floor(most + 1e-6))

    def wait_bound(self, unscheduled: int, deadline: float) -> tuple[int, dict[str, int]]:
        """A lower bound on the weighted wait of plans leaving ``unscheduled`` priority of these
        conferences unbooked, and the starts of the relaxation's best plan (empty if none found)."""
        model = self.model.clone()
        model.add(self.booked_priority == self.total - unscheduled)
        model.minimize(self.wait)
        solver = _solver(_remaining(deadline))
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return (_ceil(solver.best_objective_bound) if status == cp_model.UNKNOWN else 0), {}
        starts = {
            o.conference.id: o.start(k)
            for o, ys in zip(self.options, self.y, strict=True)
            for k, y in enumerate(ys)
            if solver.boolean_value(y)
        }
        return _ceil(solver.best_objective_bound), starts


# --- people for given starts -----------------------------------------------------------------


def _people_in_overlaps(
    model: cp_model.CpModel, uses: Mapping[str, list[tuple[int, int, int, cp_model.IntVar]]]
) -> None:
    """For each person, at each moment, at most one of the overlapping meetings (fixed times) has them."""
    for items in uses.values():
        if len(items) < 2:
            continue
        items.sort(key=lambda item: item[:3])
        active: list[tuple[int, int, int, cp_model.IntVar]] = []
        for item in items:
            active = [a for a in active if a[1] > item[0]]
            active.append(item)
            if len(active) > 1:
                model.add_at_most_one(a[3] for a in active)


def _lexicographic_weights(roles: Sequence[Role]) -> list[int]:
    """Weights for (written, deputy rank, out of hours, optional missing) summing to their lexicographic order."""
    most = [len(roles), sum(len(r.candidates) for r in roles), len(roles), len(roles)]
    weights = [1, 1, 1, 1]
    for k in range(2, -1, -1):
        weights[k] = weights[k + 1] * (most[k + 1] + 1)
    return weights


def _placing_weight(option: _Options) -> int:
    """How much placing a conference at its given start is worth: its priority, many times over when
    it has few valid starts (booked later, it may find none left)."""
    return option.conference.priority * (1 + 100 // len(option.valid))


class _People:
    """Who covers each role of meetings at fixed starts; nobody in two overlapping meetings."""

    def __init__(self, chosen: Sequence[tuple[_Options, int]], hint: Mapping[str, Booking], optional: bool) -> None:
        self.model = cp_model.CpModel()
        self.chosen = chosen
        self.weights = _lexicographic_weights([role for o, _ in chosen for role in o.conference.roles])
        self.covers: list[tuple[str, str, str | None, cp_model.IntVar]] = []
        self.terms: list[tuple[cp_model.IntVar, int]] = []
        self.placed: dict[str, cp_model.IntVar] = {}
        self.optional = optional
        uses: dict[str, list[tuple[int, int, int, cp_model.IntVar]]] = {}
        for n, (option, index) in enumerate(chosen):
            conference, start = option.conference, option.grid.starts[index]
            booked = hint.get(conference.id)
            given = booked.assignments if booked is not None and booked.start == start else {}
            placed = self.model.new_bool_var(f"placed[{conference.id}]") if optional else self.model.new_constant(1)
            self.placed[conference.id] = placed
            for person, used in self._conference(option, index, placed, given).items():
                uses.setdefault(person, []).append((start, start + conference.duration_minutes, n, used))
        _people_in_overlaps(self.model, uses)

    def _conference(
        self, option: _Options, index: int, placed: cp_model.IntVar, given: Assignment
    ) -> dict[str, cp_model.IntVar]:
        model, grid, conference, weights = self.model, option.grid, option.conference, self.weights
        mine: dict[str, list[cp_model.IntVar]] = {}
        for role in conference.roles:
            choices = []
            for rank, person in enumerate(role.candidates):
                if grid.attendable(person, index):
                    x = model.new_bool_var(f"x[{conference.id},{role.role},{person}]")
                    ooh = grid.status[person][index] == Status.OUT_OF_HOURS
                    self.terms.append((x, rank * weights[1] + ooh * weights[2]))
                    self.covers.append((conference.id, role.role, person, x))
                    mine.setdefault(person, []).append(x)
                    choices.append(x)
            if role.may_write or not role.required:
                slack = model.new_bool_var(f"slack[{conference.id},{role.role}]")
                self.terms.append((slack, weights[0] if role.may_write else weights[3]))
                self.covers.append((conference.id, role.role, None, slack))
                choices.append(slack)
            model.add(sum(choices) == placed)  # no choice: not placed (or, if it must be, no assignment)
            if given:
                for _, _, who, var in self.covers[-len(choices) :]:
                    model.add_hint(var, given[role.role].person == who)
        used_of: dict[str, cp_model.IntVar] = {}
        for person, xs in mine.items():
            used_of[person] = xs[0]
            if len(xs) > 1:
                used_of[person] = model.new_bool_var(f"used[{conference.id},{person}]")
                model.add(sum(xs) == used_of[person])
                if given:
                    model.add_hint(used_of[person], any(c.person == person for c in given.values()))
        return used_of

    def solve(self, deadline: float) -> dict[str, Booking] | None:
        """The best assignment, placing as much priority as possible first (when placing is optional)."""
        if self.optional:  # what is placed (the people are chosen again once the times are settled)
            self.model.maximize(
                sum(
                    _placing_weight(o) * placed
                    for (o, _), placed in zip(self.chosen, self.placed.values(), strict=True)
                )
            )
        else:
            self.model.minimize(
                cp_model.LinearExpr.weighted_sum([v for v, _ in self.terms], [c for _, c in self.terms])
            )
        solver = _solver(_remaining(deadline))
        if solver.solve(self.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        people = {(c, r): p for c, r, p, var in self.covers if solver.boolean_value(var)}
        bookings = {}
        for option, index in self.chosen:
            conference = option.conference
            if not solver.boolean_value(self.placed[conference.id]):
                continue
            assignment = {
                role.role: Cover(who, who is None and role.may_write)
                for role in conference.roles
                for who in [people[conference.id, role.role]]
            }
            bookings[conference.id] = _booking(
                conference, option.grid, Option(index, assignment, metrics_of(option.grid, index, assignment))
            )
        return bookings


def assign_at(
    options: Sequence[_Options],
    starts: Mapping[str, int],
    hint: Mapping[str, Booking],
    deadline: float,
    optional: bool = False,
) -> dict[str, Booking] | None:
    """The best people for meetings at these starts: nobody in two overlapping meetings; fewest
    written submissions, then lowest deputy ranks, then fewest out of hours, then fewest optional
    roles uncovered (summed over the plan). None if there is no such assignment (or none was found
    in time). With ``optional``, meetings that cannot all be held at these starts are left out,
    keeping as much priority as possible."""
    chosen = [
        (o, bisect.bisect_left(o.grid.starts, starts[o.conference.id])) for o in options if o.conference.id in starts
    ]
    return _People(chosen, hint, optional).solve(deadline)


def _repair(
    options: Sequence[_Options],
    starts: Mapping[str, int],
    fixed_busy: Mapping[str, Sequence[Interval]],
    kept: Mapping[str, Booking],
) -> dict[str, Booking]:
    """A whole plan near the relaxation's starts from the bookings ``kept``: the other conferences,
    fewest valid starts first, each at its start there if it can (else its fastest valid slot) given
    the bookings before it, with its best assignment that leaves free the people the later
    conferences need at their starts (or any, if it cannot)."""
    position = {o.conference.id: n for n, o in enumerate(options)}
    reserved: dict[str, list[tuple[int, int, int]]] = {}
    for option in options:
        start = starts.get(option.conference.id)
        if start is not None:
            k = option.valid.index(bisect.bisect_left(option.grid.starts, start))
            for person in option.essential[k]:
                reserved.setdefault(person, []).append((start, option.end(k), position[option.conference.id]))
    order = sorted(options, key=lambda o: (len(o.valid), starts.get(o.conference.id, 1 << 62)))
    bookings = dict(kept)
    busy = _merged(fixed_busy)
    for booking in kept.values():
        for cover in booking.assignments.values():
            if cover.person and booking.start is not None and booking.end is not None:
                busy.setdefault(cover.person, []).append((booking.start, booking.end))
    done = {position[conference_id] for conference_id in kept}
    for option in order:
        if option.conference.id in kept:
            continue
        n = position[option.conference.id]
        done.add(n)
        grid = overlay(option.grid, busy)
        others = {
            person: [(s, e) for s, e, m in reserved.get(person, []) if m not in done] for person in grid.calendars
        }
        guarded = overlay(grid, others)
        target = starts.get(option.conference.id)
        found = None
        if target is not None:
            index = bisect.bisect_left(grid.starts, target)
            found = best_at(guarded, index) or best_at(grid, index)
        found = found or _fastest(guarded) or _fastest(grid)
        if found is None:
            continue
        booking = _booking(option.conference, option.grid, found)
        bookings[option.conference.id] = booking
        assert booking.start is not None and booking.end is not None
        for cover in found.assignment.values():
            if cover.person:
                busy.setdefault(cover.person, []).append((booking.start, booking.end))
    return bookings


def _near(
    options: Sequence[_Options], starts: Mapping[str, int], kept: Mapping[str, Booking], plan: Mapping[str, Booking]
) -> list[_Options]:
    """The options within :data:`NEAR_MINUTES` of the relaxation's start (all of them for a
    conference it could not staff there), and each conference's start in ``plan``."""
    near = []
    for option in options:
        conference_id = option.conference.id
        at = starts.get(conference_id)
        current = plan[conference_id].start if conference_id in plan else None
        chosen = [
            k
            for k in range(len(option.valid))
            if conference_id not in kept
            or at is None
            or abs(option.start(k) - at) <= NEAR_MINUTES
            or option.start(k) == current
        ]
        near.append(
            replace(
                option,
                valid=tuple(option.valid[k] for k in chosen),
                essential=tuple(option.essential[k] for k in chosen),
            )
        )
    return near


def _fastest(grid: Grid) -> Option | None:
    """The earliest valid slot with its best assignment (metrics from ``grid``'s own statuses)."""
    index = next(iter(valid_indices(grid, first_only=True)), None)
    return best_at(grid, index) if index is not None else None


# --- the whole model: starts and people ------------------------------------------------------


@dataclass
class _Vars:
    option: _Options
    booked: cp_model.IntVar
    start: cp_model.IntVar
    wait: cp_model.IntVar
    x: dict[tuple[str, str], cp_model.IntVar]
    slack: dict[str, cp_model.IntVar]
    at: list[cp_model.IntVar]  # one literal per valid start

    @property
    def conference(self) -> Conference:
        return self.option.conference


def _conference_vars(model: cp_model.CpModel, option: _Options) -> _Vars:
    conference, grid, valid = option.conference, option.grid, option.valid
    starts = [grid.starts[i] for i in valid]
    booked = model.new_bool_var(f"booked[{conference.id}]")
    start = model.new_int_var_from_domain(cp_model.Domain.from_values(starts), f"start[{conference.id}]")
    wait = model.new_int_var(0, starts[-1] - option.earliest, f"wait[{conference.id}]")
    model.add(wait == start - option.earliest).only_enforce_if(booked)
    model.add(wait == 0).only_enforce_if(booked.Not())
    at = [model.new_bool_var(f"at[{conference.id},{k}]") for k in range(len(valid))]
    for literal, minute in zip(at, starts, strict=True):
        model.add(start == minute).only_enforce_if(literal)
    model.add(sum(at) == booked)
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
    return _Vars(option, booked, start, wait, x, slack, at)


def _hint(model: cp_model.CpModel, v: _Vars, booking: Booking | None) -> None:
    booked = booking is not None and booking.start is not None
    start = booking.start if booking is not None and booking.start is not None else v.option.start(0)
    model.add_hint(v.booked, booked)
    model.add_hint(v.start, start)
    model.add_hint(v.wait, start - v.option.earliest if booked else 0)
    for k, literal in enumerate(v.at):
        model.add_hint(literal, booked and v.option.start(k) == start)
    for (role, person), var in v.x.items():
        model.add_hint(var, booked and booking is not None and booking.assignments[role].person == person)
    for role, var in v.slack.items():
        model.add_hint(var, booked and booking is not None and booking.assignments[role].person is None)


def _no_overlap(model: cp_model.CpModel, variables: Sequence[_Vars], hints: Mapping[str, Booking]) -> None:
    intervals: dict[str, list[cp_model.IntervalVar]] = {}
    for v in variables:
        booking = hints.get(v.conference.id)
        for person in sorted({p for _, p in v.x}):
            mine = [var for (_, p), var in v.x.items() if p == person]
            used = mine[0]
            if len(mine) > 1:
                used = model.new_bool_var(f"used[{v.conference.id},{person}]")
                model.add(sum(mine) == used)
                attends = booking is not None and any(c.person == person for c in booking.assignments.values())
                model.add_hint(used, attends)
            interval = model.new_optional_fixed_size_interval_var(
                v.start, v.conference.duration_minutes, used, f"iv[{v.conference.id},{person}]"
            )
            intervals.setdefault(person, []).append(interval)
    for person_intervals in intervals.values():
        if len(person_intervals) > 1:
            model.add_no_overlap(person_intervals)


class _StopWhenClose(cp_model.CpSolverSolutionCallback):
    """Stops the search at the first plan within ``limit`` of the bound (never, with a limit of 0)."""

    def __init__(
        self,
        lost: cp_model.LinearExprT,
        waits: cp_model.LinearExprT,
        offset: tuple[int, int],
        bound: tuple[int, int],
        limit: float,
    ) -> None:
        super().__init__()
        self.lost, self.waits, self.offset, self.bound, self.limit = lost, waits, offset, bound, limit

    def on_solution_callback(self) -> None:
        value = (self.offset[0] + int(self.value(self.lost)), self.offset[1] + int(self.value(self.waits)))
        if self.limit > 0 and relative_gap(value, self.bound) <= self.limit:
            self.stop_search()


def improve(
    options: Sequence[_Options],
    hints: Mapping[str, Booking],
    offset: tuple[int, int],
    bound: tuple[int, int],
    unscheduled: int | None,
    deadline: float,
    limit: float = GAP_LIMIT,
) -> tuple[dict[str, Booking] | None, tuple[int, int]]:
    """CP-SAT over starts and people, warm-started from the complete plan ``hints``.

    ``offset`` is what the plan's (unscheduled priority, weighted wait) add beyond these conferences
    (those bookable on no start, the fixed bookings), ``bound`` a known lower bound on the plan's. With
    ``unscheduled`` (of these conferences, proven the least possible) it minimises the weighted wait at
    that; else both at once, lexicographically. The search stops within ``limit`` of the bound.
    Returns the bookings found (None: none in time) and a lower bound on the plan's pair, from CP-SAT's.
    """
    model = cp_model.CpModel()
    variables = [_conference_vars(model, option) for option in options]
    for v in variables:
        _hint(model, v, hints.get(v.conference.id))
    _no_overlap(model, variables, hints)
    for clique in _cliques(options):  # redundant, but they give the LP the relaxation's bound
        model.add_at_most_one(variables[n].at[k] for n, k in clique)
    lost = cp_model.LinearExpr.weighted_sum([v.booked for v in variables], [-v.conference.priority for v in variables])
    lost += sum(v.conference.priority for v in variables)
    waits = cp_model.LinearExpr.weighted_sum([v.wait for v in variables], [v.conference.priority for v in variables])
    scale = 1 + sum(v.conference.priority * (v.option.start(len(v.at) - 1) - v.option.earliest) for v in variables)
    if unscheduled is not None:
        model.add(lost == unscheduled)
        model.add(waits >= bound[1] - offset[1])
        model.minimize(waits)
    else:
        model.add(lost >= bound[0] - offset[0])
        model.minimize(lost * scale + waits)
    solver = _solver(_remaining(deadline), SOLVER_WORKERS)
    status = solver.solve(model, _StopWhenClose(lost, waits, offset, bound, limit))
    found = _read_solution(solver, variables) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    best = _ceil(solver.best_objective_bound)
    if unscheduled is not None:
        return found, max(bound, (offset[0] + unscheduled, offset[1] + best))
    least, wait = divmod(best, scale)  # a plan losing less than ``least`` would be below the bound
    return found, max(bound, (offset[0] + least, offset[1] + wait))


def _read_solution(solver: cp_model.CpSolver, variables: Sequence[_Vars]) -> dict[str, Booking]:
    bookings: dict[str, Booking] = {}
    for v in variables:
        if not solver.boolean_value(v.booked):
            continue
        grid = v.option.grid
        index = grid.starts.index(solver.value(v.start))
        assignment = {}
        for role in v.conference.roles:
            person = next(
                (p for p in role.candidates if (role.role, p) in v.x and solver.boolean_value(v.x[role.role, p])), None
            )
            assignment[role.role] = Cover(person, person is None and role.may_write)
        option = Option(index, assignment, metrics_of(grid, index, assignment))
        bookings[v.conference.id] = _booking(v.conference, grid, option)
    return bookings


def double_booked(result: PlanResult, fixed: frozenset[str] = frozenset()) -> list[str]:
    """People in two overlapping meetings of a plan (should always be empty). Two ``fixed`` meetings that already
    overlap are not the plan's doing (invitations sent before planning can share a person): not counted."""
    seen: dict[str, list[tuple[Interval, str]]] = {}
    clashes = []
    for booking in result.bookings:
        if booking.start is None or booking.end is None:
            continue
        for cover in booking.assignments.values():
            if cover.person:
                for (start, end), other in seen.get(cover.person, []):
                    if start < booking.end and booking.start < end and not (booking.id in fixed and other in fixed):
                        clashes.append(cover.person)
                seen.setdefault(cover.person, []).append(((booking.start, booking.end), booking.id))
    return clashes


def relative_gap(value: tuple[int, int], bound: tuple[int, int]) -> float:
    """How far a plan's (unscheduled priority, weighted wait) may be from the best possible: relative to
    the plan, on the first of the two the bound does not match (0.0: proven optimal)."""
    if bound[0] < value[0]:
        return (value[0] - bound[0]) / value[0]
    return 0.0 if value[1] <= 0 else max(0, value[1] - bound[1]) / value[1]


def _plan_of(batch: Batch, greedy: PlanResult, found: Mapping[str, Booking], method: str) -> PlanResult:
    """A whole plan from the movable conferences' bookings: fixed ones as given, the rest explained."""
    fixed = {c.id for c in batch.conferences if c.fixed}
    bookings = {b.id: b for b in greedy.bookings if b.id in fixed}
    bookings.update(found)
    busy = _fixed_busy(batch)
    for booking in found.values():
        for cover in booking.assignments.values():
            if cover.person and booking.start is not None and booking.end is not None:
                busy.setdefault(cover.person, []).append((booking.start, booking.end))
    for conference in batch.conferences:
        if conference.id not in bookings:
            bookings[conference.id] = _unscheduled(batch, conference, busy)
    return _summarise(batch, bookings, method, greedy.baseline)


def _movable(plan: PlanResult, batch: Batch) -> dict[str, Booking]:
    fixed = {c.id for c in batch.conferences if c.fixed}
    return {b.id: b for b in plan.bookings if b.start is not None and b.id not in fixed}


def plan_batch(batch: Batch) -> PlanResult:
    """Book a batch: greedy, then the relaxation's bound and plan, CP-SAT if the gap is still open,
    and the best people for the chosen times; never worse than greedy. See the module docstring."""
    began = time.monotonic()
    # keep a reserve for reading the solution and explaining what stays unscheduled
    deadline = began + batch.time_limit_seconds - max(0.5, 0.15 * batch.time_limit_seconds)
    grids = base_grids(batch)
    greedy = greedy_plan(batch, grids)
    options = [o for c in greedy_order(batch) if (o := options_of(c, grids[c.id])) is not None]
    alone = sum(c.priority for c in greedy_order(batch)) - sum(o.conference.priority for o in options)
    fixed_wait = sum(
        c.priority * (to_minute(c.fixed.start_at) - minute_ceil(c.earliest_start_at))
        for c in batch.conferences
        if c.fixed
    )
    best = greedy
    if not options:
        return replace(greedy, lower_bound=(alone, fixed_wait), gap=0.0)

    fixed_ids = frozenset(c.id for c in batch.conferences if c.fixed)

    def consider(found: Mapping[str, Booking] | None) -> None:
        nonlocal best
        if found is not None:
            candidate = _plan_of(batch, greedy, found, "cp-sat")
            if candidate.key() < best.key() and not double_booked(candidate, fixed_ids):
                best = candidate

    limit = 0.0 if len(options) <= EXACT_UP_TO else GAP_LIMIT
    relaxation = _Relaxation(options)
    offset = (alone, fixed_wait)
    # 1. the relaxation's bound, and its best plan given people (what cannot be, booked after)
    u_bound = alone + relaxation.unscheduled_bound(deadline)
    w_relaxed, starts = relaxation.wait_bound(u_bound - alone, deadline)
    bound = (u_bound, fixed_wait + w_relaxed)
    kept: dict[str, Booking] = {}
    if starts:
        kept = assign_at(options, starts, {}, deadline, optional=True) or {}
        consider(_repair(options, starts, _fixed_busy(batch), kept))
    # 2. CP-SAT near those starts (the neighbourhood's own bound is not the plan's: not kept)
    if relative_gap(best.key()[:2], bound) > limit and _remaining(deadline) > 0:
        near = _near(options, starts, kept, _movable(best, batch))
        stage_end = time.monotonic() + NEAR_SHARE * _remaining(deadline)
        unscheduled = best.unscheduled_priority - alone if best.unscheduled_priority == bound[0] else None
        found, _ = improve(near, _movable(best, batch), offset, bound, unscheduled, stage_end, limit)
        consider(found)
    # 3. CP-SAT on the whole model while the gap is open
    if relative_gap(best.key()[:2], bound) > limit and _remaining(deadline) > 0:
        unscheduled = best.unscheduled_priority - alone if best.unscheduled_priority == bound[0] else None
        found, bound = improve(options, _movable(best, batch), offset, bound, unscheduled, deadline, limit)
        consider(found)
    # 4. the best people for the chosen times (fewer written submissions, lower deputy ranks)
    if _remaining(deadline) > 0:
        starts = {b.id: b.start for b in _movable(best, batch).values() if b.start is not None}
        consider(assign_at(options, starts, _movable(best, batch), deadline))
    return replace(best, lower_bound=bound, gap=relative_gap(best.key()[:2], bound))
