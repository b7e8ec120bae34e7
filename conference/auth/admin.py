"""Account administration: change a person's role, disable or re-enable an account.

Administrators manage accounts in their own area. Every change is audited in the same transaction, takes
effect on the person's next request, and disabling an account ends all of its sessions at once (SES-5).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from werkzeug.exceptions import NotFound

from conference.audit import record_event
from conference.auth import enrolment, notices
from conference.auth.models import Role, User, UserAgency, UserSession
from conference.auth.passwords import hash_password
from conference.extensions import db


def find_users_in_area(admin: User) -> list[User]:
    """The accounts of the administrator's area: those whose agency is in it (the agencies of the area are listed by
    ``conference.directory.queries.find_agencies_in_area``)."""
    area_id = admin.agency.local_authority_id
    return list(
        db.session.scalars(
            select(User).where(User.agency.has(local_authority_id=area_id)).order_by(User.display_name)
        ).unique()
    )


def email_taken(email: str) -> bool:
    return (
        db.session.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == email.strip().lower()))
        != 0
    )


@dataclass(frozen=True)
class NewAccount:
    display_name: str
    email: str
    role: Role
    agency: UserAgency


def create_account(admin: User, details: NewAccount, secret_key: str) -> tuple[User, str]:
    """The person chooses their password from an emailed link and sets up an authenticator with the enrolment code
    returned here (show it once). Nobody, the administrator included, ever knows their password."""
    from conference.auth.reset import send_password_setup

    user = User(
        email=details.email.strip().lower(),
        display_name=details.display_name,
        role=details.role,
        agency_id=details.agency.id,
        password_hash=hash_password(secrets.token_urlsafe(32)),
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        db.session,
        "user.create",
        object_type="user",
        object_id=user.id,
        detail={"role": str(details.role)},
        actor=admin,
    )
    send_password_setup(admin, user)
    return user, enrolment.issue_enrolment_code(admin, user, secret_key)


def get_user_in_area(admin: User, user_id: uuid.UUID) -> User:
    for user in find_users_in_area(admin):
        if user.id == user_id:
            return user
    raise NotFound("user not found in your area")


def change_role(admin: User, user: User, role: Role) -> bool:
    if user.role == role:
        return False
    old = user.role
    user.role = role
    record_event(
        db.session,
        "user.role_change",
        object_type="user",
        object_id=user.id,
        detail={"from": str(old), "to": str(role)},
        actor=admin,
    )
    return True


def set_active(admin: User, user: User, active: bool) -> bool:
    if user.is_active == active:
        return False
    user.is_active = active
    if not active:
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    record_event(
        db.session, "user.enabled" if active else "user.disabled", object_type="user", object_id=user.id, actor=admin
    )
    return True


def reset_authenticator(admin: User, user: User, secret_key: str) -> str:
    """For a lost or replaced phone, or a new account whose enrolment code expired: the person sets up an
    authenticator again at their next sign-in, with the new one-time enrolment code returned here (show it once)."""
    was_enrolled = user.mfa_enrolled_at is not None
    user.totp_secret_encrypted = None
    user.totp_last_step = None
    user.mfa_enrolled_at = None
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    if was_enrolled:
        record_event(db.session, "user.mfa_reset", object_type="user", object_id=user.id, actor=admin)
        notices.tell_authenticator_reset(user)
    return enrolment.issue_enrolment_code(admin, user, secret_key)


def unlock_account(admin: User, user: User) -> bool:
    """After repeated wrong passwords or codes. The person signs in as before (password and code)."""
    if user.locked_at is None:
        return False
    record_event(
        db.session,
        "user.unlocked",
        object_type="user",
        object_id=user.id,
        detail={"failed_attempts": user.failed_logins},
        actor=admin,
    )
    user.locked_at = None
    user.failed_logins = 0
    return True


def end_sessions(admin: User, user: User) -> int:
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    count = int(result.rowcount)  # type: ignore[attr-defined]
    record_event(
        db.session, "user.sessions_ended", object_type="user", object_id=user.id, detail={"count": count}, actor=admin
    )
    return count
