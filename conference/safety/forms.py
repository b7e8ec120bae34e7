"""The safety pages' forms (a checklist item, a missing episode, the return, the return-home interview): one WTForms
class per page on `conference.forms.GovForm`, fields in page order, the GOV.UK wording the pages had when read by
hand. A moment is a date input ``name`` and a time input ``name-time``; a moment in the future is refused at the
date ("The date and time … must be in the past")."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from wtforms.validators import StopValidation

from conference.db import utcnow
from conference.forms import (
    GovDateField,
    GovForm,
    GovTextField,
    GovTimeField,
    MaxLength,
    OneOf,
    Required,
    local_datetime,
)
from conference.safety.services import CheckUpdate, NewEpisode
from rules.safety import PoliceRisk, SafetyStatus

NOTE_MAX = 2000
REFERENCE_MAX = 40
WHERE_MAX = 200
WHO_MAX = 160

LAST_SEEN = "the child was last seen"
REPORTED = "the child was reported missing to the police"
FOUND = "the child was found or returned"
HELD = "the return-home interview was held"


def _date(what: str) -> GovDateField:
    return GovDateField(f"the date {what}")


def _time(name: str, what: str) -> GovTimeField:
    return GovTimeField(f"the time {what}", name=f"{name}-time")


def _text(length: int, required: str, too_long: str) -> GovTextField:
    return GovTextField(validators=[Required(required), MaxLength(length, too_long)], max_length=length)


class MomentForm(GovForm):
    """A page with moments in the past; ``now`` is when the page was sent (default: now)."""

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now or utcnow()

    def moment(self, on: GovDateField, at: GovTimeField, what: str) -> datetime | None:
        """The moment from a valid date and time, or None; one in the future is refused at the date."""
        if on.data is None or at.data is None:
            return None
        value = local_datetime(on.data, at.data.hour, at.data.minute)
        if value > self.now:
            on.errors.append(f"The date and time {what} must be in the past")
            return None
        return value


class CheckForm(GovForm):
    """Update a safety checklist item: its status, the agency that owns it (optional), a note.
    ``agency_ids`` are the agencies that may own it."""

    new_status = GovTextField(  # "status" is the page's status (GovForm.status)
        validators=[OneOf({s.value for s in SafetyStatus}, "Select the status of this action")],
        max_length=40,
        name="status",
    )
    owner_agency_id = GovTextField(max_length=40)
    note = GovTextField(
        validators=[MaxLength(NOTE_MAX, f"Note must be {NOTE_MAX} characters or fewer")], max_length=NOTE_MAX
    )

    def __init__(self, *args: Any, agency_ids: Collection[uuid.UUID], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_ids = agency_ids
        self.owner: uuid.UUID | None = None

    def validate_owner_agency_id(self, field: GovTextField) -> None:
        if not field.data:
            return
        try:
            self.owner = uuid.UUID(field.data)
        except ValueError:
            self.owner = None
        if self.owner not in self.agency_ids:
            raise StopValidation("Select the agency that owns this action")

    def update(self) -> CheckUpdate:
        return CheckUpdate(SafetyStatus(self.new_status.data), self.owner, self.note.data)


class EpisodeForm(MomentForm):
    """Record a missing episode: when the child was last seen, when the police were told, their reference and risk
    grading. ``step`` and ``confirm`` come from the check-answers page."""

    step = GovTextField(max_length=10)
    confirm = GovTextField(max_length=3)
    last_seen = _date(LAST_SEEN)
    last_seen_time = _time("last_seen", LAST_SEEN)
    reported = _date(REPORTED)
    reported_time = _time("reported", REPORTED)
    police_reference = _text(
        REFERENCE_MAX,
        "Enter the police reference for the missing-person report",
        f"Police reference must be {REFERENCE_MAX} characters or fewer",
    )
    risk = GovTextField(validators=[OneOf({r.value for r in PoliceRisk}, "Select the police's risk grading")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_seen_at: datetime | None = None
        self.reported_at: datetime | None = None

    def validate_last_seen_time(self, field: GovTimeField) -> None:
        self.last_seen_at = self.moment(self.last_seen, field, LAST_SEEN)

    def validate_reported_time(self, field: GovTimeField) -> None:
        self.reported_at = self.moment(self.reported, field, REPORTED)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        if self.last_seen_at and self.reported_at and self.reported_at < self.last_seen_at:
            # Listed last, after the reference and the grading, as the page always listed it.
            self.add_error("reported-day", "The time of the report to the police must be after the child was last seen")
        return not self.gov_errors

    @property
    def changing(self) -> bool:
        """Back from the check-answers page to change the answers."""
        return self.step.data == "change"

    @property
    def confirmed(self) -> bool:
        return self.step.data == "check" and self.confirm.data == "yes"

    def details(self) -> NewEpisode:
        assert self.last_seen_at is not None and self.reported_at is not None, "only after validation"
        return NewEpisode(self.last_seen_at, self.reported_at, self.police_reference.data, PoliceRisk(self.risk.data))


class ReturnForm(MomentForm):
    """The child was found or returned: when, where, and who holds the return-home interview."""

    found = _date(FOUND)
    found_time = _time("found", FOUND)
    found_where = _text(
        WHERE_MAX,
        "Enter where the child was found or returned to",
        f"Where the child was found must be {WHERE_MAX} characters or fewer",
    )
    return_interview_by = _text(
        WHO_MAX,
        "Enter who will hold the return-home interview",
        f"Who holds the interview must be {WHO_MAX} characters or fewer",
    )

    def __init__(self, *args: Any, last_seen_at: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_seen_at = last_seen_at
        self.found_at: datetime | None = None

    def validate_found_time(self, field: GovTimeField) -> None:
        found_at = self.moment(self.found, field, FOUND)
        if found_at is not None and found_at < self.last_seen_at:
            self.found.errors.append("The time the child was found must be after the child was last seen")
            found_at = None
        self.found_at = found_at

    def answer(self) -> tuple[datetime, str, str]:
        assert self.found_at is not None, "only after validation"
        return self.found_at, self.found_where.data, self.return_interview_by.data


class InterviewForm(MomentForm):
    """When the return-home interview was held (after the child returned)."""

    held = _date(HELD)
    held_time = _time("held", HELD)

    def __init__(self, *args: Any, found_at: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.found_at = found_at
        self.held_at: datetime | None = None

    def validate_held_time(self, field: GovTimeField) -> None:
        held_at = self.moment(self.held, field, HELD)
        if held_at is not None and held_at < self.found_at:
            self.held.errors.append("The return-home interview must be after the child returned")
            held_at = None
        self.held_at = held_at
