"""The convening pages' forms: one WTForms class per page that posts, on the shared base (`conference.forms`).

Wording and the order of the errors are the pages' own, unchanged: fields are declared in the order their errors are
listed. Every date and time is a `GovDateField` with a `GovTimeField` beside it (``name-day``/``-month``/``-year`` and
``name-time``), read together by `ConveningForm.moment_at`. Checks that need the database or the meeting (the
deadline against the window, the cut-off against the start) are form methods that add their error with
``add_error``, so a service-level check can add its own in the same way. Views parse the form, call one service and
render ``errors=form.gov_errors`` with ``form=form.values()`` (the values as typed) exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from wtforms import Field
from wtforms.validators import StopValidation

from conference.convening.files import MAX_FILE_BYTES
from conference.forms import (
    GovDateField,
    GovForm,
    GovTextField,
    GovTimeField,
    OneOf,
    local_datetime,
)


class GovFilesField(Field):  # type: ignore[misc]
    """Every file chosen under one name, each read up to one byte past ``max_bytes`` (so "too large" can be told
    apart without reading more). The checks on the files stay in `conference.convening.files`."""

    data: list[bytes]

    def __init__(self, label: str = "", validators: Any = None, *, max_bytes: int, **kw: Any):
        super().__init__(label, validators, **kw)
        self.max_bytes = max_bytes

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [f.read(self.max_bytes + 1) for f in valuelist if getattr(f, "filename", None)]

    def process_data(self, value: Any) -> None:
        self.data = []


def _choice(**kw: Any) -> GovTextField:
    """A radio, select, button or hidden value: read exactly as sent (not trimmed), so " yes" is not "yes"."""
    return GovTextField(strip=False, **kw)


class ConveningForm(GovForm):
    """The base of convening's forms: the values as typed (to show the page again), a date and time read together,
    and validating only the fields an action of a multi-action page needs."""

    def values(self) -> dict[str, str]:
        """Each field's value as typed, keyed by its input name (the date input's three parts separately)."""
        values: dict[str, str] = {}
        for field in self:
            if isinstance(field, GovDateField):
                values.update(field.values())
            elif isinstance(field, GovTimeField):
                values[field.name] = field.text
            elif isinstance(field, GovTextField):
                values[field.name] = field.data or ""
        return values

    @staticmethod
    def moment_at(on: GovDateField, at: GovTimeField) -> datetime | None:
        """The date and the time of day together, in Europe/London, once both are valid."""
        if on.data is None or at.data is None:
            return None
        return local_datetime(on.data, at.data.hour, at.data.minute)

    def check_only(self, fields: Iterable[Field]) -> bool:
        """Validate only ``fields`` (in page order), for a page whose buttons post different parts of it."""
        chosen = {id(f) for f in fields}
        for field in self:
            if id(field) in chosen and not field.validate(self):
                self.gov_errors.add(getattr(field, "error_id", field.id), field.errors[0])
        return not self.gov_errors


def _moment(name: str, label: str) -> tuple[GovDateField, GovTimeField]:
    """A date input and a time input: "Enter {label}" / "Enter the time of {label}", as the journey always said."""
    return GovDateField(label), GovTimeField(f"the time of {label}", name=f"{name}-time")


# --- 1. ask for a meeting ------------------------------------------------------------------------


class MeetingTypeForm(ConveningForm):
    """The meeting type, one of those used in the case's nation (``types``)."""

    meeting_type = _choice(max_length=60)

    def __init__(self, *args: Any, types: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting_type.validators = [OneOf(set(types), "Select the type of meeting")]


# --- 2. timescale --------------------------------------------------------------------------------


def _duration(form: Any, field: Any) -> None:
    value = int(field.data) if field.data.isdecimal() else 0
    if not 15 <= value <= 480:
        raise StopValidation("Enter how long the meeting lasts, in minutes, between 15 and 480")


class TimescaleForm(ConveningForm):
    deadline, deadline_time = _moment("deadline", "the deadline")
    duration = GovTextField(validators=[_duration], max_length=4)

    @property
    def deadline_at(self) -> datetime | None:
        return self.moment_at(self.deadline, self.deadline_time)

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.data)

    def check_window(self, earliest_at: datetime) -> bool:
        """The deadline after the earliest start and within 60 days of it (so calendars can be checked)."""
        deadline_at = self.deadline_at
        if deadline_at is not None and not self.gov_errors:
            if deadline_at <= earliest_at:
                self.add_error("deadline-day", "The deadline must be in the future")
            elif (deadline_at - earliest_at).days > 60:
                self.add_error("deadline-day", "The deadline must be within 60 days, so that calendars can be checked")
        return not self.gov_errors


