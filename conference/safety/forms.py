"""Form readers for the safety pages, in the Design System's way (explicit fields, GOV.UK error wording)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from conference.forms import FormErrors, local_datetime, parse_date, parse_time_of_day, text_field
from conference.safety.services import CheckUpdate, NewEpisode
from rules.safety import PoliceRisk, SafetyStatus

NOTE_MAX = 2000
REFERENCE_MAX = 40
WHERE_MAX = 200
WHO_MAX = 160


def _past_moment(form: Mapping[str, str], name: str, what: str, errors: FormErrors, now: datetime) -> datetime | None:
    """A date input ``name`` and a time input ``name-time`` for the moment ``what`` ("the child was last seen")."""
    on = parse_date(form, name, f"the date {what}", errors)
    time_text = text_field(form, f"{name}-time", max_length=10)
    time = parse_time_of_day(time_text) if time_text else None
    if not time_text:
        errors.add(f"{name}-time", f"Enter the time {what}")
    elif time is None:
        errors.add(f"{name}-time", "Enter a real time, for example 2:30pm or 14:30")
    if on is None or time is None:
        return None
    moment = local_datetime(on, *time)
    if moment > now:
        errors.add(f"{name}-day", f"The date and time {what} must be in the past")
        return None
    return moment


def read_check_update(form: Mapping[str, str], errors: FormErrors, agency_ids: set[uuid.UUID]) -> CheckUpdate | None:
    status = form.get("status", "")
    if status not in {s.value for s in SafetyStatus}:
        errors.add("status", "Select the status of this action")
    owner_text = form.get("owner_agency_id", "")
    owner: uuid.UUID | None = None
    if owner_text:
        try:
            owner = uuid.UUID(owner_text)
        except ValueError:
            owner = None
        if owner not in agency_ids:
            errors.add("owner_agency_id", "Select the agency that owns this action")
    note = text_field(form, "note", max_length=NOTE_MAX)
    if len(note) > NOTE_MAX:
        errors.add("note", f"Note must be {NOTE_MAX} characters or fewer")
    if errors:
        return None
    return CheckUpdate(SafetyStatus(status), owner, note)


def read_episode(form: Mapping[str, str], errors: FormErrors, now: datetime) -> NewEpisode | None:
    last_seen_at = _past_moment(form, "last_seen", "the child was last seen", errors, now)
    reported_at = _past_moment(form, "reported", "the child was reported missing to the police", errors, now)
    reference = text_field(form, "police_reference", max_length=REFERENCE_MAX)
    if not reference:
        errors.add("police_reference", "Enter the police reference for the missing-person report")
    elif len(reference) > REFERENCE_MAX:
        errors.add("police_reference", f"Police reference must be {REFERENCE_MAX} characters or fewer")
    risk = form.get("risk", "")
    if risk not in {r.value for r in PoliceRisk}:
        errors.add("risk", "Select the police's risk grading")
    if last_seen_at and reported_at and reported_at < last_seen_at:
        errors.add("reported-day", "The time of the report to the police must be after the child was last seen")
    if errors or last_seen_at is None or reported_at is None:
        return None
    return NewEpisode(last_seen_at, reported_at, reference, PoliceRisk(risk))


def read_return(
    form: Mapping[str, str], errors: FormErrors, now: datetime, last_seen_at: datetime
) -> tuple[datetime, str, str] | None:
    found_at = _past_moment(form, "found", "the child was found or returned", errors, now)
    if found_at is not None and found_at < last_seen_at:
        errors.add("found-day", "The time the child was found must be after the child was last seen")
        found_at = None
    where = text_field(form, "found_where", max_length=WHERE_MAX)
    if not where:
        errors.add("found_where", "Enter where the child was found or returned to")
    elif len(where) > WHERE_MAX:
        errors.add("found_where", f"Where the child was found must be {WHERE_MAX} characters or fewer")
    who = text_field(form, "return_interview_by", max_length=WHO_MAX)
    if not who:
        errors.add("return_interview_by", "Enter who will hold the return-home interview")
    elif len(who) > WHO_MAX:
        errors.add("return_interview_by", f"Who holds the interview must be {WHO_MAX} characters or fewer")
    if errors or found_at is None:
        return None
    return found_at, where, who


def read_interview(form: Mapping[str, str], errors: FormErrors, now: datetime, found_at: datetime) -> datetime | None:
    done_at = _past_moment(form, "held", "the return-home interview was held", errors, now)
    if done_at is not None and done_at < found_at:
        errors.add("held-day", "The return-home interview must be after the child returned")
        return None
    return done_at
