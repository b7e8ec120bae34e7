"""Decision use cases: open the record, save sections with optimistic concurrency, attendance and actions,
sign off with re-authentication, amend, compare versions, notices and disclosures, the NRM referral.

Every save is ``UPDATE decision_records ... WHERE id = :id AND version = :version`` with a rowcount check
(REL-1). Each section also keeps the record version at which it last changed (``sections["_changed"]``): a save
whose loaded version is stale but whose section nobody else has changed since merges safely; otherwise the
person gets a conflict view and what they typed is kept as a ``DecisionConflict`` and audited.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from conference.audit import keep_after_rollback, record_event
from conference.auth import mfa
from conference.auth.models import Role, User
from conference.auth.passwords import verify_password
from conference.cases.models import Case
from conference.cases.services import add_case_event
from conference.convening.models import Conference
from conference.db import utcnow
from conference.directory.models import Agency, Person
from conference.extensions import db
from decisions import queries
from decisions.letters import check_letter
from decisions.models import (
    ActionStatus,
    AttendanceEntry,
    DecisionAction,
    DecisionConflict,
    DecisionRecord,
    DecisionVersion,
    Disclosure,
    IdempotencyKey,
    NrmDecisionLetter,
    NrmReferral,
    RecordStatus,
)
from rules.clock import LONDON
from rules.elements import ElementsRecord, summarise_elements
from rules.indicators import CURRENT_VERSION, IndicatorTick
from rules.nrm_tracker import track_nrm
from rules.outcomes import NRM_REFERRAL_OUTCOMES, FieldError, validate_outcome
from rules.quorum import AttendanceStatus, QuorumResult, RegisterEntry, check_quorum
from rules.vocabulary import CHAIR_IS_LEAD_SOCIAL_WORKER, AgencyKind, MeetingType, Seat, pilot_scope_problems

SECTIONS = ("attendance", "quorum", "information", "child_views", "elements", "indicators", "outcome", "actions")
CHANGED = "_changed"
SNAPSHOT_SCHEMA = 1


class DecisionError(ValueError):
    """A refusal a person can act on; the message says what to do."""


@dataclass
class SaveConflict(Exception):
    """Someone else saved this section first. Both texts are kept; nothing is lost."""

    section: str
    mine: Any
    saved: Any
    saved_version: int
    conflict_id: uuid.UUID


@dataclass
class ReauthFailed(Exception):
    field: str
    message: str


# --- the record -------------------------------------------------------------------------------------------


def open_record(conference: Conference) -> DecisionRecord:
    """The conference's record, created on first use. Safe when two people open it at once."""
    existing = queries.find_record(conference.id)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            record = DecisionRecord(conference_id=conference.id, case_id=conference.case_id, sections={})
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        return queries.get_record(conference.id)
    record_event(
        db.session,
        "decision.open",
        object_type="decision",
        object_id=record.id,
        detail={"conference_id": str(conference.id)},
    )
    return record


def find_or_new_record(conference: Conference) -> DecisionRecord:
    """The conference's record, or an unsaved empty one to show: a page that only reads creates nothing."""
    existing = queries.find_record(conference.id)
    if existing is not None:
        return existing
    return DecisionRecord(
        conference_id=conference.id,
        case_id=conference.case_id,
        sections={},
        version=1,
        status=RecordStatus.DRAFT,
        signed_version=0,
        amendment_reason="",
    )


def may_write_record(user: User, record: DecisionRecord) -> bool:
    """The chair writes the record; a coordinator only when the chair named them recorder for this conference."""
    role = Role(user.role)
    if role is Role.CHAIR:
        return True
    return role is Role.COORDINATOR and record.recorder_user_id is not None and record.recorder_user_id == user.id


def agency_roles(conference: Conference, user: User) -> list[Seat]:
    """The conference roles filled by people of the user's agency: the information they may add."""
    roles = {a.seat.role for a in conference.attendees if a.person.agency_id == user.agency_id}
    return [seat.role for seat in sorted(conference.roles, key=lambda s: s.position) if seat.role in roles]


def find_recorder_choices(conference: Conference) -> list[User]:
    """Coordinators of the case's area, whom the chair may name as recorder."""
    return list(
        db.session.scalars(
            select(User)
            .join(Agency, User.agency_id == Agency.id)
            .where(
                User.role == Role.COORDINATOR,
                User.is_active.is_(True),
                Agency.local_authority_id == conference.case.local_authority_id,
            )
            .order_by(User.display_name)
        )
    )


def name_recorder(record: DecisionRecord, recorder: User | None, chair: User) -> None:
    """The chair names a coordinator to write the record for this conference (or takes it back). Audited."""
    _require_editable(record)
    record.recorder_user_id = recorder.id if recorder is not None else None
    record_event(
        db.session,
        "decision.recorder_named",
        object_type="decision",
        object_id=record.id,
        detail={"recorder_user_id": str(recorder.id) if recorder else None, "by": str(chair.id)},
    )


