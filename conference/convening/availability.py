"""Directory rows to the scheduler's request (``docs/scheduling.md``), and candidates for each role.

A person whose calendar cannot be read, or who has none, is passed as ``"availability": "unknown"``: the
engine never treats them as free. Meetings a person is already invited to in Convene are busy time too.

Why this module is long: it is the one place where a person's availability is read (their calendar, their working
hours, their on-call status, the meetings Convene already invited them to) for every caller: the options page,
the deputies and replacements offered at a fixed time (``standings_at``), Plan the week, and the start-up warm-up.
Keeping them together is what makes "free" mean the same thing on every page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flask import Flask, current_app
from sqlalchemy import select

from conference.cases.models import Case
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.directory.models import Agency, AvailabilitySource, LocalAuthority, Person
from conference.extensions import db
from rules.vocabulary import Seat, agency_kinds_for_role
from scheduler.caldav import CalendarSource, Unknown, availability_for_person
from scheduler.calendars import BusyResult, CalendarError, busy_from_ics, to_request_busy

log = logging.getLogger(__name__)

#: Seat tags in order of preference for each role: people with an earlier tag are listed first.
ROLE_TAG_PREFERENCE: dict[Seat, tuple[str, ...]] = {
    Seat.CHAIR: ("may_chair", "reviewing_officer", "service_manager", "team_manager"),
    Seat.SOCIAL_CARE: ("social_worker", "team_manager", "emergency_duty"),
    Seat.POLICE: (
        "police_trafficking_lead",
        "police_child_protection",
        "police_missing_persons",
        "police_duty_officer",
    ),
    Seat.HEALTH: ("designated_nurse", "named_doctor", "named_nurse", "paediatrician", "school_nurse"),
    Seat.HOME_OFFICE: ("home_office_safeguarding_lead", "border_force", "immigration"),
    Seat.GUARDIAN: ("ictg", "ictg_rpc"),
    Seat.EDUCATION: ("education_lead", "dsl"),
    Seat.INTERPRETER: ("interpreter",),
    Seat.SINGLE_COMPETENT_AUTHORITY: ("sca",),
    Seat.VOLUNTARY_SECTOR: ("support_worker", "service_manager"),
    Seat.LEGAL: ("solicitor", "paralegal"),
}
#: Only people with one of these tags may chair.
CHAIR_TAGS = frozenset({"may_chair", "reviewing_officer"})
#: People with these tags organise meetings rather than attend them.
NOT_A_CANDIDATE_TAGS = frozenset({"coordinator"})

SOURCE_WORDS = {
    AvailabilitySource.ICS_URL: "Calendar feed",
    AvailabilitySource.CALDAV: "CalDAV",
    AvailabilitySource.ICS_UPLOAD: "Uploaded calendar file",
    AvailabilitySource.NONE: "Unknown",
}


def availability_words(person: Person) -> str:
    """How a person's availability is known, for the coordinator: "Calendar feed", ... or "Unknown"."""
    source = AvailabilitySource(person.availability_source)
    if source is AvailabilitySource.ICS_UPLOAD and not person.availability_ics.strip():
        return "Unknown (no file uploaded)"
    return SOURCE_WORDS[source]


def _preference(role: Seat, person: Person) -> tuple[int, str]:
    tags = ROLE_TAG_PREFERENCE.get(role, ())
    ranks = [tags.index(t) for t in person.role_tags if t in tags]
    return (min(ranks) if ranks else len(tags), person.name)


def find_candidates(role: Seat, area: LocalAuthority) -> list[Person]:
    """People who can fill ``role`` for a case in ``area``: agencies of a fitting kind in the area, and people
    whose ``also_serves`` includes the area's code. Ordered by their role tags (primary first)."""
    kinds = [k.value for k in agency_kinds_for_role(role)]
    rows = db.session.scalars(
        select(Person).join(Agency, Person.agency_id == Agency.id).where(Agency.kind.in_(kinds))
    ).all()
    found = [p for p in rows if p.agency.local_authority_id == area.id or area.code in (p.also_serves or [])]
    found = [p for p in found if not NOT_A_CANDIDATE_TAGS & set(p.role_tags or [])]
    if role is Seat.CHAIR:
        found = [p for p in found if CHAIR_TAGS & set(p.role_tags or [])]
    elif role is Seat.SOCIAL_CARE:
        found = [p for p in found if not CHAIR_TAGS & set(p.role_tags or [])] or found
    return sorted(found, key=lambda p: _preference(role, p))


