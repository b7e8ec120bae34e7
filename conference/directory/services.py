"""Directory use cases: keep a person's details, working hours and calendar source up to date."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from conference.audit import record_event
from conference.auth.models import User
from conference.directory.models import Agency, AvailabilitySource, Person
from conference.extensions import db

WEEKDAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
_RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*(?:-|–|to)\s*(\d{1,2})[:.](\d{2})\s*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ICS_BYTES = 2_000_000


#: Longest answers the person form accepts (the page's maxlength says the same; the columns fit them).
HOURS_MAX_LENGTH = 100
ROLE_TAGS_MAX_LENGTH = 500
LANGUAGES_MAX_LENGTH = 200
URL_MAX_LENGTH = 500


def parse_hours(text: str) -> list[list[str]] | None:
    """ "09:00-12:00, 13:00-17:30" -> [["09:00", "12:00"], ["13:00", "17:30"]]. Empty -> []. Invalid -> None."""
    if not text.strip():
        return []
    windows: list[list[str]] = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            return None
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        if not (0 <= h1 <= 23 and 0 <= m1 <= 59 and 0 <= h2 <= 24 and 0 <= m2 <= 59) or (h2 == 24 and m2):
            return None
        if h1 * 60 + m1 >= h2 * 60 + m2:
            return None
        windows.append([f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"])
    windows.sort()
    for earlier, later in zip(windows, windows[1:], strict=False):
        if later[0] < earlier[1]:
            return None
    return windows


def format_hours(windows: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in windows)


@dataclass(frozen=True)
class PersonDetails:
    name: str
    job_title: str
    email: str
    role_tags: list[str]
    working_hours: dict[str, Any]
    on_call: bool
    availability_source: AvailabilitySource
    availability_url: str
    availability_ics: str | None  # None: keep what is stored
    languages: tuple[str, ...] = ()  # spoken or interpreted; matched against the child's (issue 9)


def email_in_use(email: str, person: Person | None) -> bool:
    """Someone other than ``person`` already has this email address (compared without case)."""
    taken = db.session.scalars(select(Person).where(func.lower(Person.email) == email.lower())).first()
    return taken is not None and (person is None or taken.id != person.id)


def calendar_address_problem(url: str) -> str | None:
    """Refuse, before saving, an address Convene would not fetch (server-side request forgery)."""
    from flask import current_app

    from scheduler.caldav import AddressRefused, CalendarUnavailable, check_calendar_url

    try:
        check_calendar_url(url, current_app.config["SETTINGS"].calendar_allowed_hosts)
    except AddressRefused:
        return (
            "Enter a calendar address on the internet: Convene does not read calendars from local or private "
            "network addresses"
        )
    except CalendarUnavailable:
        return "Enter the calendar address, starting with https://"
    return None


def read_ics(upload: bytes) -> tuple[str | None, str]:
    """An uploaded calendar file's text, or None and the message saying why Convene cannot use it."""
    from scheduler.calendars import CalendarError, busy_from_ics

    if len(upload) > MAX_ICS_BYTES:
        return None, "The calendar file must be smaller than 2MB"
    try:
        text = upload.decode("utf-8")
    except UnicodeDecodeError:
        return None, "The selected file is not a calendar file (.ics) Convene can read"
    now = datetime.now(UTC)
    try:
        busy_from_ics(text, now, now + timedelta(days=21))
    except CalendarError as error:
        return None, f"The selected file is not a calendar file (.ics) Convene can read. {error}"
    return text, ""


def save_person(user: User, agency: Agency, person: Person | None, details: PersonDetails) -> Person:
    """Add ``person`` to ``agency`` (None: a new one) or update them, as ``user`` (an administrator of the area)."""
    created = person is None
    if person is None:
        person = Person(agency_id=agency.id, name=details.name, job_title=details.job_title, email=details.email)
        db.session.add(person)
    person.name, person.job_title, person.email = details.name, details.job_title, details.email
    person.role_tags = details.role_tags
    person.languages = list(details.languages)
    person.working_hours = details.working_hours
    person.on_call = details.on_call
    person.availability_source = details.availability_source
    person.availability_url = details.availability_url
    if details.availability_ics is not None:
        person.availability_ics = details.availability_ics
    db.session.flush()
    record_event(
        db.session,
        "directory.person_create" if created else "directory.person_update",
        object_type="person",
        object_id=person.id,
        actor=user,
    )
    return person


def get_person(agency: Agency, person_id: uuid.UUID) -> Person | None:
    return db.session.scalars(select(Person).where(Person.id == person_id, Person.agency_id == agency.id)).first()
