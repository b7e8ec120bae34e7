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
from conference.forms import FormErrors

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


def validate_person(
    form: dict[str, str], upload: bytes | None, errors: FormErrors, person: Person | None
) -> PersonDetails | None:
    name, job_title, email = _validate_identity(form, errors, person)
    hours: dict[str, Any] = {}
    for key, label in WEEKDAYS:
        text = form.get(f"hours_{key}", "")
        parsed = parse_hours(text) if len(text) <= HOURS_MAX_LENGTH else None
        if len(text) > HOURS_MAX_LENGTH:
            errors.add(f"hours_{key}", f"{label}'s hours must be {HOURS_MAX_LENGTH} characters or fewer")
        elif parsed is None:
            errors.add(f"hours_{key}", f"Enter {label}'s hours like 09:00-17:00, or 09:00-12:00, 13:00-17:30")
        elif parsed:
            hours[key] = parsed
    on_call = form.get("on_call", "")
    if on_call not in {"yes", "no"}:
        errors.add("on_call", "Select yes if the person can be called out of hours")
    if len(form.get("role_tags", "")) > ROLE_TAGS_MAX_LENGTH:
        errors.add("role_tags", f"Role tags must be {ROLE_TAGS_MAX_LENGTH} characters or fewer")
    if len(form.get("languages", "")) > LANGUAGES_MAX_LENGTH:
        errors.add("languages", f"Languages must be {LANGUAGES_MAX_LENGTH} characters or fewer")
    source, url, ics = _validate_source(form, upload, errors, person)
    if errors or source is None:
        return None
    tags = [t.strip().lower().replace(" ", "_") for t in form.get("role_tags", "").split(",") if t.strip()]
    languages = tuple(dict.fromkeys(t.strip() for t in form.get("languages", "").split(",") if t.strip()))
    return PersonDetails(name, job_title, email, tags, hours, on_call == "yes", source, url, ics, languages)


def _validate_identity(form: dict[str, str], errors: FormErrors, person: Person | None) -> tuple[str, str, str]:
    name = form.get("name", "").strip()
    job_title = form.get("job_title", "").strip()
    email = form.get("email", "").strip().lower()
    if not name:
        errors.add("name", "Enter the person's name")
    elif len(name) > 160:
        errors.add("name", "Name must be 160 characters or fewer")
    if not job_title:
        errors.add("job_title", "Enter the person's job title")
    elif len(job_title) > 160:
        errors.add("job_title", "Job title must be 160 characters or fewer")
    if not email:
        errors.add("email", "Enter an email address")
    elif not EMAIL.match(email) or len(email) > 254:
        errors.add("email", "Enter an email address in the correct format, like name@example.org")
    else:
        taken = db.session.scalars(select(Person).where(func.lower(Person.email) == email)).first()
        if taken is not None and (person is None or taken.id != person.id):
            errors.add("email", "Someone in the directory already has this email address")
    return name, job_title, email


def _validate_source(
    form: dict[str, str], upload: bytes | None, errors: FormErrors, person: Person | None
) -> tuple[AvailabilitySource | None, str, str | None]:
    source_value = form.get("availability_source", "")
    source = AvailabilitySource(source_value) if source_value in {s.value for s in AvailabilitySource} else None
    if source is None:
        errors.add("availability_source", "Select where Convene can find the person's availability")
    url = form.get("availability_url", "").strip()
    ics: str | None = None
    if len(url) > URL_MAX_LENGTH:
        errors.add("availability_url", f"Calendar address must be {URL_MAX_LENGTH} characters or fewer")
    elif source in (AvailabilitySource.ICS_URL, AvailabilitySource.CALDAV):
        if not url.startswith("https://") and not url.startswith("http://"):
            errors.add("availability_url", "Enter the calendar address, starting with https://")
        else:
            _check_calendar_address(url, errors)
    if source == AvailabilitySource.ICS_UPLOAD:
        if upload:
            ics = _checked_ics(upload, errors)
        elif not (person and person.availability_ics):
            errors.add("availability_ics", "Select a calendar file (.ics) to upload")
    return source, url, ics


def _check_calendar_address(url: str, errors: FormErrors) -> None:
    """Refuse, before saving, an address Convene would not fetch (server-side request forgery)."""
    from flask import current_app

    from scheduler.caldav import AddressRefused, CalendarUnavailable, check_calendar_url

    try:
        check_calendar_url(url, current_app.config["SETTINGS"].calendar_allowed_hosts)
    except AddressRefused:
        errors.add(
            "availability_url",
            "Enter a calendar address on the internet: Convene does not read calendars from local or private "
            "network addresses",
        )
    except CalendarUnavailable:
        errors.add("availability_url", "Enter the calendar address, starting with https://")


def _checked_ics(upload: bytes, errors: FormErrors) -> str | None:
    from scheduler.calendars import CalendarError, busy_from_ics

    if len(upload) > MAX_ICS_BYTES:
        errors.add("availability_ics", "The calendar file must be smaller than 2MB")
        return None
    try:
        text = upload.decode("utf-8")
    except UnicodeDecodeError:
        errors.add("availability_ics", "The selected file is not a calendar file (.ics) Convene can read")
        return None
    now = datetime.now(UTC)
    try:
        busy_from_ics(text, now, now + timedelta(days=21))
    except CalendarError as error:
        errors.add("availability_ics", f"The selected file is not a calendar file (.ics) Convene can read. {error}")
        return None
    return text


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
