"""One conference's exact sweep, without the solver: which start grains admit a valid meeting, which of them can be
the best attended, and the metrics by which assignments are compared.

Steps 2 and 3 of ``scheduler/solver.py`` (its docstring gives the method): start grains with the same statuses for
every candidate form a class, kept when its must-attend roles can be filled by different people (bipartite
matching); the best attended start is found by matching at the kept starts no earlier one covers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from scheduler.availability import Grid, Status, can_fill
from scheduler.model import Role


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
