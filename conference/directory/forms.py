"""The directory's person page (add or change a person): one form, the Design System's wording."""

from __future__ import annotations

from typing import Any

from wtforms.validators import StopValidation

from conference.directory import services
from conference.directory.models import AvailabilitySource, Person
from conference.forms import GovFileField, GovForm, GovTextField, MaxLength, OneOf, Required

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
SOURCES = frozenset(s.value for s in AvailabilitySource)
LABELS = dict(services.WEEKDAYS)


class HoursField(GovTextField):
    """A day's working hours, as typed ("09:00-12:00, 13:00-17:30"); empty means not working that day."""

    def __init__(self, key: str, **kw: Any):
        super().__init__(LABELS[key], strip=False, max_length=None, **kw)
        self.windows: list[list[str]] = []

    def pre_validate(self, form: Any) -> None:
        label = self.label.text
        if len(self.data) > services.HOURS_MAX_LENGTH:
            raise StopValidation(f"{label}'s hours must be {services.HOURS_MAX_LENGTH} characters or fewer")
        parsed = services.parse_hours(self.data)
        if parsed is None:
            raise StopValidation(f"Enter {label}'s hours like 09:00-17:00, or 09:00-12:00, 13:00-17:30")
        self.windows = parsed


class PersonForm(GovForm):
    """Declared in the order the errors are listed: who, hours, on call, tags, languages, then where the calendar is."""

    name = GovTextField(
        validators=[Required("Enter the person's name"), MaxLength(160, "Name must be 160 characters or fewer")],
        max_length=160,
    )
    job_title = GovTextField(
        validators=[
            Required("Enter the person's job title"),
            MaxLength(160, "Job title must be 160 characters or fewer"),
        ],
        max_length=160,
    )
    email = GovTextField(validators=[Required("Enter an email address")], max_length=254, filters=[str.lower])
    hours_mon = HoursField("mon")
    hours_tue = HoursField("tue")
    hours_wed = HoursField("wed")
    hours_thu = HoursField("thu")
    hours_fri = HoursField("fri")
    hours_sat = HoursField("sat")
    hours_sun = HoursField("sun")
    on_call = GovTextField(validators=[OneOf({"yes", "no"}, "Select yes if the person can be called out of hours")])
    role_tags = GovTextField(
        validators=[
            MaxLength(
                services.ROLE_TAGS_MAX_LENGTH,
                f"Role tags must be {services.ROLE_TAGS_MAX_LENGTH} characters or fewer",
            )
        ],
        strip=False,
        max_length=None,
    )
    languages = GovTextField(
        validators=[
            MaxLength(
                services.LANGUAGES_MAX_LENGTH,
                f"Languages must be {services.LANGUAGES_MAX_LENGTH} characters or fewer",
            )
        ],
        strip=False,
        max_length=None,
    )
    availability_source = GovTextField(
        validators=[OneOf(SOURCES, "Select where Convene can find the person's availability")], max_length=40
    )
    availability_url = GovTextField(
        validators=[
            MaxLength(
                services.URL_MAX_LENGTH, f"Calendar address must be {services.URL_MAX_LENGTH} characters or fewer"
            )
        ],
        max_length=services.URL_MAX_LENGTH,
    )
    availability_ics = GovFileField(max_bytes=services.MAX_ICS_BYTES)

    def __init__(self, *args: Any, person: Person | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.ics: str | None = None  # None: keep what is stored

    @property
    def source(self) -> AvailabilitySource | None:
        value = self.availability_source.data
        return AvailabilitySource(value) if value in SOURCES else None

    def validate_email(self, field: GovTextField) -> None:
        if not services.EMAIL.match(field.data) or len(field.data) > 254:
            raise StopValidation(EMAIL_FORMAT)
        if services.email_in_use(field.data, self.person):
            raise StopValidation("Someone in the directory already has this email address")

    def validate_availability_url(self, field: GovTextField) -> None:
        if self.source not in (AvailabilitySource.ICS_URL, AvailabilitySource.CALDAV):
            return
        if not field.data.startswith(("https://", "http://")):
            raise StopValidation("Enter the calendar address, starting with https://")
        problem = services.calendar_address_problem(field.data)
        if problem:
            raise StopValidation(problem)

    def validate_availability_ics(self, field: GovFileField) -> None:
        if self.source != AvailabilitySource.ICS_UPLOAD:
            return
        if field.data:
            self.ics, problem = services.read_ics(field.data)
            if problem:
                raise StopValidation(problem)
        elif not (self.person and self.person.availability_ics):
            raise StopValidation("Select a calendar file (.ics) to upload")

    def details(self) -> services.PersonDetails:
        """What to save, once valid."""
        source = self.source
        assert source is not None, "only after validation"
        tags = [t.strip().lower().replace(" ", "_") for t in self.role_tags.data.split(",") if t.strip()]
        languages = tuple(dict.fromkeys(t.strip() for t in self.languages.data.split(",") if t.strip()))
        return services.PersonDetails(
            self.name.data,
            self.job_title.data,
            self.email.data,
            tags,
            {key: self[f"hours_{key}"].windows for key, _ in services.WEEKDAYS if self[f"hours_{key}"].windows},
            self.on_call.data == "yes",
            source,
            self.availability_url.data,
            self.ics,
            languages,
        )
