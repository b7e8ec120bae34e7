"""Safety use cases: start the checklist, update an item, record a missing episode, the return, the return
interview, and reconvene a strategy discussion. Each writes its change and its audit row in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from conference.audit import record_event, record_view
from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.services import add_case_event, register_on_case_opened
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference
from conference.convening.request import start_conference
from conference.db import utcnow
from conference.directory.models import Agency
from conference.extensions import db
from conference.safety.models import MissingEpisode, SafetyCheck
from conference.safety.notices import tell_partners_of_missing_episode
from rules.display import date_and_time
from rules.safety import CHECKLIST, PoliceRisk, SafetyStatus, checklist_due_at, reconvene_window
from rules.vocabulary import MeetingType, types_for_nation

#: The shortest window a reconvened discussion is given to find a time in (as ``start_conference`` does).
MINIMUM_WINDOW = timedelta(hours=2)


class SafetyError(ValueError):
    """An action that cannot be done; the message says why, in words a person can act on."""


# --- the checklist ---------------------------------------------------------------------------------------------


def start_safety_checklist(user: User, case: Case) -> list[SafetyCheck]:
    """The checklist for a newly opened case: every item, due from identification, owned by the area's agency of
    the right kind (the first by name; none if the area has no such agency).

    Part of opening the case: its audit row is the case's ``case.create`` (one action, one row)."""
    agencies = db.session.scalars(
        select(Agency).where(Agency.local_authority_id == case.local_authority_id).order_by(Agency.name)
    ).all()
    owner_by_kind: dict[str, uuid.UUID] = {}
    for agency in agencies:
        owner_by_kind.setdefault(str(agency.kind), agency.id)
    if user.agency is not None:
        owner_by_kind[str(user.agency.kind)] = user.agency_id
    checks = []
    for position, (item, rule) in enumerate(CHECKLIST.items()):
        check = SafetyCheck(
            case_id=case.id,
            item=item,
            position=position,
            owner_agency_id=owner_by_kind.get(str(rule.owner)),
            due_at=checklist_due_at(item, case.identified_at),
            status=SafetyStatus.TO_DO,
            note="",
        )
        db.session.add(check)
        checks.append(check)
    db.session.flush()
    return checks


register_on_case_opened(start_safety_checklist)


def start_missing_checklist(user: User, case: Case) -> None:
    """The checklist for a case opened before checklists existed (due times still count from identification)."""
    if db.session.scalars(select(SafetyCheck.id).where(SafetyCheck.case_id == case.id)).first() is not None:
        raise SafetyError("This case already has a safety checklist.")
    checks = start_safety_checklist(user, case)
    record_event(
        db.session,
        "safety.checklist.create",
        object_type="case",
        object_id=case.id,
        detail={"items": len(checks)},
        actor=user,
    )


@dataclass(frozen=True)
class CheckUpdate:
    status: SafetyStatus
    owner_agency_id: uuid.UUID | None
    note: str


def update_safety_check(user: User, case: Case, check: SafetyCheck, update: CheckUpdate) -> None:
    if check.case_id != case.id:
        raise SafetyError("That item is not on this case's checklist.")
    before = {"status": check.status.value, "owner_agency_id": str(check.owner_agency_id or "")}
    check.status = update.status
    check.owner_agency_id = update.owner_agency_id
    check.note = update.note
    check.updated_by_id = user.id
    record_event(
        db.session,
        "safety.check.update",
        object_type="safety_check",
        object_id=check.id,
        detail={
            "case_id": str(case.id),
            "item": check.item.value,
            "before": before,
            "after": {"status": update.status.value, "owner_agency_id": str(update.owner_agency_id or "")},
            "note_changed": True,
        },
        actor=user,
    )
    if update.status.finished and before["status"] != update.status.value:
        add_case_event(case, "safety", f"Safety checklist: {check.label} – {update.status.label.lower()}", user)


# --- missing episodes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEpisode:
    last_seen_at: datetime
    reported_at: datetime
    police_reference: str
    risk: PoliceRisk


