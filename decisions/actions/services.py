"""The action plan: add an action (at most once per create form: idempotency keys), change its status (each
change moves the record's version on, REL-2), and remind the owners of overdue actions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conference.audit import record_event
from conference.auth.models import User
from conference.convening.models import Conference
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import db
from decisions.actions import queries as actions_queries
from decisions.common import bump_version, fresh, require_editable
from decisions.models import (
    ActionStatus,
    DecisionAction,
    DecisionRecord,
    IdempotencyKey,
)
from decisions.nrm.notices import enqueue_email


@dataclass(frozen=True)
class NewAction:
    description: str
    owner: Person
    due_at: datetime


def add_action(record: DecisionRecord, details: NewAction, user: User) -> DecisionAction:
    fresh(record)
    require_editable(record)
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
    bump_version(record, user)
    record_event(
        db.session,
        "decision.action.create",
        object_type="action",
        object_id=action.id,
        detail={"decision_id": str(record.id)},
        actor=user,
    )
    return action


def set_action_status(record: DecisionRecord, action: DecisionAction, status: ActionStatus, user: User) -> None:
    """Progress on an action is recorded at any time, also after sign-off (the signed plan stays as it was)."""
    action.status = status
    db.session.flush()
    bump_version(record, user)
    record_event(
        db.session,
        "decision.action.status",
        object_type="action",
        object_id=action.id,
        detail={"status": status.value},
        actor=user,
    )


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


def add_action_once(
    record: DecisionRecord, details: NewAction, user: User, *, key: str, digest: str, location: str
) -> DecisionAction:
    """Add an action from a create form at most once: the form's key is claimed first (a replay raises
    `IdempotencyReplay` with the first response's location), then the action is added and the key remembers
    where the first response went."""
    claim = claim_idempotency_key(user, key, digest)
    action = add_action(record, details, user)
    claim.response_location = location
    return action


# --- reminders ---------------------------------------------------------------------------------------------


def remind_overdue_actions(now: datetime | None = None) -> int:
    """Queue one reminder per overdue action (again only if it was re-dated). No personal data in the email."""
    now = now or utcnow()
    settings = current_app.config["SETTINGS"]
    sent = 0
    for action in actions_queries.find_overdue_actions(now):
        if action.reminded_at is not None and action.reminded_at >= action.due_at:
            continue
        record = db.session.get(DecisionRecord, action.record_id)
        conference = db.session.get(Conference, record.conference_id) if record else None
        if conference is None:
            continue
        link = f"{settings.external_url}/conferences/{conference.id}/record/actions"
        body = (
            f"An action agreed at meeting {conference.reference} is overdue.\n\n"
            f"Sign in to Convene to see it and update its status:\n{link}\n\n"
            "This email contains no personal information. Do not reply to it."
        )
        enqueue_email(conference, action.owner.email, f"Overdue action: meeting {conference.reference}", body)
        action.reminded_at = now
        record_event(db.session, "action.reminded", object_type="action", object_id=action.id)
        sent += 1
    return sent
