"""One conference: the exact sweep over start grains, then CP-SAT for the assignment and the ranking.

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

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.availability import Grid, Status, can_fill
from scheduler.model import ConferenceRequest, Role

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


@dataclass(frozen=True)
class Metrics:
    """The contract's four sums, plus attendees of unknown availability (only with ``allow_unknown``)."""

    written_submissions: int
    deputy_rank: int
    out_of_hours: int
    optional_missing: int
    unknown_attendees: int = 0

    def vector(self) -> tuple[int, int, int, int]:
        return (self.written_submissions, self.deputy_rank, self.out_of_hours, self.optional_missing)

    def as_json(self) -> dict[str, int]:
        return {
            "written_submissions": self.written_submissions,
            "deputy_rank": self.deputy_rank,
            "out_of_hours": self.out_of_hours,
            "optional_missing": self.optional_missing,
        }


@dataclass(frozen=True)
class Cover:
    """How one role is covered: by ``person``, by a written submission, or not at all."""

    person: str | None = None
    written: bool = False

    def as_json(self) -> dict[str, object]:
        return {"written_submission": True} if self.written else {"person": self.person}


Assignment = Mapping[str, Cover]


@dataclass(frozen=True)
class Option:
    """A valid meeting: a start grain (index into the grid) and who covers each role."""

    index: int
    assignment: Assignment
    metrics: Metrics


def dominates(a_start: int, a: Metrics, b_start: int, b: Metrics) -> bool:
    """The contract's dominance: starts no later, no worse on any metric, better somewhere."""
    a_key, b_key = (a_start, *a.vector()), (b_start, *b.vector())
    return a_key != b_key and all(x <= y for x, y in zip(a_key, b_key, strict=True))


def metrics_of(grid: Grid, index: int, assignment: Assignment) -> Metrics:
    written = rank = ooh = missing = unknown = 0
    for role in grid.request.roles:
        cover = assignment[role.role]
        if cover.written:
            written += 1
        elif cover.person is None:
            missing += 0 if role.required else 1
        else:
            rank += role.candidates.index(cover.person)
            status = grid.status[cover.person][index]
            ooh += status == Status.OUT_OF_HOURS
            unknown += status == Status.UNKNOWN
    return Metrics(written, rank, ooh, missing, unknown)


# --- the sweep's feasibility test ------------------------------------------------------------


def _matcher(role_people: Sequence[Sequence[Hashable]]) -> Callable[[int], bool]:
    """Kuhn's augmenting paths: ``place(role)`` gives ``role`` a person from its list, moving earlier
    roles to others of theirs if need be, and is True when it could. A placed role stays placed."""
    owner: dict[Hashable, int] = {}

    def place(role: int, seen: set[Hashable]) -> bool:
        for person in role_people[role]:
            if person in seen:
                continue
            seen.add(person)
            if person not in owner or place(owner[person], seen):
                owner[person] = role
                return True
        return False

    return lambda role: place(role, set())


def _match(role_people: Sequence[Sequence[Hashable]]) -> bool:
    """Can every role get a different person from its list?"""
    place = _matcher(role_people)
    return all(place(role) for role in range(len(role_people)))


def must_attend(roles: Iterable[Role]) -> list[Role]:
    """Roles that only an attendee can cover: required and not open to a written submission."""
    return [role for role in roles if role.required and not role.may_write]


def valid_at(grid: Grid, index: int, roles: Sequence[Role] | None = None) -> bool:
    """A valid meeting exists at this start grain."""
    needed = must_attend(grid.request.roles if roles is None else roles)
    return _match([[p for p in role.candidates if grid.attendable(p, index)] for role in needed])


_USABLE = bytes(0 if standing == 0 else 1 for standing in range(256))
_IN_HOURS = bytes(0 if standing in (0, 1 + Status.OUT_OF_HOURS) else 1 for standing in range(256))


def _codes(grid: Grid) -> list[bytes]:
    """Per candidate, per start grain, their standing: 0 cannot attend, else 1 + status."""
    allow = grid.request.allow_unknown
    table = bytearray(256)  # a bytes.translate table: status byte -> standing
    for status in Status:
        table[status] = 1 + status if can_fill(status, allow) else 0
    return [bytes(statuses).translate(table) for statuses in grid.status.values()]


def _signatures(grid: Grid) -> list[bytes]:
    """Per start grain, every candidate's standing (see :func:`_codes`), one byte each.

    The codes are joined and read back with a stride: a transpose done by ``bytes`` slicing.
    """
    count = len(grid.starts)
    joined = b"".join(_codes(grid))
    return [joined[index::count] for index in range(count)]


def _classes(grid: Grid) -> tuple[list[int], list[bool]]:
    """Valid start grains, and for each whether it is the first of its availability class."""
    position = {person: bit for bit, person in enumerate(grid.status)}
    needed = [[position[p] for p in role.candidates] for role in must_attend(grid.request.roles)]
    seen: dict[bytes, bool] = {}
    valid: list[int] = []
    first: list[bool] = []
    for index, key in enumerate(_signatures(grid)):
        new = key not in seen
        if new:
            seen[key] = _match([[p for p in people if key[p]] for people in needed])
        if seen[key]:
            valid.append(index)
            first.append(new)
    return valid, first


def valid_indices(grid: Grid, first_only: bool = False) -> list[int]:
    """Every start grain where a valid meeting exists (memoised per availability class)."""
    if first_only:
        return next(([i] for i in range(len(grid.starts)) if valid_at(grid, i)), [])
    return _classes(grid)[0]


def kept_starts(grid: Grid) -> list[int]:
    """The earliest start grain of every availability class that admits a valid meeting."""
    valid, first = _classes(grid)
    return [index for index, is_first in zip(valid, first, strict=True) if is_first]


def undominated_starts(grid: Grid, kept: Sequence[int]) -> list[int]:
    """The kept starts that no earlier kept start beats for every candidate at once.

    Start ``a`` (earlier) *covers* a later start ``b`` when everyone who can attend at ``b`` can
    attend at ``a``, and everyone in hours at ``b`` is in hours at ``a``. Then each assignment at
    ``b`` is valid at ``a`` with metrics no worse, so every option at ``b`` is dominated by the
    same assignment at ``a``: ``b`` can hold neither the fastest meeting nor the best attended
    one (an earlier start would need no more written submissions). Covering is transitive, so
    comparing with the kept ones suffices.
    """
    signatures = _signatures(grid)
    masks: list[tuple[int, int]] = []
    kept_out: list[int] = []
    for index in kept:
        standing = signatures[index]
        usable = int.from_bytes(standing.translate(_USABLE), "big")  # one byte per candidate: 0 or 1
        in_hours = int.from_bytes(standing.translate(_IN_HOURS), "big")
        if not any(usable & ~u == 0 and in_hours & ~h == 0 for u, h in masks):
            masks.append((usable, in_hours))
            kept_out.append(index)
    return kept_out


def fewest_written_at(grid: Grid, index: int) -> int | None:
    """The fewest written submissions a valid meeting at this grain needs (None: no valid meeting).

    Augmenting paths never unmatch a role, so matching the roles only an attendee can cover
    first and then each role open to a written submission gives a largest matching that covers
    all of the former: the writable roles it leaves out are the fewest that must be written.
    """
    roles = grid.request.roles
    needed = must_attend(roles)
    writable = [role for role in roles if role.may_write]
    role_people = [[p for p in role.candidates if grid.attendable(p, index)] for role in [*needed, *writable]]
    place = _matcher(role_people)
    if not all(place(role) for role in range(len(needed))):
        return None
    return sum(not place(role) for role in range(len(needed), len(role_people)))


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
