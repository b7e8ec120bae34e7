"""The decisions side of the demo history (``conference.demo_history``): for each held meeting the chair's
record (attendance as it happened, information, the child's views, elements, the outcome), signed off as
version 1 and sometimes amended as version 2; the actions agreed, a few now overdue; and each case's NRM
referral with its reasonable grounds and conclusive grounds decisions, some late.

Signed versions are built with the same snapshot and canonical JSON as a real sign-off
(``decisions.sign_off.services.build_snapshot``), so the minutes, the PDF and the version comparison work on them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from conference.cases.models import CaseEvent, CaseStatus
from conference.convening.models import Conference, ConferenceStatus
from conference.extensions import db
from decisions.common import canonical_json
from decisions.models import (
    ActionStatus,
    AttendanceEntry,
    DecisionAction,
    DecisionRecord,
    DecisionVersion,
    NrmReferral,
    RecordStatus,
)
from decisions.sign_off.services import build_snapshot
from rules.clock import LONDON, add_working_days
from rules.nrm_tracker import earliest_conclusive_grounds_on, reasonable_grounds_due_on
from rules.outcomes import STRATEGY_TYPES
from rules.quorum import AttendanceStatus, RegisterEntry, check_quorum
from rules.vocabulary import MeetingType, Seat

if TYPE_CHECKING:
    from conference.demo_history import MeetingPlan, PlannedSeat, _Builder

ATTENDANCE = {
    "accept_room": AttendanceStatus.PRESENT_IN_ROOM,
    "accept_remote": AttendanceStatus.PRESENT_REMOTELY,
    "deputy": AttendanceStatus.DEPUTY_PRESENT,
    "written": AttendanceStatus.WRITTEN_SUBMISSION,
    "declined": AttendanceStatus.APOLOGIES,
    "no_show": AttendanceStatus.APOLOGIES,
}
TRAFFICKING_ELEMENTS = {
    "acts": ["recruitment", "transport", "harbouring"],
    "movement_within_uk": True,
    "act_details": "Moved between addresses by adults who are not family.",
    "means": ["threat_force_coercion", "abuse_of_power_or_vulnerability"],
    "means_details": "Told a debt must be worked off.",
    "exploitation_types": ["types-of-exploitation-forced-to-commit-crime"],
    "other_exploitation_details": "",
    "purpose_details": "Made to carry drugs and cash.",
    "where": "uk",
}
NO_ELEMENTS = {
    "acts": [],
    "movement_within_uk": False,
    "act_details": "",
    "means": [],
    "means_details": "",
    "exploitation_types": [],
    "other_exploitation_details": "",
    "purpose_details": "",
    "where": "",
}


def _london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _outcome(plan: MeetingPlan, builder: _Builder) -> dict[str, Any]:
    rng = builder.rng
    chosen = dict(plan.outcome)
    social_worker = next((s.person.name for s in plan.seats if s.role is Seat.SOCIAL_CARE), "Riley Brightwater")
    if plan.meeting_type in STRATEGY_TYPES:
        outcome = chosen.get("outcome") or "trafficking_concern"
        chosen = {"start_enquiries": "yes" if outcome != "more_information_needed" else "no", "outcome": outcome}
        if outcome == "trafficking_concern":
            chosen |= {
                "nrm_referral": "yes",
                "first_responder_organisation": "Northbridge Children's Services",
                "first_responder_name": social_worker,
            }
        elif outcome == "more_information_needed":
            chosen["reconvene_on"] = (_london_day(plan.start_at) + timedelta(days=7)).isoformat()
        chosen["rationale"] = "Police and social care shared information that meets the threshold for enquiries."
    elif plan.meeting_type is MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        decided = chosen.get("outcome", "rg_positive")
        votes = {role: decided for role in ("social_care", "health", "police")}
        if rng.random() < 0.3:
            votes["health"] = "abstain"
        chosen["votes"] = votes
        chosen["rationale"] = "The elements of trafficking are present on the information before the panel."
    else:
        chosen["rationale"] = "The agencies agreed the plan keeps the child safe and is working."
    chosen["suspected_of_offences"] = "yes" if rng.random() < 0.3 else "no"
    if chosen["suspected_of_offences"] == "yes":
        chosen["non_punishment_flag"] = "yes"
    if rng.random() < 0.15:
        chosen["dissent"] = [{"agency": "health", "reason": "Wanted the health assessment first."}]
    return chosen


def _entry(seat: PlannedSeat, position: int) -> AttendanceEntry:
    status = ATTENDANCE[seat.outcome]
    return AttendanceEntry(
        role=seat.role,
        position=position,
        status=status,
        person_name=seat.person.name,
        deputy_name=seat.deputy.name if seat.deputy is not None and status is AttendanceStatus.DEPUTY_PRESENT else "",
        submission_summary="Written submission received before the meeting and read out."
        if status is AttendanceStatus.WRITTEN_SUBMISSION
        else "",
    )


def record_history(conference: Conference, plan: MeetingPlan, builder: _Builder, *, signed: bool = True) -> None:
    """The chair's record of one held meeting: signed (every fifth one amended), or left as a draft."""
    from conference.demo_history import INFORMATION

    rng, now = builder.rng, builder.now
    ended_at = conference.end_at or plan.start_at
    signed = signed and builder.chair_user is not None
    record = DecisionRecord(
        conference_id=conference.id, case_id=conference.case_id, sections={}, created_at=ended_at, updated_at=ended_at
    )
    db.session.add(record)
    for position, seat in enumerate(plan.seats):
        record.attendance.append(_entry(seat, position))
    trafficking = builder.case_info[plan.case.id]["trafficking"]
    information = {
        s.role.value: INFORMATION[s.role] for s in plan.seats if s.role in INFORMATION and s.outcome != "declined"
    }
    sections: dict[str, Any] = {
        "information": information,
        "child_views": {
            "sought": "yes",
            "views": "Wants to stay with the foster carer and go to school.",
            "why_not": "",
        },
        "elements": TRAFFICKING_ELEMENTS if trafficking else NO_ELEMENTS,
        "outcome": _outcome(plan, builder),
    }
    register = [RegisterEntry(e.role, e.status, e.person_name, e.deputy_name) for e in record.attendance]
    quorum = check_quorum(conference.meeting_type, conference.nation, register)
    if not quorum.met:
        chair = conference.chair.name if conference.chair else "The chair"
        sections["quorum"] = {
            "continue_without_quorum": True,
            "confirmed_by": chair,
            "reason": "The child's safety could not wait; the absent agency was briefed after.",
        }
    record.sections = sections
    if plan.meeting_type is not MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        _actions(record, plan, builder, ended_at)
    db.session.flush()
    if plan.meeting_type is MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        builder.case_info[plan.case.id]["rg"] = (_london_day(plan.start_at), plan.outcome.get("outcome"))
    if not signed or builder.chair_user is None:
        record.version = 3
        return
    signed_at = ended_at + timedelta(hours=rng.uniform(1, 20))
    _sign(conference, record, builder, 1, "", signed_at)
    amended_at = signed_at + timedelta(days=rng.randint(1, 6))
    builder.signed_count += 1
    if builder.signed_count % 5 == 3 and amended_at < now:
        reason = rng.choice(
            (
                "The police information was updated after the visit.",
                "The child's views were added after the guardian's visit.",
                "A health action was missing from the plan.",
            )
        )
        sections = dict(record.sections)
        sections["information"] = dict(information)
        sections["information"]["police"] = INFORMATION[Seat.POLICE] + " The address has since been closed."
        sections["child_views"] = {
            **sections["child_views"],
            "views": sections["child_views"]["views"] + " Would like to see her brother.",
        }
        record.sections = sections
        _sign(conference, record, builder, 2, reason, amended_at)
        builder.bump("amendments")
    record.status = RecordStatus.SIGNED
    record.version = 4 + 2 * record.signed_version
    builder.bump("signed decisions")


