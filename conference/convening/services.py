"""Convening's shared words: the error a coordinator can act on, the arrangement of a meeting, what may
never leave Convene, and forgetting the options when the request changes.

The journey itself is in ``request`` (seats and window), ``options`` (solve, relax, choose a time),
``invitations`` (place, preview, send, reschedule, cancel) and ``board`` (replies, deputies, cut-off).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from conference.cases.models import Case, CaseAgency
from conference.convening.invitation_models import ConferenceArrangement, ReplyRecord
from conference.convening.models import Attendee, Conference, ConferenceStatus, ResponseStatus
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome
from rules.vocabulary import (
    AgencyKind,
    Circumstance,
)

log = logging.getLogger(__name__)

ACTIVE_RESPONSES = (
    ResponseStatus.NEEDS_ACTION,
    ResponseStatus.ACCEPTED,
    ResponseStatus.TENTATIVE,
    ResponseStatus.DECLINED,
    ResponseStatus.WRITTEN_SUBMISSION,
)


@dataclass(frozen=True)
class NotAUser:
    """Who acts when it is not an account: an invitee through their personal link, or a calendar reply arriving
    at the machine endpoint. Passed as ``actor`` so the audit row names no user (not even a coordinator who happens
    to be signed in while opening a link) and says in its role what acted."""

    role: str
    id: Any = None
    agency_id: Any = None


#: The actors that are not accounts (``record_event(..., actor=...)``).
PERSONAL_LINK = NotAUser("personal link")
CALENDAR_REPLY = NotAUser("calendar reply")


class ConveningError(ValueError):
    """An action cannot be done; the message says why, in words a coordinator can act on."""


# --- helpers -------------------------------------------------------------------------------------


def settings() -> Any:
    return current_app.config["SETTINGS"]


def arrangement_for(conference: Conference) -> ConferenceArrangement:
    found = db.session.scalars(
        select(ConferenceArrangement).where(ConferenceArrangement.conference_id == conference.id)
    ).first()
    if found is None:
        found = ConferenceArrangement(conference_id=conference.id)
        db.session.add(found)
        db.session.flush()
    return found


def withheld_for(case: Case) -> list[str]:
    """The case's identity values: none may appear in anything that leaves Convene."""
    values = [case.child_first_name, case.child_last_name, case.child_name, case.reference, case.nationality]
    if case.child_born_on is not None:
        born = case.child_born_on
        values += [born.isoformat(), f"{born.day} {born:%B %Y}", f"{born:%d/%m/%Y}", f"{born:%Y%m%d}"]
    return [v for v in values if v and v.strip()]


def circumstances_for(case: Case) -> set[Circumstance]:
    kinds = {link.agency.kind for link in db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id))}
    found: set[Circumstance] = set()
    if case.interpreter_needed:
        found.add(Circumstance.INTERPRETER_NEEDED)
    if AgencyKind.GUARDIAN_SERVICE in kinds:
        found.add(Circumstance.GUARDIAN_ALLOCATED)
    if AgencyKind.EDUCATION in kinds:
        found.add(Circumstance.IN_EDUCATION)
    if AgencyKind.HOME_OFFICE in kinds:
        found.add(Circumstance.HOME_OFFICE_INVOLVED)
    if AgencyKind.SINGLE_COMPETENT_AUTHORITY in kinds:
        found.add(Circumstance.NRM_REFERRAL_MADE)
    if AgencyKind.YOUTH_JUSTICE in kinds:
        found.add(Circumstance.YOUTH_JUSTICE_INVOLVED)
    if AgencyKind.ADVOCACY in kinds:
        found.add(Circumstance.ADVOCATE_ALLOCATED)
    return found


def forget_options(conference: Conference) -> None:
    arrangement = arrangement_for(conference)
    arrangement.proposals = []
    arrangement.no_slot_reasons = []
    arrangement.suggestions = []
    arrangement.solved_at = None
    arrangement.solved_request = None
    arrangement.unknown_reasons = None
    arrangement.chosen_start_at = None
    arrangement.chosen_end_at = None
    arrangement.chosen_assignments = {}
    arrangement.chosen_conflicts = []


def parse_instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def active_attendees(conference: Conference) -> list[Attendee]:
    rows = db.session.scalars(
        select(Attendee).where(Attendee.conference_id == conference.id, Attendee.response.in_(ACTIVE_RESPONSES))
    )
    return sorted(rows, key=lambda a: (a.seat.position, a.deputy_rank))


def all_attendees(conference: Conference) -> list[Attendee]:
    rows = db.session.scalars(select(Attendee).where(Attendee.conference_id == conference.id))
    return sorted(rows, key=lambda a: (a.seat.position, a.created_at))


def draft_or_invited(conference: Conference) -> None:
    if conference.status not in (ConferenceStatus.DRAFT, ConferenceStatus.INVITED):
        raise ConveningError(f"This meeting is {conference.status.label.lower()}; it cannot be changed.")


def open_counters(conference: Conference) -> list[ReplyRecord]:
    return list(
        db.session.scalars(
            select(ReplyRecord).where(
                ReplyRecord.conference_id == conference.id,
                ReplyRecord.outcome == ReplyOutcome.COUNTER,
                ReplyRecord.resolved_at.is_(None),
            )
        )
    )
