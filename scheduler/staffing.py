"""People for given starts: the assignment model the planner runs at the relaxation's starts (step 4) and at the
chosen plan's (step 6), and the repair that books what it could not place (``scheduler/planner.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from scheduler.availability import Grid, Interval, Status, overlay
from scheduler.greedy import Booking, _booking, _merged
from scheduler.model import Role
from scheduler.relaxation import _Options, _remaining, _solver
from scheduler.solver import best_at
from scheduler.sweep import Assignment, Cover, Option, metrics_of, valid_indices

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


def _fastest(grid: Grid) -> Option | None:
    """The earliest valid slot with its best assignment (metrics from ``grid``'s own statuses)."""
    index = next(iter(valid_indices(grid, first_only=True)), None)
    return best_at(grid, index) if index is not None else None