def _sign(
    conference: Conference, record: DecisionRecord, builder: _Builder, number: int, reason: str, signed_at: datetime
) -> None:
    user = builder.chair_user
    assert user is not None
    kind = "amendment" if number > 1 else "signed"
    snapshot = build_snapshot(conference, record, user, number=number, kind=kind, reason=reason, signed_at=signed_at)
    content = canonical_json(snapshot)
    db.session.add(
        DecisionVersion(
            record_id=record.id,
            number=number,
            kind=kind,
            reason=reason,
            content=content,
            content_sha256=hashlib.sha256(content.encode()).hexdigest(),
            signed_by_id=user.id,
            signed_at=signed_at,
        )
    )
    record.signed_version = number
    record.updated_by_id = user.id
    record.updated_at = signed_at
    db.session.add(
        CaseEvent(
            case_id=record.case_id,
            occurred_at=signed_at,
            kind="decision",
            actor_user_id=user.id,
            summary=f"Decision for meeting {conference.reference} signed off (version {number})",
        )
    )


def _actions(record: DecisionRecord, plan: MeetingPlan, builder: _Builder, ended_at: datetime) -> None:
    from conference.demo_history import ACTIONS

    rng, now = builder.rng, builder.now
    seats = {s.role: s for s in plan.seats}
    closed = plan.case.status is CaseStatus.CLOSED
    for role, description in rng.sample(ACTIONS, rng.randint(1, 2)):
        seat = seats.get(role) or seats.get(Seat.SOCIAL_CARE)
        if seat is None:
            continue
        due_on = _london_day(ended_at) + timedelta(days=rng.randint(2, 21))
        due_at = datetime.combine(due_on, time(17), LONDON).astimezone(UTC)
        if due_at < now:
            status = ActionStatus.DONE
        else:
            status = rng.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
        action = DecisionAction(
            case_id=record.case_id,
            description=description,
            owner_person_id=seat.person.id,
            owner=seat.person,
            agency_id=seat.agency.id,
            agency=seat.agency,
            due_at=due_at,
            status=status,
            created_by_id=builder.chair_user.id if builder.chair_user else None,
            created_at=ended_at,
        )
        record.actions.append(action)
        if due_at < now and not closed:
            builder.past_due.append(action)
        builder.bump("actions")