def find_people_elsewhere(role: Seat, area: LocalAuthority) -> list[Person]:
    """People who could fill ``role`` but work for another area (the coordinator may add one)."""
    kinds = [k.value for k in agency_kinds_for_role(role)]
    rows = db.session.scalars(
        select(Person)
        .join(Agency, Person.agency_id == Agency.id)
        .where(Agency.kind.in_(kinds), Agency.local_authority_id != area.id)
        .order_by(Person.name)
    ).all()
    return [p for p in rows if area.code not in (p.also_serves or [])]


def people_by_id(ids: Iterable[str]) -> dict[str, Person]:
    wanted = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    if not wanted:
        return {}
    return {str(p.id): p for p in db.session.scalars(select(Person).where(Person.id.in_(wanted)))}


@dataclass(frozen=True)
class PersonAvailability:
    known: bool
    busy: list[list[str]]
    reason: str = ""


class PersonCalendarError(CalendarError):
    """One person's calendar could not be read: whose (``person_id``, ``person_name``) and why (``reason``)."""

    def __init__(self, person: Person, reason: str) -> None:
        self.person_id = str(person.id)
        self.person_name = person.name
        self.reason = reason
        super().__init__(f"{person.name}'s calendar could not be read: {reason}")


def read_busy(person: Person, start_at: datetime, end_at: datetime, *, timeout: float = 5.0) -> BusyResult:
    """A person's busy time over the window from their calendar.

    Raises :class:`PersonCalendarError` for every way this can fail (no calendar, a calendar that cannot be
    fetched or read, or a bug in reading it): one person's calendar never stops a coordinator convening.
    """
    source = AvailabilitySource(person.availability_source)
    if source is AvailabilitySource.NONE:
        raise PersonCalendarError(person, "No calendar is linked for this person.")
    try:
        if source is AvailabilitySource.ICS_UPLOAD:
            if not person.availability_ics.strip():
                raise PersonCalendarError(person, "No calendar file has been uploaded.")
            try:
                return busy_from_ics(person.availability_ics, start_at, end_at)
            except CalendarError as error:
                raise PersonCalendarError(person, f"The uploaded calendar cannot be read: {error}") from error
        kind: Literal["caldav", "ics"] = "caldav" if source is AvailabilitySource.CALDAV else "ics"
        allowed = current_app.config["SETTINGS"].calendar_allowed_hosts
        result = availability_for_person(
            [CalendarSource(kind, person.availability_url)], start_at, end_at, timeout=timeout, allowed_hosts=allowed
        )
    except PersonCalendarError:
        raise
    except Exception as error:  # a bug in reading one calendar must not stop the options page
        # The type only: a message or traceback could quote the calendar, which may name anyone.
        log.warning("calendar of person %s could not be read (%s)", person.id, type(error).__name__)
        raise PersonCalendarError(person, f"Convene could not read it ({type(error).__name__}).") from error
    if isinstance(result, Unknown):
        raise PersonCalendarError(person, result.reason)
    return result


def read_availability(
    person: Person, start_at: datetime, end_at: datetime, *, timeout: float = 5.0
) -> PersonAvailability:
    """A person's busy time over the window, or unknown with the reason. Never free by default."""
    try:
        result = read_busy(person, start_at, end_at, timeout=timeout)
    except PersonCalendarError as error:
        return PersonAvailability(False, [], error.reason)
    return PersonAvailability(True, to_request_busy(result))


def _convene_busy(
    person_ids: Sequence[uuid.UUID], start_at: datetime, end_at: datetime, exclude: uuid.UUID | None
) -> dict[str, list[list[str]]]:
    """Meetings the people are already invited to in Convene, as busy intervals."""
    if not person_ids:
        return {}
    active = (ResponseStatus.NEEDS_ACTION, ResponseStatus.ACCEPTED, ResponseStatus.TENTATIVE)
    query = (
        select(Attendee.person_id, Conference.start_at, Conference.end_at)
        .join(Conference, Attendee.conference_id == Conference.id)
        .where(
            Attendee.person_id.in_(person_ids),
            Attendee.response.in_(active),
            Conference.status == ConferenceStatus.INVITED,
            Conference.start_at < end_at,
            Conference.end_at > start_at,
        )
    )
    if exclude is not None:
        query = query.where(Conference.id != exclude)
    busy: dict[str, list[list[str]]] = {}
    for person_id, s, e in db.session.execute(query):
        if s is None or e is None:
            continue
        busy.setdefault(str(person_id), []).append([_iso(s), _iso(e)])
    return busy


