"""A region's week: many conferences over shared people.

The steps below live in four modules: ``scheduler.greedy`` (1 and 2, and the plan's types), ``scheduler.relaxation``
(3, and the CP-SAT settings), ``scheduler.staffing`` (4 and 6) and this one (5 and 7, and :func:`plan_batch`, which
runs them all). Every public name is importable from here.

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

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.availability import minute_ceil, to_minute
from scheduler.greedy import (
    Booking,
    PlanResult,
    _booking,
    _fixed_busy,
    _movable,
    _plan_of,
    base_grids,
    double_booked,
    greedy_order,
    greedy_plan,
    relative_gap,
)
from scheduler.model import Batch, Conference
from scheduler.relaxation import _ceil, _cliques, _Options, _Relaxation, _remaining, _solver, options_of
from scheduler.staffing import _repair, assign_at
from scheduler.sweep import Cover, Option, metrics_of

#: The planner's public names, wherever they live (the plan and the baseline in scheduler.greedy, the bound in
#: scheduler.relaxation, people for given starts in scheduler.staffing).
__all__ = [
    "EXACT_UP_TO",
    "GAP_LIMIT",
    "Booking",
    "PlanResult",
    "assign_at",
    "base_grids",
    "double_booked",
    "greedy_order",
    "greedy_plan",
    "improve",
    "options_of",
    "plan_batch",
    "relative_gap",
]

SOLVER_WORKERS = 2
GAP_LIMIT = 0.01  # stop searching once the plan is proven within 1% of the best possible ...
EXACT_UP_TO = 20  # ... except for batches of at most this many movable conferences: those are solved exactly
NEAR_MINUTES = 60  # the first CP-SAT search moves each conference at most this far from the relaxation's start
NEAR_SHARE = 0.5  # of the time left, at most this much for that search


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