# --- 3. who is needed ----------------------------------------------------------------------------


class PeopleForm(ConveningForm):
    """The people page: its buttons (``action``) post different parts. Made per request for the meeting's seats
    (`for_seats`): ``required-<seat>`` and ``written-<seat>`` for each, ``add-<seat>`` for adding a person, and
    the new seat's ``seat-role``, ``seat-agency`` and ``seat-required``."""

    action = _choice(max_length=100)
    seat_role = _choice(name="seat-role", max_length=100)
    seat_agency = _choice(name="seat-agency", max_length=100)
    seat_required = _choice(
        name="seat-required", validators=[OneOf({"yes", "no"}, "Select whether the new seat is required")]
    )

    @classmethod
    def for_seats(cls, seats: Iterable[Any]) -> type[PeopleForm]:
        fields: dict[str, Any] = {}
        for seat in seats:
            label = seat.role.label
            fields[f"required_{seat.id.hex}"] = _choice(
                name=f"required-{seat.id}",
                validators=[OneOf({"yes", "no"}, f"Select whether {label} is required")],
            )
            fields[f"written_{seat.id.hex}"] = _choice(name=f"written-{seat.id}")
            fields[f"add_{seat.id.hex}"] = _choice(name=f"add-{seat.id}", max_length=100)
        return type("PeopleFormForSeats", (cls,), fields)

    def field_named(self, name: str) -> Any:
        return next(f for f in self if f.name == name)

    def seat_fields(self, prefix: str) -> list[Any]:
        return [f for f in self if f.name.startswith(f"{prefix}-") and f.name != "seat-required"]

    def seat_choices(self) -> dict[str, tuple[bool, bool]]:
        """Each seat's (required, written submission allowed), after `check_only` on the ``required-`` fields."""
        return {
            f.name.removeprefix("required-"): (
                f.data == "yes",
                self.field_named(f"written-{f.name.removeprefix('required-')}").data == "yes",
            )
            for f in self.seat_fields("required")
        }


# --- 4. options, another time --------------------------------------------------------------------


class OptionsForm(ConveningForm):
    """Find times (``action=find``), check another time (``action=another``), or use one of the times found."""

    action = _choice(max_length=20)
    proposal = _choice(max_length=10)
    another, another_time = _moment("another", "the meeting")

    @property
    def another_at(self) -> datetime | None:
        return self.moment_at(self.another, self.another_time)

    def check_another(self, now_at: datetime) -> bool:
        if self.check_only([self.another, self.another_time]) and (self.another_at or now_at) <= now_at:
            self.add_error("another-day", "The meeting must start in the future")
        return not self.gov_errors

    def check_proposal(self, count: int) -> bool:
        """One of the ``count`` times found, or the error that says to find them first."""
        if not count:
            self.add_error("find", "Select a time: first find the times that work")
        elif not self.proposal.data.isdecimal() or int(self.proposal.data) >= count:
            self.add_error("proposal", "Select a time for the meeting")
        return not self.gov_errors


class RelaxForm(ConveningForm):
    """One of the relaxations offered when no time works (anything else is a bad request)."""

    kind = _choice(max_length=40)
    role = _choice(max_length=100)


# --- venue or video link -------------------------------------------------------------------------

VIDEO_LINK = "Enter a video link starting with https://, for example https://meet.example/abc-defg"