def iso(value: datetime) -> str:
    """The contract's time format (UTC with ``Z``)."""
    return _iso(value)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def build_request(
    conference: Conference,
    *,
    include_on_call: bool,
    max_proposals: int = 5,
    window: tuple[datetime, datetime] | None = None,
) -> dict[str, Any]:
    """The scheduler request for a conference's window (or ``window``: the plan of the week's, for a meeting whose
    own deadline has passed) and roles."""
    return build_request_with_reasons(
        conference, include_on_call=include_on_call, max_proposals=max_proposals, window=window
    )[0]


def build_request_with_reasons(
    conference: Conference,
    *,
    include_on_call: bool,
    max_proposals: int = 5,
    window: tuple[datetime, datetime] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The scheduler request, and why each candidate whose availability is unknown is unknown (by person id)."""
    assert conference.earliest_start_at is not None and conference.deadline_at is not None
    start_at, end_at = window or (conference.earliest_start_at, conference.deadline_at)
    roles: list[dict[str, Any]] = []
    ids: list[str] = []
    for seat in conference.roles:
        candidates = [str(c) for c in seat.candidate_ids]
        ids += [c for c in candidates if c not in ids]
        roles.append(
            {
                "role": str(seat.role.value),
                "required": seat.required,
                "written_submission": seat.written_submission_allowed,
                "candidates": candidates,
            }
        )
    people = people_by_id(ids)
    booked = _convene_busy([p.id for p in people.values()], start_at, end_at, conference.id)
    entries: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    for person_id in ids:
        person = people.get(person_id)
        if person is None:
            entries[person_id] = {"availability": "unknown"}
            unknown[person_id] = "This person is no longer in the directory."
            continue
        found = read_availability(person, start_at, end_at)
        entry: dict[str, Any] = {
            "name": person.name,
            "working_hours": person.working_hours or {},
            "on_call": bool(person.on_call and include_on_call),
        }
        if not found.known:
            entry["availability"] = "unknown"
            unknown[person_id] = found.reason
        entry["busy"] = found.busy + booked.get(person_id, [])
        entries[person_id] = entry
    request = {
        "timezone": "Europe/London",
        "earliest_start": _iso(start_at),
        "deadline": _iso(end_at),
        "duration_minutes": conference.duration_minutes,
        "grain_minutes": 15,
        "max_proposals": max_proposals,
        "roles": roles,
        "people": entries,
    }
    return request, unknown


def _seat_words(role_value: str) -> str:
    """A role value in words ("Children's social care"), never "social_care"."""
    known = {seat.value: seat.label for seat in Seat}
    return known.get(role_value, role_value.replace("_", " ").capitalize())


def conflicts_at(
    conference: Conference, start_at: datetime, end_at: datetime, assignments: dict[str, Any], *, include_on_call: bool
) -> list[str]:
    """Why the people in ``assignments`` cannot all attend ``[start_at, end_at)``, in words."""
    from scheduler.model import parse_person

    people = people_by_id(a.get("person") for a in assignments.values() if a.get("person"))
    booked = _convene_busy([p.id for p in people.values()], start_at, end_at, conference.id)
    problems: list[str] = []
    seats = {str(s.role.value): s for s in conference.roles}
    for role_value, assignment in assignments.items():
        person = people.get(str(assignment.get("person") or ""))
        label = seats[role_value].role.label if role_value in seats else _seat_words(role_value)
        if person is None:
            if (
                seats.get(role_value) is not None
                and seats[role_value].required
                and not assignment.get("written_submission")
            ):
                problems.append(f"{label}: nobody is available to attend.")
            continue
        found = read_availability(person, start_at, end_at)
        if not found.known:
            problems.append(f"{label}: {person.name}'s availability is unknown ({found.reason})")
            continue
        busy = found.busy + booked.get(str(person.id), [])
        if busy:
            problems.append(f"{label}: {person.name} is busy at some point in this time.")
        parsed = parse_person(str(person.id), {"working_hours": person.working_hours or {}, "on_call": False})
        if not _within_hours(parsed.working_hours, start_at, end_at):
            extra = " (on call)" if person.on_call and include_on_call else ""
            problems.append(f"{label}: this is outside {person.name}'s working hours{extra}.")
    return problems


def _within_hours(hours: tuple[tuple[tuple[int, int], ...], ...], start_at: datetime, end_at: datetime) -> bool:
    from rules.clock import LONDON

    local_start = start_at.astimezone(LONDON)
    local_end = end_at.astimezone(LONDON)
    if local_end.date() != local_start.date() and not (local_end.hour == 0 and local_end.minute == 0):
        return False
    start_minute = local_start.hour * 60 + local_start.minute
    end_minute = start_minute + int((end_at - start_at).total_seconds() // 60)
    return any(a <= start_minute and end_minute <= b for a, b in hours[local_start.weekday()])


def seat_for(conference: Conference, role_value: str) -> ConferenceRole | None:
    return next((s for s in conference.roles if str(s.role.value) == role_value), None)


def case_area(case: Case) -> LocalAuthority:
    return case.local_authority


# --- who is free at a fixed time (deputies and replacements) ------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One person at a meeting's fixed time, by the scheduler's own availability rules."""

    person: Person
    available: bool
    out_of_hours: bool  # available only because they are on call
    reason: str  # why not, after the person's name: "is busy until 3pm", "works only 9am to 5pm on Mondays"

    @property
    def sentence(self) -> str:
        return f"{self.person.name} {self.reason}" if self.reason else self.person.name


def standings_at(
    conference: Conference, people: Sequence[Person], start_at: datetime, end_at: datetime
) -> tuple[list[Standing], list[Standing]]:
    """Who of ``people`` can attend ``[start_at, end_at)``, best first, and who cannot, with the reason.

    The same availability as the options: each person's entry is built as in ``build_request`` (their calendar,
    their working hours, the meetings Convene already invited them to) and judged by the scheduler
    (``scheduler.availability``: a one-start grid at exactly this time). "On call" means what it means there: a
    person on call can attend outside their working hours, out of hours. Best first: in hours before on call,
    then in the role's order of preference (the order of ``people``).
    """
    from scheduler.availability import Status, build_grid
    from scheduler.explain import person_reason
    from scheduler.model import parse_request

    if not people:
        return [], []
    # Read a day past the meeting, so that a reason can say until when a person is busy.
    read_until = end_at + timedelta(days=1)
    booked = _convene_busy([p.id for p in people], start_at, read_until, conference.id)
    entries: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    for person in people:
        found = read_availability(person, start_at, read_until)
        entry: dict[str, Any] = {
            "name": person.name,
            "working_hours": person.working_hours or {},
            "on_call": bool(person.on_call),
            "busy": found.busy + booked.get(str(person.id), []),
        }
        if not found.known:
            entry["availability"] = "unknown"
            unknown[str(person.id)] = found.reason
        entries[str(person.id)] = entry
    request = {
        "timezone": "Europe/London",
        "earliest_start": _iso(start_at),
        "deadline": _iso(end_at),
        "duration_minutes": max(1, int((end_at - start_at).total_seconds() // 60)),
        "grain_minutes": 1,
        "max_proposals": 1,
        "roles": [{"role": "deputy", "required": True, "written_submission": False, "candidates": list(entries)}],
        "people": entries,
    }
    grid = build_grid(parse_request(request))
    free: list[tuple[int, int, Standing]] = []
    not_free: list[Standing] = []
    for order, person in enumerate(people):
        pid = str(person.id)
        status = grid.status[pid][0] if grid.starts else Status.UNKNOWN
        if status in (Status.FREE, Status.OUT_OF_HOURS):
            out = status is Status.OUT_OF_HOURS
            free.append((int(out), order, Standing(person, True, out, "(on call, out of hours)" if out else "")))
        elif status is Status.UNKNOWN:
            why = unknown.get(pid, "")
            not_free.append(
                Standing(
                    person, False, False, f"has no known availability ({why})" if why else "has no known availability"
                )
            )
        else:
            not_free.append(Standing(person, False, False, person_reason(grid, pid, 0)))
    return [s for _, _, s in sorted(free, key=lambda t: (t[0], t[1]))], not_free


#: At most this many uploaded calendars are read at start-up (the most recently changed first).
WARM_CALENDARS = 500


def read_uploaded_calendars(app: Flask, limit: int = WARM_CALENDARS) -> int:
    """Read the directory's uploaded calendars into the calendar read cache (``scheduler.calendars.READ_CACHE``)
    over the coming span, in the start-up warm-up (conference/warmup.py), so that the first options page after a
    start does not parse them: with 60 busy calendars that parsing was most of the page. Returns how many were
    read; one that cannot be read is skipped (the options page says why when it reads it)."""
    from scheduler.calendars import READ_CACHE

    now = datetime.now(UTC)
    start, end = READ_CACHE.span_for(now, now)
    with app.app_context():
        texts = db.session.scalars(
            select(Person.availability_ics)
            .where(Person.availability_source == AvailabilitySource.ICS_UPLOAD, Person.availability_ics != "")
            .order_by(Person.updated_at.desc())
            .limit(limit)
        ).all()
        db.session.rollback()
    read = 0
    for text in texts:
        try:
            busy_from_ics(text, start, end)
            read += 1
        except (CalendarError, ValueError):
            continue
    return read
