"""A week's plan (its bookings, the result with its bound and gap) and the greedy baseline.

Steps 1 and 2 of the planner (``scheduler/planner.py`` describes them all): fixed conferences kept as they are, then
the baseline exactly as the contract defines it. Every later step starts from, and is never worse than, this plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scheduler.answer import explain_no_slot
from scheduler.availability import Grid, Interval, build_grid, iso, minute_ceil, overlay, to_minute
from scheduler.model import Batch, Conference
from scheduler.solver import best_at
from scheduler.sweep import Assignment, Cover, Metrics, Option, metrics_of, valid_indices


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
