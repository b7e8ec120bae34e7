"""Step 4 of convening: look for times (the scheduler), relax the request, choose a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from conference.audit import record_event
from conference.auth.models import User
from conference.convening import availability
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference, ConferenceStatus
from conference.convening.services import (
    ConveningError,
    active_attendees,
    arrangement_for,
    draft_or_invited,
    parse_instant,
)
from conference.db import utcnow
from conference.extensions import db
from rules.clock import add_working_days
from rules.notice import Notice, earliest_start_with_notice, minimum_notice, short_notice
from rules.timescales import close_of_business_at
from rules.timescales import london_date as to_london_date
from rules.vocabulary import Seat
from scheduler import RequestError

# --- step 4: options -----------------------------------------------------------------------------


def solve(request: dict[str, Any]) -> dict[str, Any]:
    """Run the scheduling engine. OR-Tools is imported on the first solve, not at start-up."""
    from scheduler.api import solve as engine_solve

    return engine_solve(request)


def _solved(conference: Conference) -> tuple[dict[str, Any], dict[str, str]] | None:
    arrangement = arrangement_for(conference)
    if arrangement.solved_at is None or conference.earliest_start_at is None or conference.deadline_at is None:
        return None
    if arrangement.solved_request is not None:
        return arrangement.solved_request, dict(arrangement.unknown_reasons or {})
    # options found before the request was kept on the arrangement: build it again (reads, changes nothing)
    return availability.build_request_with_reasons(conference, include_on_call=arrangement.include_on_call)


def solved_request(conference: Conference) -> dict[str, Any] | None:
    """The scheduler request behind the arrangement's current options (never solves).

    Kept on the arrangement when the options were found, so every process of a served app draws the same
    picture. None when no options have been looked for yet.
    """
    solved = _solved(conference)
    return solved[0] if solved is not None else None


def unknown_availability(conference: Conference) -> list[tuple[str, str]]:
    """(name, reason) of each candidate behind the current options whose availability is unknown."""
    solved = _solved(conference)
    if solved is None:
        return []
    request, unknown = solved
    people = request.get("people", {})
    return [
        (str(people.get(pid, {}).get("name") or "A person no longer in the directory"), why)
        for pid, why in unknown.items()
    ]


def notice_for(conference: Conference) -> Notice:
    """The least notice this meeting needs (rules.notice.minimum_notice): urgent when the child is at high
    risk of going missing, as for the default deadline."""
    return minimum_notice(conference.meeting_type, urgent=str(conference.case.missing_risk) == "high")


def earliest_start_now(conference: Conference, now_at: datetime | None = None) -> datetime:
    """The earliest start the scheduler may propose now: the window's start, or now plus the notice."""
    now_at = now_at or utcnow()
    with_notice = earliest_start_with_notice(now_at, notice_for(conference), conference.nation)
    return max(conference.earliest_start_at or with_notice, with_notice)


def notice_warning(conference: Conference, start_at: datetime, now_at: datetime | None = None) -> str | None:
    """The check answers page's warning, in words, when a meeting at ``start_at`` sent now has short notice."""
    return short_notice(
        now_at or utcnow(),
        start_at,
        conference.meeting_type,
        urgent=str(conference.case.missing_risk) == "high",
        nation=conference.nation,
    )


def find_options(conference: Conference) -> ConferenceArrangement:
    """Run the scheduler over the window and keep its answer on the arrangement.

    The request's ``earliest_start`` is the window's start or now plus the minimum notice, whichever is later
    (docs/scheduling.md: the notice is passed as the window's earliest start).
    """
    arrangement = arrangement_for(conference)
    if conference.earliest_start_at is None or conference.deadline_at is None:
        raise ConveningError("Enter the deadline for this meeting first.")
    request, unknown = availability.build_request_with_reasons(conference, include_on_call=arrangement.include_on_call)
    earliest_at = earliest_start_now(conference)
    if earliest_at + timedelta(minutes=conference.duration_minutes) > conference.deadline_at:
        raise ConveningError(
            f"This meeting needs at least {notice_for(conference).words} of notice, so it cannot start and end "
            "before the deadline. Change the deadline."
        )
    request["earliest_start"] = availability.iso(earliest_at)
    try:
        answer = solve(request)
    except RequestError as error:
        raise ConveningError(f"Convene could not look for a time: {error}") from None
    arrangement.proposals = list(answer.get("proposals", []))
    arrangement.no_slot_reasons = list(answer.get("reasons", []))
    arrangement.suggestions = list(answer.get("suggestions", []))
    arrangement.solved_at = utcnow()
    arrangement.solved_request = request
    arrangement.unknown_reasons = dict(unknown)
    return arrangement


