"""One conference from request to response: proposals with explanations, or what blocks it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.availability import Grid, Interval, Status, build_grid, iso, minute_ceil
from scheduler.explain import Suggestion, clock, day, explain_option, role_reason, when
from scheduler.model import MAX_WINDOW_DAYS, ConferenceRequest, Role
from scheduler.solver import choose_options
from scheduler.sweep import Assignment, Metrics, _match, must_attend

EXTEND_DAYS = 14


@dataclass(frozen=True)
class Proposal:
    start: int  # UTC minute
    end: int
    assignments: Assignment
    metrics: Metrics
    kind: str  # fastest | best_attended | alternative
    explanation: str

    def as_json(self) -> dict[str, Any]:
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "assignments": {role: cover.as_json() for role, cover in self.assignments.items()},
            "metrics": self.metrics.as_json(),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class SolveResult:
    status: str  # "ok" | "no_slot"
    proposals: tuple[Proposal, ...] = ()
    reasons: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()

    def as_json(self) -> dict[str, Any]:
        if self.status == "ok":
            return {"status": "ok", "proposals": [p.as_json() for p in self.proposals]}
        return {
            "status": "no_slot",
            "proposals": [],
            "reasons": list(self.reasons),
            "suggestions": [s.as_json() for s in self.suggestions],
        }


def solve_request(
    request: ConferenceRequest, extra_busy: Mapping[str, Sequence[Interval]] | None = None
) -> SolveResult:
    """Solve one conference. ``extra_busy`` adds busy UTC-minute intervals per person (used by ``plan``)."""
    grid = build_grid(request, extra_busy)
    chosen = choose_options(grid, request)
    if not chosen:
        reasons, suggestions = explain_no_slot(grid, extra_busy)
        return SolveResult("no_slot", reasons=tuple(reasons), suggestions=tuple(suggestions))
    fastest = chosen[0][1]
    proposals = tuple(
        Proposal(
            start=grid.starts[option.index],
            end=grid.starts[option.index] + request.duration_minutes,
            assignments=option.assignment,
            metrics=option.metrics,
            kind=kind,
            explanation=explain_option(grid, kind, option, fastest),
        )
        for kind, option in chosen
    )
    return SolveResult("ok", proposals)


# --- what blocks it and what would unblock it -----------------------------------------------

Usable = Callable[[str, int], bool]


def _any_valid(grid: Grid, roles: Sequence[Role], usable: Usable) -> int | None:
    needed = must_attend(roles)
    for index in range(len(grid.starts)):
        if _match([[p for p in role.candidates if usable(p, index)] for role in needed]):
            return index
    return None


def _with_role(roles: Sequence[Role], name: str, **changes: Any) -> list[Role]:
    return [dataclasses.replace(r, **changes) if r.role == name else r for r in roles]


def _extend(grid: Grid, extra_busy: Mapping[str, Sequence[Interval]] | None) -> Suggestion | None:
    request = grid.request
    days = min(EXTEND_DAYS, MAX_WINDOW_DAYS - (request.deadline_at - request.earliest_start_at).days - 1)
    if days <= 0:
        return None
    wider = dataclasses.replace(request, deadline_at=request.deadline_at + dt.timedelta(days=days))
    wide_grid = build_grid(wider, extra_busy)
    index = _any_valid(wide_grid, wider.roles, wide_grid.attendable)
    if index is None:
        return None
    start = wide_grid.starts[index]
    end = start + request.duration_minutes
    return Suggestion(
        "extend_deadline",
        None,
        f"Widen the window to end at {clock(end, request.zone)} on {day(end, request.zone)} or later: "
        f"the first workable time is {when(start, request.zone)}.",
    )


def _unblock_role(grid: Grid, role: Role) -> list[Suggestion]:
    roles = grid.request.roles
    found: list[Suggestion] = []
    if role.required and not role.written_submission:
        index = _any_valid(grid, _with_role(roles, role.role, written_submission=True), grid.attendable)
        if index is not None:
            found.append(
                Suggestion(
                    "allow_written_submission",
                    role.role,
                    f"Allow a written submission for {role.role}: the meeting could then start "
                    f"{when(grid.starts[index], grid.request.zone)}.",
                )
            )

    def on_call(person: str, index: int) -> bool:
        late = person in role.candidates and grid.status[person][index] == Status.NOT_WORKING
        return grid.attendable(person, index) or late

    index = _any_valid(grid, roles, on_call)
    if index is not None:
        found.append(
            Suggestion(
                "use_on_call",
                role.role,
                f"Include on-call staff for {role.role}: with {role.role} cover out of hours the meeting could "
                f"start {when(grid.starts[index], grid.request.zone)}.",
            )
        )
    found.append(Suggestion("add_deputy", role.role, f"Add a deputy for {role.role} who is free in the window."))
    return found


def _confirm_unknown(grid: Grid) -> Suggestion | None:
    unknown = [p for p in grid.status if grid.status[p] and grid.status[p][0] == Status.UNKNOWN]
    if not unknown or grid.request.allow_unknown:
        return None

    def assume(person: str, index: int) -> bool:
        return grid.attendable(person, index) or grid.status[person][index] == Status.UNKNOWN

    index = _any_valid(grid, grid.request.roles, assume)
    if index is None:
        return None
    people = ", ".join(grid.request.person(p).label() for p in unknown)
    return Suggestion(
        "confirm_availability",
        None,
        f"Confirm the availability of {people}, or allow unknown availability: "
        f"the meeting could then start {when(grid.starts[index], grid.request.zone)}.",
    )


def explain_no_slot(
    grid: Grid, extra_busy: Mapping[str, Sequence[Interval]] | None, suggest: bool = True
) -> tuple[list[str], list[Suggestion]]:
    """The ``reasons`` (per role, per person, which part of the window) and, if asked, ``suggestions``."""
    request, zone = grid.request, grid.request.zone
    suggestions: list[Suggestion] = []
    if not grid.starts:
        reasons = [
            f"No {request.grain_minutes}-minute start time lets a {request.duration_minutes}-minute meeting "
            f"start after {when(request_first(request), zone)} and end by the deadline."
        ]
    else:
        end = grid.starts[-1] + request.duration_minutes
        reasons = [
            f"No time from {when(grid.starts[0], zone)} to {clock(end, zone)} on {day(end, zone)} "
            "works for every required role."
        ]
        needed = must_attend(request.roles)
        never = [r for r in needed if _any_valid(grid, [r], grid.attendable) is None]
        blocking = never or needed
        reasons += [role_reason(grid, role) for role in blocking]
        if not never:
            reasons.append("Each required role can be covered at some time, but never all of them at once.")
        if not suggest:
            return reasons, []
        for role in blocking:
            suggestions += _unblock_role(grid, role)
        unknown = _confirm_unknown(grid)
        suggestions += [unknown] if unknown else []
    extend = _extend(grid, extra_busy) if suggest else None
    return reasons, ([extend] if extend else []) + suggestions


def request_first(request: ConferenceRequest) -> int:
    return minute_ceil(request.earliest_start_at)
