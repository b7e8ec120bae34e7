"""The planner's lower bound: the essential people of each start and the time-indexed relaxation over them.

Step 3 of the planner (``scheduler/planner.py`` describes the steps and the CP-SAT settings, which live here in
:func:`_solver`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.availability import Grid, minute_ceil
from scheduler.model import Conference
from scheduler.sweep import _signatures, must_attend, valid_indices

SOLVER_SEED = 11


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
