"""One conference: the exact sweep over start grains, then CP-SAT for the assignment and the ranking.

Steps 1 to 3 (the sweep, no solver) live in ``scheduler.sweep``; this module holds the CP-SAT model (step 4) and
:func:`choose_options`, which runs them all. Every public name of both is importable from here.

Method
------
1. :func:`scheduler.availability.build_grid` gives every candidate's status at every start grain.
2. Start grains with the same statuses for every candidate admit exactly the same assignments
   and metrics, so only the earliest grain of each such *class* can be a good proposal. A class
   is kept when its required roles that cannot be written can all be filled by different people
   (bipartite matching): exactly the grains where a valid meeting exists.
3. The **best attended** start, the earliest needing the fewest written submissions, is found
   without the solver: by matching (:func:`fewest_written_at`) at the kept starts that no earlier
   kept start *covers* (:func:`undominated_starts`; a covered start needs no fewer submissions).
4. One CP-SAT model over the kept starts (``start`` restricted to their offsets,
   ``x[role, person]`` enforced only where that person can attend, one role per person) answers
   every question in turn:

   * **fastest**: the earliest start, pinned by an assumption, with its best assignment;
   * **best attended**: that start, pinned, with its best assignment;
   * **further options** in order of a weighted cost (below), each starting at a new time, not
     dominated by any proposal already chosen and not dominating one (each found option adds its
     keep-apart constraints to the same model).

CP-SAT runs deterministically (one worker, fixed seed, a work budget rather than a clock), so the
same request gives the same answer; see :func:`new_solver` for the settings and why.

The *best assignment* at a start is lexicographic: fewest written submissions, then lowest sum
of deputy ranks (as in the contract's greedy baseline), then fewest attendees out of hours,
then fewest optional roles uncovered, then fewest attendees of unknown availability. A
lexicographic minimum is never dominated at its own start, and the fastest start has nothing
earlier, so the first proposal is never dominated by any valid slot and assignment.

Ranking of further options: minimise ``wait + 240*written + 60*deputy_rank + 120*out_of_hours
+ 30*optional_missing + 120*unknown`` (minutes): a written submission is worth waiting four
hours to avoid, a step down the deputy list one hour, an out-of-hours attendee two hours, an
uncovered optional role half an hour. Equal costs go to the lexicographically better metrics.
(Covered starts stay in this model: when the start covering one is already proposed, its option
can still be the best next one.)
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.availability import Grid, Status
from scheduler.model import ConferenceRequest, Role
from scheduler.sweep import (
    Assignment,
    Cover,
    Metrics,
    Option,
    dominates,
    fewest_written_at,
    kept_starts,
    metrics_of,
    must_attend,
    undominated_starts,
    valid_at,
    valid_indices,
)

#: The solver's public names: the sweep's (scheduler.sweep) are importable from here too.
__all__ = [
    "SCORE_WEIGHTS",
    "Assignment",
    "Cover",
    "Metrics",
    "Option",
    "best_at",
    "best_attended_start",
    "choose_options",
    "dominates",
    "fewest_written_at",
    "kept_starts",
    "metrics_of",
    "must_attend",
    "new_solver",
    "undominated_starts",
    "valid_at",
    "valid_indices",
]

SCORE_WEIGHTS = {"written_submissions": 240, "deputy_rank": 60, "out_of_hours": 120, "optional_missing": 30}
UNKNOWN_WEIGHT = 120
SOLVER_SEED = 7
SOLVE_WORK = 10.0  # CP-SAT deterministic time units: a budget of work, the same on a busy machine
SOLVE_SECONDS = 30.0  # wall-clock backstop only; the models solve to optimality in milliseconds


def new_solver() -> cp_model.CpSolver:
    """CP-SAT set up for these tiny models, and deterministic: one sequential search with a fixed
    seed, stopped (if ever) by a work budget rather than the clock, gives the same answer every run.

    Stages that cost more than they save on models this small are off, each measured on the
    ``bench/bench_scheduler.py`` instances: presolve (turning it on doubled a ranking solve), probing,
    symmetry detection, the LP relaxation and SAT inprocessing (together a mean ranking solve went
    from 6.6 ms to 2.5 ms). The solver leaves the caller's Ctrl-C handler alone.
    """
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = 1
    parameters.random_seed = SOLVER_SEED
    parameters.max_deterministic_time = SOLVE_WORK
    parameters.max_time_in_seconds = SOLVE_SECONDS
    parameters.cp_model_presolve = False
    parameters.cp_model_probing_level = 0
    parameters.symmetry_level = 0
    parameters.linearization_level = 0
    parameters.use_sat_inprocessing = False
    parameters.catch_sigint_signal = False
    return solver


# --- CP-SAT ----------------------------------------------------------------------------------


class _Model:
    """The assignment model over a set of allowed start grains."""

    def __init__(self, grid: Grid, indices: Sequence[int]) -> None:
        self.grid = grid
        self.indices = list(indices)
        self.origin = grid.starts[0]
        self.model = cp_model.CpModel()
        self.offsets = [grid.starts[i] - self.origin for i in self.indices]
        self.offset_of = dict(zip(self.indices, self.offsets, strict=True))
        self.start = self.model.new_int_var_from_domain(cp_model.Domain.from_values(self.offsets), "start")
        # Earlier starts first: waiting dominates every objective, so good solutions come early.
        self.model.add_decision_strategy([self.start], cp_model.CHOOSE_FIRST, cp_model.SELECT_MIN_VALUE)
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        self.ooh: dict[tuple[str, str], cp_model.IntVar] = {}
        self.written: dict[str, cp_model.IntVar] = {}
        self.missing: dict[str, cp_model.IntVar] = {}
        for role in grid.request.roles:
            self._add_role(role)
        for person in grid.status:
            chosen = [var for (_, p), var in self.x.items() if p == person]
            if len(chosen) > 1:
                self.model.add_at_most_one(chosen)

    def _standing(self, person: str) -> tuple[list[int], list[int], list[int]]:
        """Start offsets where ``person`` attends in hours (or of unknown availability), out of hours, or cannot."""
        in_hours: list[int] = []
        out: list[int] = []
        cannot: list[int] = []
        usable, status = self.grid.usable[person], self.grid.status[person]
        for index, offset in zip(self.indices, self.offsets, strict=True):
            if not usable[index]:
                cannot.append(offset)
            elif status[index] == Status.OUT_OF_HOURS:
                out.append(offset)
            else:
                in_hours.append(offset)
        return in_hours, out, cannot

    def _restrict(self, values: list[int], others: list[int], literals: Sequence[cp_model.LiteralT]) -> None:
        if others:
            self.model.add_linear_expression_in_domain(self.start, cp_model.Domain.from_values(values)).only_enforce_if(
                literals
            )

    def _add_role(self, role: Role) -> None:
        choices: list[cp_model.IntVar] = []
        for person in role.candidates:
            in_hours, out, cannot = self._standing(person)
            if not in_hours and not out:
                continue
            x = self.model.new_bool_var(f"x[{role.role},{person}]")
            self.x[(role.role, person)] = x
            choices.append(x)
            self._restrict(sorted(in_hours + out), cannot, [x])
            if out:
                ooh = self.model.new_bool_var(f"ooh[{role.role},{person}]")
                self.ooh[(role.role, person)] = ooh
                self.model.add_implication(ooh, x)
                self._restrict(out, in_hours, [ooh])
                self._restrict(in_hours, out, [x, ooh.Not()])
        if role.may_write:
            self.written[role.role] = self.model.new_bool_var(f"written[{role.role}]")
            choices.append(self.written[role.role])
        elif not role.required:
            self.missing[role.role] = self.model.new_bool_var(f"missing[{role.role}]")
            choices.append(self.missing[role.role])
        self.model.add_exactly_one(choices)

    # metric expressions, as (variables, coefficients) so they stay exact integer sums
    def metric_terms(self) -> list[tuple[list[cp_model.IntVar], list[int]]]:
        """written, deputy rank, out of hours, optional missing, unknown attendees."""
        roles = {role.role: role for role in self.grid.request.roles}
        ranked = [(v, roles[r].candidates.index(p)) for (r, p), v in self.x.items()]
        unknown = [v for (_, p), v in self.x.items() if not self.grid.request.person(p).availability_known]
        return [
            (list(self.written.values()), [1] * len(self.written)),
            ([v for v, _ in ranked], [c for _, c in ranked]),
            (list(self.ooh.values()), [1] * len(self.ooh)),
            (list(self.missing.values()), [1] * len(self.missing)),
            (unknown, [1] * len(unknown)),
        ]

    def metric_exprs(self) -> list[cp_model.LinearExpr]:
        return [cp_model.LinearExpr.weighted_sum(vs, cs) for vs, cs in self.metric_terms()]

    def _weighted(self, weights: Sequence[int], start_weight: int) -> cp_model.LinearExpr:
        variables: list[cp_model.IntVar] = [self.start]
        coefficients = [start_weight]
        for (vs, cs), weight in zip(self.metric_terms(), weights, strict=True):
            variables += vs
            coefficients += [c * weight for c in cs]
        return cp_model.LinearExpr.weighted_sum(variables, coefficients)

    def _lexicographic_weights(self) -> tuple[list[int], int]:
        """Weights that order the metric vectors lexicographically, and a bound above every such sum."""
        roles = self.grid.request.roles
        bounds = [len(roles), sum(len(r.candidates) for r in roles), len(roles), len(roles), len(roles)]
        weights = [1] * len(bounds)
        for k in range(len(bounds) - 2, -1, -1):
            weights[k] = weights[k + 1] * (bounds[k + 1] + 1)
        return weights, weights[0] * (bounds[0] + 1)

    def lexicographic(self, start_weight: int = 0) -> cp_model.LinearExpr:
        """One weighted sum equal to the lexicographic order of the metric vector."""
        return self._weighted(self._lexicographic_weights()[0], start_weight)

    def score(self) -> cp_model.LinearExpr:
        """The ranking cost, ties going to the lexicographically better metrics.

        ``span * cost + lexicographic`` with the lexicographic sum below ``span``: equal objectives
        mean equal metrics and so the same start, so which option comes next never depends on the
        solver's search path.
        """
        lexicographic, span = self._lexicographic_weights()
        order = ("written_submissions", "deputy_rank", "out_of_hours", "optional_missing")
        cost = [*(SCORE_WEIGHTS[k] for k in order), UNKNOWN_WEIGHT]
        return self._weighted([span * c + w for c, w in zip(cost, lexicographic, strict=True)], span)

    def keep_apart_from(self, option: Option) -> None:
        """The new option starts elsewhere, is not dominated by ``option`` and does not dominate it."""
        model, when = self.model, self.offset_of.get(option.index, self.grid.starts[option.index] - self.origin)
        before = model.new_bool_var("before")
        model.add(self.start < when).only_enforce_if(before)
        model.add(self.start > when).only_enforce_if(before.Not())
        better: list[cp_model.IntVar] = []
        worse: list[cp_model.IntVar] = []
        for expr, value in zip(self.metric_exprs()[:4], option.metrics.vector(), strict=True):
            lower, higher = model.new_bool_var("lower"), model.new_bool_var("higher")
            model.add(expr <= value - 1).only_enforce_if(lower)
            model.add(expr >= value + 1).only_enforce_if(higher)
            better.append(lower)
            worse.append(higher)
        model.add_bool_or(better).only_enforce_if(before.Not())
        model.add_bool_or(worse).only_enforce_if(before)

    def best_at(self, index: int) -> Option | None:
        """The lexicographically best assignment at one of the model's start grains.

        The start is pinned by an assumption, so the same model serves the other questions after.
        """
        pin = self.model.new_bool_var(f"at[{index}]")
        self.model.add(self.start == self.offset_of[index]).only_enforce_if(pin)
        self.model.add_assumption(pin)
        try:
            return self.run(self.lexicographic())
        finally:
            self.model.clear_assumptions()

    def run(self, objective: cp_model.LinearExpr) -> Option | None:
        self.model.minimize(objective)
        solver = new_solver()
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        index = self.indices[[self.offset_of[i] for i in self.indices].index(solver.value(self.start))]
        assignment: dict[str, Cover] = {}
        for role in self.grid.request.roles:
            person = next(
                (p for p in role.candidates if (role.role, p) in self.x and solver.value(self.x[role.role, p])), None
            )
            written = role.role in self.written and bool(solver.value(self.written[role.role]))
            assignment[role.role] = Cover(person, written)
        return Option(index, assignment, metrics_of(self.grid, index, assignment))


def best_at(grid: Grid, index: int) -> Option | None:
    """The lexicographically best assignment at one start grain (None if none is valid)."""
    if not valid_at(grid, index):
        return None
    model = _Model(grid, [index])
    return model.run(model.lexicographic())


def best_attended_start(grid: Grid, kept: Sequence[int]) -> int:
    """The earliest kept start among those needing the fewest written submissions (by matching)."""
    best_index, best = kept[0], len(grid.request.roles) + 1
    for index in kept:
        fewest = fewest_written_at(grid, index)
        if fewest is not None and fewest < best:
            best_index, best = index, fewest
            if best == 0:
                break
    return best_index


def choose_options(grid: Grid, request: ConferenceRequest) -> list[tuple[str, Option]]:
    """The proposals: fastest, best attended, then the ranked alternatives; nothing dominated.

    One CP-SAT model over the kept starts answers every question in turn: the fastest and
    the best-attended meetings with the start pinned, then each further option, which only adds
    constraints keeping it apart from the options chosen before it.
    """
    kept = kept_starts(grid)
    if not kept:
        return []
    model = _Model(grid, kept)
    fastest = model.best_at(kept[0])
    assert fastest is not None  # kept starts are all valid
    chosen: list[tuple[str, Option]] = [("fastest", fastest)]
    if request.max_proposals >= 2:
        index = best_attended_start(grid, undominated_starts(grid, kept))
        if index != fastest.index:
            attended = model.best_at(index)
            assert attended is not None
            chosen.append(("best_attended", attended))
    if len(chosen) < min(request.max_proposals, len(kept)):
        for _, option in chosen:
            model.keep_apart_from(option)
    while len(chosen) < min(request.max_proposals, len(kept)):
        found = model.run(model.score())
        if found is None:
            break
        chosen.append(("alternative", found))
        model.keep_apart_from(found)
    return [
        (kind, option)
        for kind, option in chosen
        if kind != "alternative"
        or not any(
            dominates(grid.starts[o.index], o.metrics, grid.starts[option.index], option.metrics) for _, o in chosen
        )
    ]