def _fresh(record: DecisionRecord) -> DecisionRecord:
    db.session.refresh(record)
    return record


def _require_editable(record: DecisionRecord) -> None:
    if record.status == RecordStatus.SIGNED:
        raise DecisionError("This decision is signed off. Start an amendment to change it.")


def _conditional_update(record: DecisionRecord, expected_version: int, **values: Any) -> bool:
    statement = (
        update(DecisionRecord)
        .where(DecisionRecord.id == record.id, DecisionRecord.version == expected_version)
        .values(version=expected_version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    rowcount = int(db.session.execute(statement).rowcount)  # type: ignore[attr-defined]
    db.session.refresh(record)
    return rowcount == 1


def _bump_version(record: DecisionRecord, user: User) -> None:
    """A child row changed (REL-2): the parent's version moves on, so stale forms of other people conflict."""
    statement = (
        update(DecisionRecord)
        .where(DecisionRecord.id == record.id)
        .values(version=DecisionRecord.version + 1, updated_at=utcnow(), updated_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(statement)
    db.session.refresh(record)


def _section_changed_at(record: DecisionRecord, section: str) -> int:
    return int((record.sections or {}).get(CHANGED, {}).get(section, 0))


def _keep_conflict(
    record: DecisionRecord, user: User, section: str, base_version: int, mine: Any, saved: Any
) -> SaveConflict:
    """The loser's text is kept (a ``DecisionConflict``) and audited, even though the refused save rolls back."""
    conflict_id = uuid.uuid4()
    record_id, user_id, saved_version = record.id, user.id, record.version

    def keep() -> None:
        db.session.add(
            DecisionConflict(
                id=conflict_id,
                record_id=record_id,
                user_id=user_id,
                section=section,
                base_version=base_version,
                saved_version=saved_version,
                attempted=mine,
            )
        )
        db.session.flush()
        record_event(
            db.session,
            "decision.save_conflict",
            object_type="decision",
            object_id=record_id,
            outcome="conflict",
            detail={
                "section": section,
                "base_version": base_version,
                "saved_version": saved_version,
                "conflict_id": str(conflict_id),
            },
        )

    keep_after_rollback(keep)
    return SaveConflict(section, mine, saved, record.version, conflict_id)


def save_section(record: DecisionRecord, section: str, value: Any, base_version: int, user: User) -> int:
    """Save one section. Returns the new version. Raises `SaveConflict` or `DecisionError`."""
    if section not in SECTIONS or section in ("attendance", "actions"):
        raise ValueError(f"unknown section {section!r}")
    for _attempt in range(3):
        _fresh(record)
        _require_editable(record)
        current = record.version
        if current != base_version and _section_changed_at(record, section) > base_version:
            raise _keep_conflict(record, user, section, base_version, value, (record.sections or {}).get(section))
        sections = dict(record.sections or {})
        changed = dict(sections.get(CHANGED, {}))
        changed[section] = current + 1
        sections[section] = value
        sections[CHANGED] = changed
        if _conditional_update(record, current, sections=sections, updated_by_id=user.id):
            record_event(
                db.session,
                "decision.save",
                object_type="decision",
                object_id=record.id,
                detail={"section": section, "version": record.version},
            )
            return record.version
    # Lost three races in a row for other sections: treat as a conflict so that nothing is lost.
    raise _keep_conflict(_fresh(record), user, section, base_version, value, (record.sections or {}).get(section))


@dataclass(frozen=True)
class AttendanceLine:
    role: Seat
    status: AttendanceStatus
    person_name: str = ""
    deputy_name: str = ""
    submission_summary: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "role": self.role.value,
            "status": self.status.value,
            "person_name": self.person_name,
            "deputy_name": self.deputy_name,
            "submission_summary": self.submission_summary,
        }


def attendance_lines(record: DecisionRecord) -> list[AttendanceLine]:
    return [
        AttendanceLine(e.role, e.status, e.person_name, e.deputy_name, e.submission_summary) for e in record.attendance
    ]


def save_attendance(record: DecisionRecord, lines: Sequence[AttendanceLine], base_version: int, user: User) -> int:
    """Replace the attendance register; the parent version moves on (conditional on the loaded version)."""
    _fresh(record)
    _require_editable(record)
    mine = [line.as_dict() for line in lines]
    current = record.version
    if current != base_version and _section_changed_at(record, "attendance") > base_version:
        raise _keep_conflict(
            record, user, "attendance", base_version, mine, [line.as_dict() for line in attendance_lines(record)]
        )
    sections = dict(record.sections or {})
    sections[CHANGED] = {**sections.get(CHANGED, {}), "attendance": current + 1}
    if not _conditional_update(record, current, sections=sections, updated_by_id=user.id):
        raise _keep_conflict(
            record, user, "attendance", base_version, mine, [line.as_dict() for line in attendance_lines(record)]
        )
    db.session.execute(delete(AttendanceEntry).where(AttendanceEntry.record_id == record.id))
    for position, line in enumerate(lines):
        db.session.add(
            AttendanceEntry(
                record_id=record.id,
                role=line.role,
                position=position,
                status=line.status,
                person_name=line.person_name,
                deputy_name=line.deputy_name,
                submission_summary=line.submission_summary,
            )
        )
    db.session.flush()
    db.session.expire(record, ["attendance"])
    record_event(
        db.session,
        "decision.save",
        object_type="decision",
        object_id=record.id,
        detail={"section": "attendance", "version": record.version},
    )
    return record.version


def quorum_for(conference: Conference, record: DecisionRecord) -> QuorumResult | None:
    if not record.attendance:
        return None
    register = [RegisterEntry(e.role, e.status, e.person_name, e.deputy_name) for e in record.attendance]
    return check_quorum(conference.meeting_type, conference.nation, register)


# --- actions ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: Person
    due_at: datetime


def add_action(record: DecisionRecord, details: NewAction, user: User) -> DecisionAction:
    _fresh(record)
    _require_editable(record)
    action = DecisionAction(
        record_id=record.id,
        case_id=record.case_id,
        description=details.description,
        owner_person_id=details.owner.id,
        agency_id=details.owner.agency_id,
        due_at=details.due_at,
        created_by_id=user.id,
    )
    db.session.add(action)
    db.session.flush()
    _bump_version(record, user)
    record_event(
        db.session,
        "decision.action.create",
        object_type="action",
        object_id=action.id,
        detail={"decision_id": str(record.id)},
    )
    return action


def set_action_status(record: DecisionRecord, action: DecisionAction, status: ActionStatus, user: User) -> None:
    """Progress on an action is recorded at any time, also after sign-off (the signed plan stays as it was)."""
    action.status = status
    db.session.flush()
    _bump_version(record, user)
    record_event(
        db.session, "decision.action.status", object_type="action", object_id=action.id, detail={"status": status.value}
    )


# --- idempotency (REL-3) ----------------------------------------------------------------------------------


class IdempotencyReplay(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class IdempotencyMismatch(Exception):
    """The same key was used with a different form: refuse (422)."""


class IdempotencyInFlight(Exception):
    """The first request with this key has not finished (409)."""


def body_hash(form: Mapping[str, Any]) -> str:
    body = {k: form[k] for k in sorted(form) if k not in ("csrf_token", "idempotency_key")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def claim_idempotency_key(user: User, key: str, digest: str) -> IdempotencyKey:
    """Claim a create form's key in this transaction; a replay raises with the first response's location."""
    try:
        with db.session.begin_nested():
            row = IdempotencyKey(user_id=user.id, key=key, body_hash=digest)
            db.session.add(row)
            db.session.flush()
        return row
    except IntegrityError:
        existing = db.session.scalars(
            select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
        ).first()
        if existing is None:
            raise IdempotencyInFlight() from None
        if existing.body_hash != digest:
            raise IdempotencyMismatch() from None
        if not existing.response_location:
            raise IdempotencyInFlight() from None
        raise IdempotencyReplay(existing.response_location) from None


# --- sign-off, amendments, versions -----------------------------------------------------------------------


def sign_off_problems(conference: Conference, record: DecisionRecord, *, today: date | None = None) -> list[FieldError]:
    """What must be done before sign-off, each linking to its section."""
    sections = record.sections or {}
    problems: list[FieldError] = []
    if not record.attendance:
        problems.append(FieldError("attendance", "Record the attendance register"))
    else:
        result = quorum_for(conference, record)
        if result is not None and not result.met and not sections.get("quorum", {}).get("continue_without_quorum"):
            problems.append(FieldError("quorum", "Quorum is not met: confirm that the meeting continued without it"))
    if "child_views" not in sections:
        problems.append(FieldError("child_views", "Record the child's views and wishes, or why they were not sought"))
    if "elements" not in sections:
        problems.append(FieldError("elements", "Record the trafficking elements"))
    outcome = sections.get("outcome")
    if outcome is None:
        problems.append(FieldError("outcome", "Record the outcome"))
    elif validate_outcome(conference.meeting_type, conference.nation, outcome_for_validation(outcome), today=today):
        problems.append(FieldError("outcome", "Complete the outcome: some answers are missing or need changing"))
    if conference.meeting_type == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        problems += _panel_problems(conference, today)
    return problems


def _panel_problems(conference: Conference, today: date | None) -> list[FieldError]:
    """The devolved pilot's own rules: the child is in scope, and the chair is not the lead social worker."""
    from conference.convening.models import Attendee, ConferenceRole

    case = db.session.get(Case, conference.case_id)
    problems: list[FieldError] = []
    if case is not None:
        refusals, _warnings = pilot_scope_problems(
            age_disputed=case.age_disputed,
            born_on=case.child_born_on,
            estimated_age=case.child_estimated_age,
            on=today or utcnow().astimezone(LONDON).date(),
        )
        problems += [FieldError("outcome", message) for message in refusals]
    if conference.chair_person_id is not None:
        social_workers = db.session.scalars(
            select(Attendee.person_id)
            .join(ConferenceRole, ConferenceRole.id == Attendee.conference_role_id)
            .where(Attendee.conference_id == conference.id, ConferenceRole.role == Seat.SOCIAL_CARE)
        ).all()
        if conference.chair_person_id in social_workers:
            problems.append(FieldError("attendance", CHAIR_IS_LEAD_SOCIAL_WORKER))
    return problems


def outcome_for_validation(outcome: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outcome.items() if v not in (None, "")}


REAUTH_FAILED = "Enter your password and the code from your authenticator app correctly"


def reauthenticate(user: User, password: str, code: str) -> None:
    """Password and a fresh authenticator code, again. Raises `ReauthFailed` with one message whichever was wrong
    (audited without naming the factor); each failure counts towards the account lock."""
    from conference.auth.services import record_failed_attempt

    password_ok = bool(password) and verify_password(user.password_hash, password)
    secret = (
        mfa.decrypt_secret(user.totp_secret_encrypted or "", current_app.config["SECRET_KEY"])
        if user.totp_secret_encrypted
        else None
    )
    step = mfa.verify_code(secret, code, user.totp_last_step) if secret else None
    if not password_ok or step is None:
        record_failed_attempt(user, "decision.reauth_failed")
        raise ReauthFailed("password", REAUTH_FAILED)
    user.totp_last_step = step
    user.failed_logins = 0


def sign_off(
    conference: Conference, record: DecisionRecord, user: User, *, password: str, code: str, base_version: int
) -> DecisionVersion:
    """Re-authenticate, check readiness, and store an immutable signed version (canonical JSON + SHA-256)."""
    _fresh(record)
    if record.status == RecordStatus.SIGNED:
        raise DecisionError("This version is already signed off.")
    problems = sign_off_problems(conference, record)
    if problems:
        raise DecisionError(problems[0].message)
    reauthenticate(user, password, code)
    number = record.signed_version + 1
    kind = "amendment" if number > 1 else "signed"
    reason = record.amendment_reason if number > 1 else ""
    signed_at = utcnow()
    snapshot = build_snapshot(conference, record, user, number=number, kind=kind, reason=reason, signed_at=signed_at)
    content = canonical_json(snapshot)
    if not _conditional_update(
        record,
        base_version,
        status=RecordStatus.SIGNED,
        signed_version=number,
        amendment_reason="",
        updated_by_id=user.id,
    ):
        raise DecisionError("The record changed after you checked it. Check the answers again, then sign off.")
    version = DecisionVersion(
        record_id=record.id,
        number=number,
        kind=kind,
        reason=reason,
        content=content,
        content_sha256=hashlib.sha256(content.encode()).hexdigest(),
        signed_by_id=user.id,
        signed_at=signed_at,
    )
    db.session.add(version)
    db.session.flush()
    record_event(
        db.session,
        "decision.sign_off",
        object_type="decision",
        object_id=record.id,
        detail={"version": number, "sha256": version.content_sha256},
    )
    case = db.session.get(Case, record.case_id)
    assert case is not None
    add_case_event(case, "decision", f"Decision for meeting {conference.reference} signed off (version {number})", user)
    _record_panel_decision(conference, case, snapshot, signed_at.date(), user)
    send_outcome_notices(conference, case, record, version, user)
    return version


def start_amendment(record: DecisionRecord, reason: str, user: User) -> None:
    _fresh(record)
    if record.status != RecordStatus.SIGNED:
        raise DecisionError("Only a signed-off decision can be amended.")
    if not _conditional_update(
        record, record.version, status=RecordStatus.AMENDING, amendment_reason=reason, updated_by_id=user.id
    ):
        raise DecisionError("The record changed while you were amending it. Try again.")
    record_event(
        db.session,
        "decision.amend",
        object_type="decision",
        object_id=record.id,
        detail={"from_version": record.signed_version},
    )


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def build_snapshot(
    conference: Conference,
    record: DecisionRecord,
    user: User,
    *,
    number: int,
    kind: str,
    reason: str,
    signed_at: datetime,
) -> dict[str, Any]:
    sections = {k: v for k, v in (record.sections or {}).items() if k != CHANGED}
    quorum = quorum_for(conference, record)
    elements = elements_record(sections)
    summary = summarise_elements(elements, is_child=True)  # with the record's own catalogue version
    return {
        "schema": SNAPSHOT_SCHEMA,
        "number": number,
        "kind": kind,
        "reason": reason,
        "signed_at": signed_at.isoformat(),
        "signed_by": {"user_id": str(user.id), "name": user.display_name, "agency": user.agency.name},
        "conference": {
            "reference": conference.reference,
            "meeting_type": conference.meeting_type.value,
            "nation": conference.nation.value,
            "start_at": conference.start_at.isoformat() if conference.start_at else None,
            "chair": conference.chair.name if conference.chair else user.display_name,
        },
        "attendance": [line.as_dict() for line in attendance_lines(record)],
        "quorum": {
            "met": bool(quorum and quorum.met),
            "message": quorum.message if quorum else "",
            **sections.get("quorum", {}),
        },
        "information": sections.get("information", {}),
        "child_views": sections.get("child_views", {}),
        "elements": sections.get("elements", {}),
        "indicators": sections.get("indicators", {"catalogue_version": CURRENT_VERSION, "ticks": []}),
        "summary": summary.sentence,
        "outcome": sections.get("outcome", {}),
        "actions": [
            {
                "description": a.description,
                "owner": a.owner.name,
                "agency": a.agency.name,
                "due_at": a.due_at.isoformat(),
                "status": a.status.value,
            }
            for a in record.actions
            if a.status != ActionStatus.CANCELLED
        ],
    }


def elements_record(sections: Mapping[str, Any]) -> ElementsRecord:
    elements = sections.get("elements", {}) or {}
    indicators = sections.get("indicators", {}) or {}
    ticks = tuple(
        IndicatorTick(t["key"], Seat(t["agency"]), t.get("note", ""), t.get("level", "yes"))
        for t in indicators.get("ticks", [])
    )
    return ElementsRecord(
        acts=frozenset(elements.get("acts", [])),
        movement_within_uk=bool(elements.get("movement_within_uk")),
        act_details=elements.get("act_details", ""),
        means=frozenset(elements.get("means", [])),
        means_details=elements.get("means_details", ""),
        exploitation_types=frozenset(elements.get("exploitation_types", [])),
        other_exploitation_details=elements.get("other_exploitation_details", ""),
        purpose_details=elements.get("purpose_details", ""),
        where=elements.get("where", ""),
        indicators=ticks,
        catalogue_version=int(indicators.get("catalogue_version", CURRENT_VERSION)),
    )


def version_snapshot(version: DecisionVersion) -> dict[str, Any]:
    """The signed content, after checking it still matches its SHA-256."""
    if hashlib.sha256(version.content.encode()).hexdigest() != version.content_sha256:
        raise DecisionError(f"Version {version.number} does not match its checksum. Report this to an administrator.")
    value = json.loads(version.content)
    assert isinstance(value, dict)
    return value


@dataclass(frozen=True)
class Change:
    path: str
    before: str
    after: str


def compare_snapshots(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What changed between two versions, field by field (signing details left out)."""
    skip = {"number", "kind", "signed_at", "signed_by", "reason", "schema"}
    left = {k: v for k, v in _flatten(before).items() if k.split(".")[0] not in skip}
    right = {k: v for k, v in _flatten(after).items() if k.split(".")[0] not in skip}
    return [
        Change(path, left.get(path, ""), right.get(path, ""))
        for path in sorted(set(left) | set(right))
        if left.get(path, "") != right.get(path, "")
    ]


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, Mapping):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        if all(not isinstance(v, Mapping | list) for v in value):
            return {prefix: ", ".join(str(v) for v in value)}
        out = {}
        for index, item in enumerate(value, start=1):
            out.update(_flatten(item, f"{prefix}.{index}"))
        return out
    return {prefix: "" if value is None else str(value)}


# --- NRM: panel decisions, referral -----------------------------------------------------------------------


def find_or_create_referral(case: Case) -> NrmReferral:
    referral = queries.find_referral(case.id)
    if referral is None:
        referral = NrmReferral(case_id=case.id, answers={})
        db.session.add(referral)
        db.session.flush()
    return referral


def _record_panel_decision(
    conference: Conference, case: Case, snapshot: Mapping[str, Any], decided_on: date, user: User
) -> None:
    if conference.meeting_type != MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        return
    outcome = snapshot.get("outcome", {})
    stage, key = outcome.get("stage"), outcome.get("outcome")
    referral = queries.find_referral(case.id)
    if referral is None or referral.referred_on is None:
        return  # the tracker needs the referral date first; the decision stays in the minutes
    try:
        record_nrm_decision(case, str(stage), decided_on, str(key), user)
    except DecisionError:
        return


def record_nrm_decision(case: Case, stage: str, decided_on: date, outcome: str, user: User) -> NrmReferral:
    referral = find_or_create_referral(case)
    rg_on, rg_outcome = referral.rg_decided_on, referral.rg_outcome
    cg_on, cg_outcome = referral.cg_decided_on, referral.cg_outcome
    if stage == "reasonable_grounds":
        rg_on, rg_outcome = decided_on, outcome
    elif stage == "conclusive_grounds":
        cg_on, cg_outcome = decided_on, outcome
    else:
        raise DecisionError("Select whether this is a reasonable grounds or conclusive grounds decision")
    try:
        track_nrm(
            case.nation,
            referral.referred_on,
            rg_decided_on=rg_on,
            rg_outcome=rg_outcome,
            cg_decided_on=cg_on,
            cg_outcome=cg_outcome,
            devolved_pilot=queries.is_devolved_pilot_case(case.id),
        )
    except ValueError as error:
        raise DecisionError(str(error)) from None
    referral.rg_decided_on, referral.rg_outcome = rg_on, rg_outcome
    referral.cg_decided_on, referral.cg_outcome = cg_on, cg_outcome
    db.session.flush()
    record_event(db.session, "nrm.decision", object_type="case", object_id=case.id, detail={"stage": stage})
    add_case_event(
        case,
        "nrm",
        "NRM " + ("reasonable" if stage == "reasonable_grounds" else "conclusive") + " grounds decision recorded",
        user,
    )
    return referral


def save_referral_answers(
    case: Case, answers: Mapping[str, Any], user: User, *, evidence_roles: Sequence[str] | None = None
) -> NrmReferral:
    referral = find_or_create_referral(case)
    referral.answers = dict(answers)
    if evidence_roles is not None:
        referral.evidence_roles = list(evidence_roles)
    db.session.flush()
    record_event(db.session, "nrm.answers", object_type="case", object_id=case.id, detail={"fields": len(answers)})
    return referral


def mark_referral_submitted(
    case: Case, referred_on: date, reference: str, missing: Sequence[str], user: User
) -> NrmReferral:
    """Record that the referral was made. Refused while any required field of the pack is missing."""
    if missing:
        raise DecisionError(
            f"Answer the {len(missing)} required questions still missing before marking the referral as submitted"
        )
    referral = find_or_create_referral(case)
    referral.referred_on = referred_on
    referral.reference = reference
    referral.submitted_by_id = user.id
    latest = queries.find_latest_signed_version(case.id)
    referral.referred_version = latest.number if latest else None
    referral.reported_version = referral.referred_version
    db.session.flush()
    record_event(db.session, "nrm.submitted", object_type="case", object_id=case.id)
    add_case_event(case, "nrm", "NRM referral submitted", user)
    return referral


# --- outcome notices and disclosures ----------------------------------------------------------------------

LAWFUL_BASIS = (
    "UK GDPR Article 6(1)(e) (public task) and Data Protection Act 2018 Schedule 1 paragraph 18 "
    "(safeguarding of children); Children Act 1989 and Modern Slavery Act 2015"
)
_NOTICE_PURPOSE = {
    AgencyKind.SINGLE_COMPETENT_AUTHORITY: "So that the Single Competent Authority knows an NRM outcome is ready",
    AgencyKind.GUARDIAN_SERVICE: "So that the guardian service can support the child",
    AgencyKind.HOME_OFFICE: "So that the regional Home Office safeguarding lead knows of the outcome",
}


def _relevant_kinds(conference: Conference, snapshot_outcome: Mapping[str, Any]) -> list[AgencyKind]:
    trafficking = (
        snapshot_outcome.get("outcome") in NRM_REFERRAL_OUTCOMES
        or conference.meeting_type == MeetingType.DEVOLVED_NRM_DECISION_PANEL
    )
    seats = {r.role for r in conference.roles}
    kinds: list[AgencyKind] = []
    if trafficking:
        kinds.append(AgencyKind.SINGLE_COMPETENT_AUTHORITY)
    if trafficking or Seat.GUARDIAN in seats:
        kinds.append(AgencyKind.GUARDIAN_SERVICE)
    if trafficking or Seat.HOME_OFFICE in seats:
        kinds.append(AgencyKind.HOME_OFFICE)
    return kinds


def send_outcome_notices(
    conference: Conference, case: Case, record: DecisionRecord, version: DecisionVersion, user: User
) -> list[Disclosure]:
    """A notice with a link behind sign-in and no personal data, through the outbox, recorded as a disclosure."""
    outcome = (record.sections or {}).get("outcome", {})
    kinds = _relevant_kinds(conference, outcome)
    if not kinds:
        return []
    agencies = sca_recipients(case, kinds)
    settings = current_app.config["SETTINGS"]
    link = f"{settings.external_url}/conferences/{conference.id}/record/versions/{version.number}"
    disclosures: list[Disclosure] = []
    for agency in agencies:
        give_case_access(case, agency)
        subject = f"New outcome recorded: meeting {conference.reference}"
        body = (
            f"A new outcome (version {version.number}) has been recorded for meeting {conference.reference}.\n\n"
            f"Sign in to Convene to read it:\n{link}\n\n"
            "This email contains no personal information. Do not reply to it."
        )
        enqueue_email(conference, agency.secure_email, subject, body)
        disclosure = Disclosure(
            case_id=case.id,
            record_id=record.id,
            version_number=version.number,
            recipient_agency_id=agency.id,
            recipient=f"{agency.name} ({agency.kind.label})",
            what_shared=f"Notice that version {version.number} of the outcome of meeting {conference.reference} "
            "was signed off, with a link that needs sign-in. No personal data.",
            purpose=_NOTICE_PURPOSE[agency.kind],
            lawful_basis=LAWFUL_BASIS,
            disclosed_by_id=user.id,
        )
        db.session.add(disclosure)
        disclosures.append(disclosure)
    db.session.flush()
    for disclosure in disclosures:
        record_event(
            db.session,
            "disclosure.create",
            object_type="disclosure",
            object_id=disclosure.id,
            detail={"case_id": str(case.id), "agency_id": str(disclosure.recipient_agency_id)},
        )
    return disclosures


def enqueue_email(conference: Conference | None, to_email: str, subject: str, body: str) -> None:
    """Queue a plain email in the outbox (delivered by ``flask --app wsgi outbox work``)."""
    from conference.outbox.mail import enqueue_email as enqueue

    enqueue(to_email, subject, body, conference_id=conference.id if conference else None)


# --- after the referral: decision letters, reconsideration, updates to the SCA --------------------------------

NEGATIVE_OUTCOMES = frozenset({"rg_negative", "cg_negative"})


def record_decision_letter(case: Case, stage: str, data: bytes, user: User) -> NrmDecisionLetter:
    """Store the decision letter of a recorded decision (checked first: `LetterRefused` says what is wrong)."""
    check_letter(data)
    referral = find_or_create_referral(case)
    decided = referral.rg_decided_on if stage == "reasonable_grounds" else referral.cg_decided_on
    if stage not in ("reasonable_grounds", "conclusive_grounds") or decided is None:
        raise DecisionError("Record the decision before adding its letter")
    letter = db.session.scalars(
        select(NrmDecisionLetter).where(NrmDecisionLetter.case_id == case.id, NrmDecisionLetter.stage == stage)
    ).first()
    if letter is None:
        letter = NrmDecisionLetter(case_id=case.id, stage=stage, content=b"", size=0, sha256="")
        db.session.add(letter)
    letter.content = data
    letter.size = len(data)
    letter.sha256 = hashlib.sha256(data).hexdigest()
    letter.uploaded_by_id = user.id
    letter.uploaded_at = utcnow()
    db.session.flush()
    record_event(
        db.session,
        "nrm.letter",
        object_type="case",
        object_id=case.id,
        detail={"stage": stage, "bytes": len(data), "sha256": letter.sha256},
    )
    return letter


def negative_decision(referral: NrmReferral | None) -> str | None:
    """The stage of the latest negative decision ("reasonable_grounds" or "conclusive_grounds"), if any."""
    if referral is None:
        return None
    if referral.cg_outcome in NEGATIVE_OUTCOMES:
        return "conclusive_grounds"
    if referral.rg_outcome in NEGATIVE_OUTCOMES and referral.cg_outcome is None:
        return "reasonable_grounds"
    return None


def reconsideration_draft(case: Case, referral: NrmReferral, pack: Any) -> str:
    """A request to reconsider, drafted from the record: the decision, the meeting's insight and indicators."""
    stage = negative_decision(referral) or "reasonable_grounds"
    decided_on = referral.cg_decided_on if stage == "conclusive_grounds" else referral.rg_decided_on
    words = "conclusive grounds" if stage == "conclusive_grounds" else "reasonable grounds"
    insight = str(pack.field("professional-insight").value or "").strip()
    indicators = str(pack.field("modern-slavery-indicators-details").value or "").strip()
    parts = [
        f"Request for reconsideration of the negative {words} decision"
        + (f" of {decided_on:%d %B %Y}" if decided_on else "")
        + f", NRM referral {referral.reference} (case {case.reference}).",
        "We ask the Single Competent Authority to reconsider the decision. The multi-agency meeting's view, "
        "and the information it was based on, are below.",
    ]
    if insight:
        parts.append("The meeting's professional insight:\n" + insight)
    if indicators:
        parts.append("Indicators raised at the meeting:\n" + indicators)
    parts.append("[Add any new information, and where the decision did not take the evidence into account.]")
    return "\n\n".join(parts)


def save_reconsideration(
    case: Case,
    user: User,
    *,
    text: str,
    status: str,
    on: date,
) -> NrmReferral:
    """Draft, send or record the answer to a reconsideration request; each step keeps its date."""
    referral = find_or_create_referral(case)
    if negative_decision(referral) is None:
        raise DecisionError("A reconsideration can only be requested after a negative decision")
    if status not in ("drafted", "sent", "answered"):
        raise DecisionError("Select what happened to the request")
    referral.reconsideration_text = text
    referral.reconsideration_status = status
    if status == "drafted":
        referral.reconsideration_drafted_on = referral.reconsideration_drafted_on or on
    elif status == "sent":
        referral.reconsideration_drafted_on = referral.reconsideration_drafted_on or on
        referral.reconsideration_sent_on = on
    else:
        referral.reconsideration_answered_on = on
    db.session.flush()
    record_event(db.session, "nrm.reconsideration", object_type="case", object_id=case.id, detail={"status": status})
    add_case_event(case, "nrm", f"NRM reconsideration request {status}", user)
    return referral


@dataclass(frozen=True)
class ScaUpdate:
    """An update for the Single Competent Authority: what changed since the version it knows of."""

    conference: Conference
    record: DecisionRecord
    from_number: int
    to_number: int
    changes: list[Change]


def pending_sca_update(case: Case, referral: NrmReferral | None) -> ScaUpdate | None:
    """After a referral, a signed amendment the SCA has not been told about, with what changed."""
    if referral is None or referral.referred_on is None:
        return None
    latest = queries.find_latest_signed_version(case.id)
    known = referral.reported_version or referral.referred_version or 0
    if latest is None or latest.kind != "amendment" or latest.number <= known:
        return None
    record = db.session.get(DecisionRecord, latest.record_id)
    assert record is not None
    base_number = known if known and known < latest.number else latest.number - 1
    base = db.session.scalars(
        select(DecisionVersion).where(DecisionVersion.record_id == record.id, DecisionVersion.number == base_number)
    ).first()
    if base is None:
        return None
    changes = compare_snapshots(version_snapshot(base), version_snapshot(latest))
    conference = db.session.get(Conference, record.conference_id)
    assert conference is not None
    return ScaUpdate(conference, record, base_number, latest.number, changes)


def sca_recipients(case: Case, kinds: Sequence[AgencyKind]) -> list[Agency]:
    """The agencies of these kinds that serve the case's area: those in the area, and those whose people the
    directory says also serve it (a Single Competent Authority, an ICTG service or a Home Office lead often sit
    outside the local authority area)."""
    area_code = case.local_authority.code
    in_area = select(Agency.id).where(Agency.local_authority_id == case.local_authority_id)
    rows = db.session.scalars(select(Agency).where(Agency.kind.in_(kinds)).order_by(Agency.name)).unique().all()
    local = set(db.session.scalars(in_area))
    found: list[Agency] = []
    for agency in rows:
        if agency.id in local or any(area_code in (p.also_serves or []) for p in agency.people):
            found.append(agency)
    return found


def give_case_access(case: Case, agency: Agency) -> None:
    """Let the members of a recipient agency open the link they were sent (and nothing about other cases): agency
    members see the cases their agency is involved in, wherever the agency sits."""
    from conference.cases.models import CaseAgency

    exists = (
        db.session.scalars(
            select(CaseAgency.id).where(CaseAgency.case_id == case.id, CaseAgency.agency_id == agency.id)
        ).first()
        is not None
    )
    if not exists:
        db.session.add(CaseAgency(case_id=case.id, agency_id=agency.id))
        db.session.flush()
        record_event(
            db.session,
            "case.agency_added",
            object_type="case",
            object_id=case.id,
            detail={"agency_id": str(agency.id), "why": "recipient of an NRM notice"},
        )


def send_sca_update(case: Case, referral: NrmReferral, update: ScaUpdate, user: User) -> list[Disclosure]:
    """Tell the Single Competent Authority that the record behind the referral changed: a link and a reference
    only, through the outbox, recorded as a disclosure."""
    agencies = sca_recipients(case, [AgencyKind.SINGLE_COMPETENT_AUTHORITY])
    if not agencies:
        raise DecisionError(
            "There is no Single Competent Authority in the directory for this area. Ask an administrator to add it"
        )
    settings = current_app.config["SETTINGS"]
    link = f"{settings.external_url}/conferences/{update.conference.id}/record/versions/{update.to_number}"
    subject = f"Amended record: meeting {update.conference.reference}"
    body = (
        f"The record of meeting {update.conference.reference}, on which referral {referral.reference} was made, "
        f"was amended after the referral (version {update.to_number}, {len(update.changes)} "
        + ("change" if len(update.changes) == 1 else "changes")
        + f" since version {update.from_number}).\n\n"
        f"Sign in to Convene to read the amended record:\n{link}\n\n"
        "This email contains no personal information. Do not reply to it."
    )
    disclosures = []
    for agency in agencies:
        give_case_access(case, agency)
        enqueue_email(update.conference, agency.secure_email, subject, body)
        disclosure = Disclosure(
            case_id=case.id,
            record_id=update.record.id,
            version_number=update.to_number,
            recipient_agency_id=agency.id,
            recipient=f"{agency.name} ({agency.kind.label})",
            what_shared=f"Notice that the record behind NRM referral {referral.reference} was amended "
            f"(version {update.to_number}), with a link that needs sign-in. No personal data.",
            purpose="So that the Single Competent Authority decides on the amended record",
            lawful_basis=LAWFUL_BASIS,
            disclosed_by_id=user.id,
        )
        db.session.add(disclosure)
        disclosures.append(disclosure)
    referral.reported_version = update.to_number
    db.session.flush()
    for disclosure in disclosures:
        record_event(
            db.session,
            "disclosure.create",
            object_type="disclosure",
            object_id=disclosure.id,
            detail={"case_id": str(case.id), "agency_id": str(disclosure.recipient_agency_id), "kind": "sca_update"},
        )
    add_case_event(case, "nrm", f"Update sent to the Single Competent Authority (version {update.to_number})", user)
    return disclosures