def _role_spellings() -> list[tuple[re.Pattern[str], str]]:
    """Each way the scheduler may spell a seat ("social_care", "Social care") and the seat's label in words."""
    found: list[tuple[re.Pattern[str], str]] = []
    for seat in Seat:
        spellings = {seat.value, seat.value.replace("_", " ").capitalize()} - {seat.label}
        for spelling in sorted(spellings, key=len, reverse=True):
            if "_" in spelling or spelling[0].isupper():  # "police" stays a word; "social_care" never shows
                found.append((re.compile(rf"(?<![\w'])({re.escape(spelling)})(?!\w)"), seat.label))
    return found


_ROLE_SPELLINGS = _role_spellings()


def role_label(role: str) -> str:
    """A role value in words: the seat's label ("Children's social care"), never "Social_care"."""
    try:
        return Seat(role).label
    except ValueError:
        return role.replace("_", " ").capitalize()


def in_words(text: str) -> str:
    """The scheduler's explanation with each seat named by its label: the standalone engine knows only role
    values ("social_care"), and a person is never shown one."""
    for pattern, label in _ROLE_SPELLINGS:
        text = pattern.sub(label, text)
    return text


@dataclass(frozen=True)
class RoleBlocked:
    """One line of the "No time works" page: a role in words, what stops it, and each candidate in detail."""

    role: str  # "role" value
    label: str  # "Children's social care"
    line: str  # "Nobody can attend at any time in the window: all are busy or not working then"
    people: list[str]  # "Riley Social: busy throughout the window", ...


def why_no_time(conference: Conference) -> list[RoleBlocked]:
    """Why no time works, one entry per role that stops it, from the request the options came from (the
    scheduler's own grid: the same availability, including on call, as the answer)."""
    from scheduler.availability import Status, build_grid
    from scheduler.explain import _ranges
    from scheduler.model import parse_request
    from scheduler.solver import must_attend

    request = solved_request(conference)
    if request is None or arrangement_for(conference).proposals:
        return []
    try:
        grid = build_grid(parse_request(request))
    except RequestError:
        return []
    if not grid.starts:
        return []
    labels = {str(s.role.value): s.role.label for s in conference.roles}
    candidates = [c for seat in conference.roles for c in seat.candidate_ids]
    on_call = {pid for pid, person in availability.people_by_id(candidates).items() if person.on_call}
    needed = must_attend(grid.request.roles)
    never = [r for r in needed if not any(grid.attendable(p, i) for p in r.candidates for i in range(len(grid.starts)))]
    blocked: list[RoleBlocked] = []
    for role in never or needed:
        statuses = [grid.status[p] for p in role.candidates]
        coverable = [i for i in range(len(grid.starts)) if any(grid.attendable(p, i) for p in role.candidates)]
        if not role.candidates:
            line = "Nobody has been added to this role"
        elif coverable:
            line = f"Can be covered only {_ranges(grid, coverable)}, when another required role cannot"
        elif all(s and s[0] == Status.UNKNOWN for s in statuses):
            line = "Nobody's availability is known, so nobody is booked as if free"
        elif all(all(x == Status.BUSY for x in s) for s in statuses if s and s[0] != Status.UNKNOWN):
            line = "Everyone is busy throughout the window"
        elif all(all(x != Status.BUSY for x in s) for s in statuses if s and s[0] != Status.UNKNOWN):
            line = "Nobody works at any time in the window" + (
                "; on-call staff are not included"
                if any(p in on_call for p in role.candidates)
                else ", and nobody is on call"
            )
        else:
            line = "Everyone is busy or not working whenever the meeting could be held"
        label = labels.get(role.role) or role_label(role.role)
        blocked.append(RoleBlocked(role.role, label, line, [_person_words(grid, p, on_call) for p in role.candidates]))
    return blocked