class PlaceForm(ConveningForm):
    how = _choice(validators=[OneOf({"venue", "video"}, "Select how people will join the meeting")])
    venue = GovTextField(max_length=300, filters=[lambda v: " ".join((v or "").split())])
    video_link = GovTextField(max_length=500)

    def validate(self, extra_validators: Any = None) -> bool:
        """``how`` first; then only the chosen one of venue and video link is checked (the other is cleared)."""
        if not self.check_only([self.how]):
            return False
        if self.how.data == "venue":
            if not self.venue.data:
                self.add_error("venue", "Enter the venue")
            elif len(self.venue.data) > 300:
                self.add_error("venue", "Venue must be 300 characters or fewer")
        elif not re.fullmatch(r"https://[^\s<>\"]{4,490}", self.video_link.data):
            self.add_error("video_link", VIDEO_LINK)
        return not self.gov_errors

    @property
    def place_field(self) -> str:
        return "venue" if self.how.data == "venue" else "video_link"

    @property
    def chosen_venue(self) -> str:
        return str(self.venue.data) if self.how.data == "venue" else ""

    @property
    def chosen_link(self) -> str:
        return str(self.video_link.data).strip() if self.how.data == "video" else ""


# --- 6. the live board ---------------------------------------------------------------------------


class CutoffForm(ConveningForm):
    """The cut-off for replies. `check_before` is the meeting's own check; a service may add others with
    ``add_error`` (the error list keeps the first message per field)."""

    cutoff, cutoff_time = _moment("cutoff", "the cut-off")

    @property
    def cutoff_at(self) -> datetime | None:
        return self.moment_at(self.cutoff, self.cutoff_time)

    def check_before(self, start_at: datetime | None) -> bool:
        if self.cutoff_at is not None and start_at is not None and self.cutoff_at > start_at:
            self.add_error("cutoff-day", "The cut-off must be before the meeting starts")
        return not self.gov_errors


class ReplaceAttendeeForm(ConveningForm):
    """The person to invite instead (the board offers only those available; anything else is a bad request)."""

    person = _choice(max_length=100)


class CancelForm(ConveningForm):
    """Cancelling the meeting: the page is the check; the form has only its button (and the CSRF token)."""


# --- 7. the personal link ------------------------------------------------------------------------


class LinkAnswerForm(ConveningForm):
    answer = _choice(max_length=40)

    def __init__(self, *args: Any, answers: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer.validators = [OneOf(set(answers), "Select your answer")]


class DeputyForm(ConveningForm):
    """Who attends instead, among the role's candidates free at the meeting's time (``candidates``: their ids)."""

    deputy = _choice(max_length=100)

    def __init__(self, *args: Any, candidates: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = set(candidates)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        if self.deputy.data not in self.candidates:
            if not self.candidates:
                self.add_error("nobody-free", "Nobody else listed for your role is available at the meeting's time")
            else:
                self.add_error("deputy", "Select who will attend instead of you")
        return not self.gov_errors


class SubmissionForm(ConveningForm):
    """A written submission: the text as typed (the checks on it and on the files are the service's, in
    `conference.convening.files`) and the files chosen."""

    text = GovTextField(strip=False, max_length=None)
    files = GovFilesField(max_bytes=MAX_FILE_BYTES)


__all__ = [
    "CancelForm",
    "ConveningForm",
    "CutoffForm",
    "DeputyForm",
    "GovFilesField",
    "LinkAnswerForm",
    "MeetingTypeForm",
    "OptionsForm",
    "PeopleForm",
    "PlaceForm",
    "ReplaceAttendeeForm",
    "SubmissionForm",
    "TimescaleForm",
    "moment_fields",
]


def moment_fields(name: str, value: datetime | None) -> dict[str, str]:
    """Form values that show ``value`` in a date input and a time input (Europe/London)."""
    if value is None:
        return {}
    from rules.display import time_of_day, to_london

    local = to_london(value)
    time = f"{local.hour:02d}:{local.minute:02d}"
    if time_of_day(value) not in ("midday", "midnight"):
        time = time_of_day(value)
    return {
        f"{name}-day": str(local.day),
        f"{name}-month": str(local.month),
        f"{name}-year": str(local.year),
        f"{name}-time": time,
    }
