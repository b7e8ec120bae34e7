"""The decision record's kernel, shared by recording, sign-off, the NRM referral and the action plan: opening
the record, who may write it, the refusals (`DecisionError`, `SaveConflict`), the optimistic-concurrency
primitives and the version snapshots.

Every save is ``UPDATE decision_records ... WHERE id = :id AND version = :version`` with a rowcount check
(REL-1). Each section also keeps the record version at which it last changed (``sections["_changed"]``): a save
whose loaded version is stale but whose section nobody else has changed since merges safely; otherwise the
person gets a conflict view and what they typed is kept as a ``DecisionConflict`` and audited.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from conference.audit import record_event
from conference.auth.models import Role, User
from conference.convening.models import Conference
from conference.db import utcnow
from conference.extensions import db
from decisions import queries
from decisions.models import (
    DecisionRecord,
    DecisionVersion,
    RecordStatus,
)
from rules.elements import ElementsRecord
from rules.indicators import CURRENT_VERSION, IndicatorTick
from rules.vocabulary import Seat

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


def open_record(conference: Conference, user: User) -> DecisionRecord:
    """The conference's record, created on first use by ``user`` (audited). Safe when two people open it at once."""
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
        actor=user,
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


def fresh(record: DecisionRecord) -> DecisionRecord:
    db.session.refresh(record)
    return record


def require_editable(record: DecisionRecord) -> None:
    if record.status == RecordStatus.SIGNED:
        raise DecisionError("This decision is signed off. Start an amendment to change it.")


def conditional_update(record: DecisionRecord, expected_version: int, **values: Any) -> bool:
    statement = (
        update(DecisionRecord)
        .where(DecisionRecord.id == record.id, DecisionRecord.version == expected_version)
        .values(version=expected_version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    rowcount = int(db.session.execute(statement).rowcount)  # type: ignore[attr-defined]
    db.session.refresh(record)
    return rowcount == 1


def bump_version(record: DecisionRecord, user: User) -> None:
    """A child row changed (REL-2): the parent's version moves on, so stale forms of other people conflict."""
    statement = (
        update(DecisionRecord)
        .where(DecisionRecord.id == record.id)
        .values(version=DecisionRecord.version + 1, updated_at=utcnow(), updated_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(statement)
    db.session.refresh(record)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


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