def make_some_overdue(builder: _Builder) -> None:
    """About one in eight of the actions now past their date on open cases was not done: overdue (at least 3)."""
    past_due = sorted(builder.past_due, key=lambda a: (a.due_at, a.description))
    wanted = min(len(past_due), max(3, len(past_due) // 8))
    for action in builder.rng.sample(past_due, wanted):
        action.status = builder.rng.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
    db.session.flush()


def record_referrals(builder: _Builder) -> None:
    """Each trafficking case's NRM referral, with the decisions as recorded so far."""
    rng, today = builder.rng, builder.today
    undecided = 0
    cg_recorded = False
    for case in builder.cases:
        info = builder.case_info[case.id]
        referred_on: date | None = info.get("referred_on")
        if referred_on is None:
            continue
        referral = NrmReferral(
            case_id=case.id,
            answers={},
            referred_on=referred_on,
            reference=f"NRM-DEMO-{case.reference[-4:]}",
            submitted_by_id=builder.coordinator.id if builder.coordinator else None,
        )
        due_on = reasonable_grounds_due_on(referred_on, case.nation)
        rg: tuple[date, str] | None = info.get("rg")
        undecided += rg is None
        if rg is None and undecided % 3 != 1:  # every third still waits: those older than 5 working days are late
            # Decided by the Single Competent Authority, sometimes after the 5 working days.
            decided_on = add_working_days(referred_on, rng.choice((2, 3, 4, 5, 5, 7, 9)), case.nation)
            if decided_on < today:
                rg = (decided_on, "rg_positive" if rng.random() < 0.9 else "rg_negative")
        if rg is not None and rg[0] < today:
            referral.rg_decided_on, referral.rg_outcome = rg
            earliest = earliest_conclusive_grounds_on(rg[0])
            cg_on = earliest + timedelta(days=rng.randint(5, 30))
            decide = not cg_recorded or case.status is CaseStatus.CLOSED or rng.random() < 0.3
            if rg[1] == "rg_positive" and decide and cg_on < today:
                cg_recorded = True
                referral.cg_decided_on = cg_on
                referral.cg_outcome = rng.choice(("cg_positive_trafficking", "cg_positive_trafficking", "cg_negative"))
        db.session.add(referral)
        db.session.add(
            CaseEvent(
                case_id=case.id,
                occurred_at=datetime.combine(referred_on, time(15), LONDON),
                kind="nrm",
                summary="NRM referral submitted",
            )
        )
        if referral.rg_decided_on is None and today > due_on:
            info["late"] = True
        builder.bump("NRM referrals")


__all__ = ["ConferenceStatus", "record_history", "record_referrals"]