_UUID_IN_TEXT = re.compile(r"\s*\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)")


def _person_words(grid: Any, person_id: str, on_call: set[str]) -> str:
    """The scheduler's summary of one person, without their id; "on call" said the same way as the relaxation."""
    from scheduler.explain import person_summary

    text = _UUID_IN_TEXT.sub("", person_summary(grid, person_id))
    if person_id in on_call:
        text = text.replace("; not on call)", "; on call, but on-call staff are not included)")
    return text


def has_on_call_candidates(conference: Conference) -> bool:
    """Whether "Include on-call staff" can change anything: some candidate is on call in the directory."""
    candidates = [c for seat in conference.roles for c in seat.candidate_ids]
    return any(person.on_call for person in availability.people_by_id(candidates).values())


RELAXATIONS = ("extend_deadline", "allow_written_submission", "use_on_call")


def relax(user: User, conference: Conference, kind: str, role_value: str | None = None) -> None:
    """One-click relaxations offered when no time works; the options are then found again. A refused relaxation
    (``ConveningError``) leaves the conference as it was, in memory too (a savepoint), so the page can say why."""
    with db.session.begin_nested():
        _relax(user, conference, kind, role_value)


def _relax(user: User, conference: Conference, kind: str, role_value: str | None) -> None:
    draft_or_invited(conference)
    arrangement = arrangement_for(conference)
    if kind == "extend_deadline":
        assert conference.deadline_at is not None
        next_day = add_working_days(to_london_date(conference.deadline_at), 1, conference.nation)
        conference.deadline_at = max(close_of_business_at(next_day), conference.deadline_at + timedelta(hours=24))
    elif kind == "allow_written_submission":
        seats = [
            s
            for s in conference.roles
            if s.required and s.role is not Seat.CHAIR and (role_value is None or s.role.value == role_value)
        ]
        if not seats:
            raise ConveningError("There is no required role to allow a written submission for.")
        for seat in seats:
            seat.written_submission_allowed = True
    elif kind == "use_on_call":
        arrangement.include_on_call = True
    else:
        raise ConveningError("Choose one of the ways to find a time.")
    record_event(
        db.session,
        "conference.relax",
        object_type="conference",
        object_id=conference.id,
        detail={"kind": kind},
        actor=user,
    )
    find_options(conference)


def choose_option(conference: Conference, index: int) -> None:
    draft_or_invited(conference)
    arrangement = arrangement_for(conference)
    if not 0 <= index < len(arrangement.proposals):
        raise ConveningError("Select a time for the meeting")
    proposal = arrangement.proposals[index]
    arrangement.chosen_start_at = parse_instant(proposal["start"])
    arrangement.chosen_end_at = parse_instant(proposal["end"])
    arrangement.chosen_assignments = dict(proposal["assignments"])
    arrangement.chosen_conflicts = []


def choose_time(conference: Conference, start_at: datetime) -> list[str]:
    """Another time chosen by the coordinator: each role's primary, with the conflicts stated."""
    draft_or_invited(conference)
    arrangement = arrangement_for(conference)
    end_at = start_at + timedelta(minutes=conference.duration_minutes)
    assignments: dict[str, Any] = {}
    if conference.status is ConferenceStatus.INVITED:
        for attendee in active_attendees(conference):
            assignments[attendee.seat.role.value] = {"person": str(attendee.person_id)}
    else:
        for seat in conference.roles:
            first = seat.candidate_ids[0] if seat.candidate_ids else None
            assignments[seat.role.value] = {"person": first}
    conflicts = availability.conflicts_at(
        conference, start_at, end_at, assignments, include_on_call=arrangement.include_on_call
    )
    arrangement.chosen_start_at = start_at
    arrangement.chosen_end_at = end_at
    arrangement.chosen_assignments = assignments
    arrangement.chosen_conflicts = conflicts
    return conflicts
