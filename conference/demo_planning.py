"""Demo data for "Plan the week" that shows why the meetings are planned together (issue 14).

Two siblings' strategy discussions need the same three people: the siblings' social worker, the police officer
and the school nurse who know them (fictional people, added to the demo area). The younger child's meeting is
the more urgent (high risk of going missing), so one-at-a-time planning books it first, at the first time all
three are free; the older child's meeting can only be held then (its window is that one hour, before the police
officer's court hearing, say), so one at a time it is not placed at all. Planned together, both are placed:
the older child's in that hour and the younger's right after it. The comparison on the plan's page shows it
(tests/integration/planning/test_demo_plan.py checks it)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.convening import request as convening_request
from conference.convening.models import Conference, ConferenceStatus
from conference.directory.models import Agency, AvailabilitySource, LocalAuthority, Person
from conference.extensions import db
from rules.clock import LONDON
from rules.vocabulary import AgencyKind, MeetingType, Seat

NOTE = "Siblings' meeting: the same people (demo)"
EMPTY_CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//convene//demo//EN\r\nEND:VCALENDAR\r\n"
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
#: (seat, agency kind, name, job title, e-mail): fictional.
SIBLINGS_TEAM = (
    (Seat.SOCIAL_CARE, AgencyKind.CHILDREN_SOCIAL_CARE, "Wren Tallis", "Social worker", "wren.tallis"),
    (Seat.POLICE, AgencyKind.POLICE, "DC Orla Brannock", "Detective constable", "orla.brannock"),
    (Seat.HEALTH, AgencyKind.HEALTH, "Ines Marrow", "School nurse", "ines.marrow"),
)


def _next_working_day(today: date) -> date:
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _team(area: LocalAuthority) -> dict[Seat, Person]:
    team: dict[Seat, Person] = {}
    for seat, kind, name, job_title, handle in SIBLINGS_TEAM:
        email = f"{handle}@{area.code.lower()}-demo.example"
        person = db.session.scalars(select(Person).where(Person.email == email)).first()
        if person is None:
            agency = db.session.scalars(
                select(Agency).where(Agency.local_authority_id == area.id, Agency.kind == kind).order_by(Agency.name)
            ).first()
            if agency is None:
                return {}
            person = Person(
                agency_id=agency.id,
                name=name,
                job_title=job_title,
                email=email,
                working_hours=WEEKDAYS,
                availability_source=AvailabilitySource.ICS_UPLOAD,
                availability_ics=EMPTY_CALENDAR,
            )
            db.session.add(person)
            db.session.flush()
        team[seat] = person
    return team


def add_siblings_meetings(area: LocalAuthority, coordinator: User, today: date) -> int:
    """The two siblings' meetings as drafts (idempotent: none if they exist). Returns how many were added."""
    if db.session.scalars(select(Conference.id).where(Conference.notes == NOTE)).first() is not None:
        return 0
    busy = select(Conference.case_id).where(Conference.status.in_([ConferenceStatus.DRAFT, ConferenceStatus.INVITED]))
    cases = list(
        db.session.scalars(
            select(Case)
            .where(Case.local_authority_id == area.id, Case.status == CaseStatus.OPEN, Case.id.not_in(busy))
            .order_by(Case.reference)
        )
    )
    urgent = next((c for c in cases if c.missing_risk is MissingRisk.HIGH), None)
    other = next((c for c in cases if c is not urgent and c.missing_risk is not MissingRisk.HIGH), None)
    team = _team(area)
    if urgent is None or other is None or not team:
        return 0
    day = _next_working_day(today)
    nine = datetime.combine(day, time(9), tzinfo=LONDON)
    windows = {
        # The younger child: any time in the next two working days (and listed first, from a quarter to nine).
        urgent.id: (nine - timedelta(minutes=15), datetime.combine(_next_working_day(day), time(17), tzinfo=LONDON)),
        # The older child: only nine to ten on the first day.
        other.id: (nine, nine + timedelta(hours=1)),
    }
    for case in (urgent, other):
        meeting = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
        earliest, deadline = windows[case.id]
        convening_request.set_window(coordinator, meeting, earliest, deadline, 60)
        meeting.notes = NOTE
        for seat in list(meeting.roles):  # the three people the siblings' meetings need, and no other seats
            person = team.get(seat.role)
            if person is None:
                meeting.roles.remove(seat)
            else:
                seat.candidate_ids = [str(person.id)]
    db.session.flush()
    return 2
