"""Sign-off: the problems that block it, re-authentication, the signed version and its snapshot, amendments,
and reading versions (view, compare, minutes PDF), each audited."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from conference.audit import record_event, record_refusal, record_view
from conference.auth import mfa
from conference.auth.models import User
from conference.auth.passwords import verify_password
from conference.cases.models import Case
from conference.cases.services import add_case_event
from conference.convening.models import Conference
from conference.convening.submissions import find_submissions
from conference.db import utcnow
from conference.extensions import db
from decisions.common import (
    CHANGED,
    SNAPSHOT_SCHEMA,
    Change,
    DecisionError,
    canonical_json,
    compare_snapshots,
    conditional_update,
    elements_record,
    fresh,
    version_snapshot,
)
from decisions.documents import minutes_view
from decisions.models import (
    ActionStatus,
    DecisionRecord,
    DecisionVersion,
    RecordStatus,
)
from decisions.nrm.notices import send_outcome_notices
from decisions.nrm.services import record_panel_decision
from decisions.pdf import PdfError, render_minutes_pdf
from decisions.recording.services import attendance_lines, quorum_for
from decisions.sign_off import queries as sign_off_queries
from rules.clock import LONDON
from rules.elements import summarise_elements
from rules.indicators import CURRENT_VERSION
from rules.outcomes import FieldError, validate_outcome
from rules.vocabulary import CHAIR_IS_LEAD_SOCIAL_WORKER, MeetingType, Seat, pilot_scope_problems


@dataclass
class ReauthFailed(Exception):
    field: str
    message: str


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
    fresh(record)
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
    if not conditional_update(
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
        actor=user,
    )
    case = db.session.get(Case, record.case_id)
    assert case is not None
    add_case_event(case, "decision", f"Decision for meeting {conference.reference} signed off (version {number})", user)
    record_panel_decision(conference, case, snapshot, signed_at.date(), user)
    send_outcome_notices(conference, case, record, version, user)
    return version


def start_amendment(record: DecisionRecord, reason: str, user: User) -> None:
    fresh(record)
    if record.status != RecordStatus.SIGNED:
        raise DecisionError("Only a signed-off decision can be amended.")
    if not conditional_update(
        record, record.version, status=RecordStatus.AMENDING, amendment_reason=reason, updated_by_id=user.id
    ):
        raise DecisionError("The record changed while you were amending it. Try again.")
    record_event(
        db.session,
        "decision.amend",
        object_type="decision",
        object_id=record.id,
        detail={"from_version": record.signed_version},
        actor=user,
    )


def written_submission_lines(conference: Conference) -> list[dict[str, Any]]:
    """The written submissions received for the meeting, for the minutes: who, for which seat, when, and how many
    files of which kinds (their text is in the record only where the chair copied it)."""
    return [
        {
            "role": s.role,
            "person_name": s.person.name,
            "submitted_at": s.submitted_at.isoformat(),
            "characters": len(s.text),
            "files": [f.kind_label for f in s.files],
        }
        for s in find_submissions(conference.id)
    ]


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
        "written_submissions": written_submission_lines(conference),
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


# --- reading versions: audited ----------------------------------------------------------------------------


def record_version_viewed(conference: Conference, record: DecisionRecord, number: int, user: User) -> None:
    """Someone read a signed version: audited (a GET changes nothing but the audit)."""
    record_view(
        db.session,
        "decision.version.view",
        object_type="decision",
        object_id=record.id,
        detail={"version": number, "case_id": str(conference.case_id)},
        actor=user,
    )


def compare_versions(record: DecisionRecord, left: int, right: int, user: User) -> list[Change]:
    """What changed between two versions of the record. Audited."""
    before = version_snapshot(sign_off_queries.get_version(record.id, left))
    after = version_snapshot(sign_off_queries.get_version(record.id, right))
    changes = compare_snapshots(before, after)
    record_event(
        db.session,
        "decision.version.compare",
        object_type="decision",
        object_id=record.id,
        detail={"from": left, "to": right},
        actor=user,
    )
    return changes


def export_minutes_pdf(record: DecisionRecord, version: DecisionVersion, user: User) -> bytes | None:
    """The signed minutes of a version as a PDF, audited; None (and a failure audited) when no PDF could be
    produced."""
    view = minutes_view(version_snapshot(version))
    try:
        data = render_minutes_pdf(view)
    except PdfError:
        record_refusal(
            db.session,
            "export.minutes",
            object_type="decision",
            object_id=record.id,
            outcome="failure",
            detail={"version": version.number},
            actor=user,
        )
        return None
    record_event(
        db.session,
        "export.minutes",
        object_type="decision",
        object_id=record.id,
        detail={"version": version.number},
        actor=user,
    )
    return data
