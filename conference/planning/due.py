"""Plan the week's due meetings: the meetings a case is due to have by its timescale and that nobody has started
arranging (initial child protection conferences after enquiries began, reviews), found in the user's scope and
started as drafts so that the plan places them with the others.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.cases.scope import case_scope
from conference.convening import request as convening_request
from conference.convening import services as convening
from conference.convening.models import Conference, ConferenceStatus
from conference.dashboard import decisions_adapter
from conference.extensions import db
from conference.planning.batch import RISK_PRIORITY, TYPE_PRIORITY, period_bounds
from rules.timescales import StrategyDiscussionHeld, TimescaleError, default_window, enquiries_started_at
from rules.vocabulary import MeetingType

#: A meeting due within this many days after the period is planned in it too. Convene's own choice: invitations
#: need notice, so a conference due early next week is best placed this week.
DUE_AHEAD_DAYS = 14
#: A meeting overdue by more than this many days is not collected. Convene's own choice: by then it was most
#: likely held outside Convene, or (for an initial conference) the enquiries found none was needed; the case
#: page is where to arrange it.
DUE_OVERDUE_DAYS = 14
_STRATEGY_TYPES = (
    MeetingType.STRATEGY_DISCUSSION,
    MeetingType.STRATEGY_DISCUSSION_NI,
    MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
)
_CONFERENCE_TYPES = (MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, MeetingType.REVIEW)
_PLACED = (ConferenceStatus.INVITED, ConferenceStatus.HELD)


@dataclass(frozen=True)
class DueMeeting:
    """A meeting a case is due to have and that nobody has started arranging: its default window from
    rules/timescales.py (whose constants cite their sources) and its priority (``TYPE_PRIORITY``, ``RISK_PRIORITY``)."""

    case_id: uuid.UUID
    case_reference: str
    meeting_type: MeetingType
    risk: MissingRisk | None
    priority: int
    earliest_at: datetime
    deadline_at: datetime
    basis: str
    overdue: bool


def find_due(user: User, from_on: date, to_on: date, *, now_at: datetime) -> list[DueMeeting]:
    """Meetings due but not yet started in the user's scope, whose window opens by the end of the period and whose
    deadline falls by ``DUE_AHEAD_DAYS`` after it (overdue ones included, up to ``DUE_OVERDUE_DAYS``), the most
    urgent first:

    * an **initial child protection conference** after a held strategy discussion (or IRD) whose signed decision
      started section 47 enquiries (a child protection investigation), when no initial conference has been
      requested or held since (Working Together to Safeguard Children 2023: within 15 working days; see
      ``rules.timescales.ICPC_WORKING_DAYS``);
    * a **review** conference after the latest initial conference or review held, when no review is being
      arranged (first within 3 months, then at most 6 months apart: ``rules.timescales.FIRST_REVIEW_MONTHS``).

    Read in three statements whatever the number of cases (conferences in scope, their enquiry decisions, the
    cases concerned)."""
    _start, end = period_bounds(from_on, to_on)
    horizon = end + timedelta(days=DUE_AHEAD_DAYS)
    rows = db.session.execute(
        select(Conference.id, Conference.case_id, Conference.meeting_type, Conference.status, Conference.start_at)
        .join(Case, Case.id == Conference.case_id)
        .where(
            case_scope(user),
            Case.status == CaseStatus.OPEN,
            Conference.status != ConferenceStatus.CANCELLED,
            Conference.meeting_type.in_([t.value for t in (*_STRATEGY_TYPES, *_CONFERENCE_TYPES)]),
        )
    ).all()
    by_case: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_case.setdefault(row.case_id, []).append(row)
    held_strategy = [
        row.id
        for row in rows
        if MeetingType(row.meeting_type) in _STRATEGY_TYPES
        and row.status in _PLACED
        and row.start_at is not None
        and row.start_at <= now_at
    ]
    started = decisions_adapter.find_enquiry_decisions(held_strategy)
    wanted: dict[uuid.UUID, tuple[MeetingType, datetime | None, datetime | None, MeetingType | None]] = {}
    for case_id, meetings in by_case.items():
        anchor = enquiries_started_at(
            StrategyDiscussionHeld(m.start_at, started.get(m.id)) for m in meetings if m.id in started
        )
        conferences = [m for m in meetings if MeetingType(m.meeting_type) in _CONFERENCE_TYPES]
        drafted = {MeetingType(m.meeting_type) for m in conferences if m.status is ConferenceStatus.DRAFT}
        placed = sorted(
            (m for m in conferences if m.status in _PLACED and m.start_at is not None), key=lambda m: m.start_at
        )
        icpc = MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE
        if anchor is not None and icpc not in drafted and not any(m.start_at >= anchor for m in placed):
            wanted[case_id] = (icpc, anchor, None, None)
        elif placed and MeetingType.REVIEW not in drafted and icpc not in drafted:
            latest = placed[-1]
            wanted[case_id] = (MeetingType.REVIEW, None, latest.start_at, MeetingType(latest.meeting_type))
    if not wanted:
        return []
    cases = db.session.execute(
        select(Case.id, Case.reference, Case.nation, Case.identified_at, Case.missing_risk).where(
            Case.id.in_(list(wanted))
        )
    ).all()
    due: list[DueMeeting] = []
    for case in cases:
        meeting_type, anchor, previous_at, previous_type = wanted[case.id]
        try:
            window = default_window(
                meeting_type=meeting_type,
                nation=case.nation,
                identified_at=case.identified_at,
                at_risk_of_going_missing=case.missing_risk is MissingRisk.HIGH,
                strategy_discussion_at=anchor,
                previous_meeting_at=previous_at,
                previous_meeting_type=previous_type,
                now_at=now_at,
            )
        except TimescaleError:  # not used in the case's nation, or no anchor: nothing is due by a rule
            continue
        if window.deadline_at > horizon or window.earliest_at >= end:
            continue
        if window.deadline_at < now_at - timedelta(days=DUE_OVERDUE_DAYS):
            continue
        risk = MissingRisk(case.missing_risk) if case.missing_risk else None
        due.append(
            DueMeeting(
                case_id=case.id,
                case_reference=case.reference,
                meeting_type=meeting_type,
                risk=risk,
                priority=TYPE_PRIORITY.get(meeting_type, 1) + (RISK_PRIORITY.get(risk, 0) if risk else 0),
                earliest_at=window.earliest_at,
                deadline_at=window.deadline_at,
                basis=window.basis,
                overdue=window.deadline_at <= now_at,
            )
        )
    return sorted(due, key=lambda d: (-d.priority, d.deadline_at, d.case_reference))


def start_due_meetings(user: User, due: list[DueMeeting]) -> list[Conference]:
    """Start arranging each due meeting as a draft with its default window and the seats and candidates from the
    directory (the same service as "Arrange a meeting" on the case page), so the plan can place it."""
    started: list[Conference] = []
    for meeting in due:
        case = db.session.get(Case, meeting.case_id)
        if case is None:
            continue
        try:
            conference = convening_request.start_conference(user, case, meeting.meeting_type)
        except (convening.ConveningError, ValueError):
            continue  # a meeting type the case cannot have (its nation, the pilot): the case page says why
        if meeting.overdue:  # keep its own (passed) deadline, so the plan gives it the whole period, marked overdue
            assert conference.earliest_start_at is not None
            convening_request.set_window(
                user, conference, conference.earliest_start_at, meeting.deadline_at, conference.duration_minutes
            )
        started.append(conference)
    return started
