"""Recording the meeting: who may add what (the named recorder, an agency's own information), saving a section
with optimistic concurrency (a lost race keeps the loser's text as a conflict), the attendance register and the
quorum."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from conference.audit import keep_after_rollback, record_event, snapshot_actor
from conference.auth.models import Role, User
from conference.convening.models import Conference
from conference.directory.models import Agency
from conference.extensions import db
from decisions.common import CHANGED, SECTIONS, SaveConflict, conditional_update, fresh, require_editable
from decisions.models import (
    AttendanceEntry,
    DecisionConflict,
    DecisionRecord,
)
from rules.indicators import CURRENT_VERSION, IndicatorCatalogue, catalogue_for
from rules.quorum import AttendanceStatus, QuorumResult, RegisterEntry, check_quorum
from rules.vocabulary import Seat


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
    require_editable(record)
    record.recorder_user_id = recorder.id if recorder is not None else None
    record_event(
        db.session,
        "decision.recorder_named",
        object_type="decision",
        object_id=record.id,
        detail={"recorder_user_id": str(recorder.id) if recorder else None, "by": str(chair.id)},
        actor=chair,
    )


def _section_changed_at(record: DecisionRecord, section: str) -> int:
    return int((record.sections or {}).get(CHANGED, {}).get(section, 0))


def _keep_conflict(
    record: DecisionRecord, user: User, section: str, base_version: int, mine: Any, saved: Any
) -> SaveConflict:
    """The loser's text is kept (a ``DecisionConflict``) and audited, even though the refused save rolls back."""
    conflict_id = uuid.uuid4()
    record_id, user_id, saved_version = record.id, user.id, record.version
    actor = snapshot_actor(user)

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
            actor=actor,
        )

    keep_after_rollback(keep)
    return SaveConflict(section, mine, saved, record.version, conflict_id)


def save_section(record: DecisionRecord, section: str, value: Any, base_version: int, user: User) -> int:
    """Save one section. Returns the new version. Raises `SaveConflict` or `DecisionError`."""
    if section not in SECTIONS or section in ("attendance", "actions"):
        raise ValueError(f"unknown section {section!r}")
    for _attempt in range(3):
        fresh(record)
        require_editable(record)
        current = record.version
        if current != base_version and _section_changed_at(record, section) > base_version:
            raise _keep_conflict(record, user, section, base_version, value, (record.sections or {}).get(section))
        sections = dict(record.sections or {})
        changed = dict(sections.get(CHANGED, {}))
        changed[section] = current + 1
        sections[section] = value
        sections[CHANGED] = changed
        if conditional_update(record, current, sections=sections, updated_by_id=user.id):
            record_event(
                db.session,
                "decision.save",
                object_type="decision",
                object_id=record.id,
                detail={"section": section, "version": record.version},
                actor=user,
            )
            return record.version
    # Lost three races in a row for other sections: treat as a conflict so that nothing is lost.
    raise _keep_conflict(fresh(record), user, section, base_version, value, (record.sections or {}).get(section))


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
    fresh(record)
    require_editable(record)
    mine = [line.as_dict() for line in lines]
    current = record.version
    if current != base_version and _section_changed_at(record, "attendance") > base_version:
        raise _keep_conflict(
            record, user, "attendance", base_version, mine, [line.as_dict() for line in attendance_lines(record)]
        )
    sections = dict(record.sections or {})
    sections[CHANGED] = {**sections.get(CHANGED, {}), "attendance": current + 1}
    if not conditional_update(record, current, sections=sections, updated_by_id=user.id):
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
        actor=user,
    )
    return record.version


def quorum_for(conference: Conference, record: DecisionRecord) -> QuorumResult | None:
    if not record.attendance:
        return None
    register = [RegisterEntry(e.role, e.status, e.person_name, e.deputy_name) for e in record.attendance]
    return check_quorum(conference.meeting_type, conference.nation, register)


def save_quorum_override(
    record: DecisionRecord, value: Any, missing_roles: Sequence[Seat], base_version: int, user: User
) -> int:
    """The chair carries on without quorum: the override is audited, then the quorum section saved."""
    record_event(
        db.session,
        "decision.quorum_override",
        object_type="decision",
        object_id=record.id,
        detail={"missing": [r.value for r in missing_roles]},
        actor=user,
    )
    return save_section(record, "quorum", value, base_version, user)


def merge_information(saved: dict[str, str], value: dict[str, str], own: list[Seat]) -> dict[str, str]:
    """An agency member's save replaces their own agency's information only; the rest stays as saved."""
    keep = {k: v for k, v in saved.items() if k not in {r.value for r in own}}
    return {**keep, **value}


def record_catalogue(record: DecisionRecord) -> IndicatorCatalogue:
    """The catalogue of the record: the version its ticks were saved with (an older record keeps it), else the
    current one."""
    saved = (record.sections or {}).get("indicators") or {}
    if saved.get("ticks"):
        return catalogue_for(int(saved.get("catalogue_version", 1)))
    return catalogue_for(CURRENT_VERSION)