def record_missing_episode(user: User, case: Case, details: NewEpisode) -> MissingEpisode:
    """Record that the child is missing, put it on the timeline and tell the partner agencies (no child named)."""
    if details.reported_at < details.last_seen_at:
        raise SafetyError("The time of the report to the police must be after the child was last seen")
    episode = MissingEpisode(
        case_id=case.id,
        last_seen_at=details.last_seen_at,
        reported_at=details.reported_at,
        police_reference=details.police_reference,
        risk=details.risk,
        created_by_id=user.id,
    )
    db.session.add(episode)
    db.session.flush()
    add_case_event(
        case,
        "missing",
        f"Missing episode: last seen {date_and_time(details.last_seen_at)}, reported to the police "
        f"(police risk grading: {details.risk.label.lower()})",
        user,
        details.last_seen_at,
    )
    told = tell_partners_of_missing_episode(case, episode, acting_agency_id=user.agency_id)
    record_event(
        db.session,
        "safety.missing.record",
        object_type="missing_episode",
        object_id=episode.id,
        detail={"case_id": str(case.id), "risk": details.risk.value, "agencies_told": told},
        actor=user,
    )
    return episode


def record_episode_view(user: User, episode: MissingEpisode) -> None:
    record_view(
        db.session,
        "safety.missing.view",
        object_type="missing_episode",
        object_id=episode.id,
        detail={"case_id": str(episode.case_id)},
        actor=user,
    )


def record_return(
    user: User, case: Case, episode: MissingEpisode, found_at: datetime, found_where: str, interview_by: str
) -> None:
    if episode.case_id != case.id:
        raise SafetyError("That missing episode is not on this case.")
    if episode.found_at is not None:
        raise SafetyError("The return has already been recorded for this episode.")
    if found_at < episode.last_seen_at:
        raise SafetyError("The time the child was found must be after the child was last seen")
    episode.record_return(found_at, found_where, interview_by)
    add_case_event(case, "returned", f"Child found or returned ({found_where})", user, found_at)
    record_event(
        db.session,
        "safety.missing.return",
        object_type="missing_episode",
        object_id=episode.id,
        detail={"case_id": str(case.id)},
        actor=user,
    )


def record_return_interview(user: User, case: Case, episode: MissingEpisode, done_at: datetime) -> None:
    if episode.case_id != case.id:
        raise SafetyError("That missing episode is not on this case.")
    if episode.found_at is None:
        raise SafetyError("Record the child's return before the return-home interview.")
    if done_at < episode.found_at:
        raise SafetyError("The return-home interview must be after the child returned")
    episode.return_interview_done_at = done_at
    add_case_event(case, "return_interview", "Return-home interview held", user, done_at)
    record_event(
        db.session,
        "safety.missing.return_interview",
        object_type="missing_episode",
        object_id=episode.id,
        detail={"case_id": str(case.id)},
        actor=user,
    )


def _strategy_type(case: Case) -> MeetingType:
    types = types_for_nation(case.nation)
    for meeting_type in (
        MeetingType.STRATEGY_DISCUSSION,
        MeetingType.STRATEGY_DISCUSSION_NI,
        MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
    ):
        if meeting_type in types:
            return meeting_type
    raise SafetyError("No strategy discussion is used in this case's nation.")


def reconvene_from_episode(user: User, case: Case, episode: MissingEpisode) -> Conference:
    """Ask for a new strategy discussion (or IRD) with the deadline the episode's risk sets."""
    if episode.case_id != case.id:
        raise SafetyError("That missing episode is not on this case.")
    if episode.conference_id is not None:
        raise SafetyError("A strategy discussion has already been requested for this missing episode.")
    conference = start_conference(user, case, _strategy_type(case))
    window = reconvene_window(episode.risk, case.nation, episode.reported_at)
    now = utcnow()
    conference.earliest_start_at = now
    # A deadline already past (an episode recorded late) still leaves the scheduler a window to search.
    conference.deadline_at = max(window.deadline_at, now + MINIMUM_WINDOW)
    arrangement = db.session.scalars(
        select(ConferenceArrangement).where(ConferenceArrangement.conference_id == conference.id)
    ).one()
    # Shown on the timescale page instead of the default window counted from identification.
    arrangement.window_basis = f"Suggested deadline: {date_and_time(conference.deadline_at)}. {window.basis}"
    episode.conference_id = conference.id
    record_event(
        db.session,
        "safety.missing.reconvene",
        object_type="missing_episode",
        object_id=episode.id,
        detail={"case_id": str(case.id), "conference_id": str(conference.id), "risk": episode.risk.value},
        actor=user,
    )
    return conference
