"""Authentication use cases. Each writes its audit row in the request's transaction."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import has_request_context, session
from sqlalchemy import delete, func, select, update

from conference.audit import keep_after_rollback, record_event, record_refusal
from conference.auth import enrolment, mfa, notices
from conference.auth.models import FormDraft, User, UserSession
from conference.auth.passwords import hash_password, needs_rehash, verify_password
from conference.db import utcnow
from conference.extensions import db


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so both paths take the same time. Made on first use,
    not at import, so that commands which never sign anyone in (the outbox worker) start quickly."""
    return hash_password("not-a-real-password-but-the-same-cost")


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def _email_fingerprint(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


# Wrong passwords, authenticator codes, enrolment codes and sign-off re-authentications in a row (any mix) before
# the account locks until an administrator unlocks it. Rate limits (per account, session and address, in the shared
# limiter storage) slow guessing down; the lock stops it.
LOCK_AFTER = 10


def _current_session_id() -> str | None:
    row = getattr(session, "row", None) if has_request_context() else None
    return getattr(row, "id", None)


def record_failed_attempt(user: User, action: str, detail: dict[str, Any] | None = None) -> None:
    """Audit a wrong credential and count it (atomically, so parallel guesses are all counted); lock at LOCK_AFTER.

    The page that refuses the credential answers 4xx, which rolls the request back, so the count, the audit row
    and any lock are written by a callback that is kept after the rollback (``conference.audit.keep_after_rollback``).
    """
    user_id = user.id

    def count_and_lock() -> None:
        record_event(
            db.session,
            action,
            object_type="user",
            object_id=user_id,
            outcome="failure",
            actor_user_id=user_id,
            detail=detail,
        )
        count = db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(failed_logins=User.failed_logins + 1)
            .returning(User.failed_logins)
        ).scalar_one()
        fresh = db.session.get(User, user_id)
        if fresh is not None and count >= LOCK_AFTER and fresh.locked_at is None:
            lock_account(fresh)

    keep_after_rollback(count_and_lock)


def lock_account(user: User) -> None:
    """Lock the account and end its sessions (the current one ends on its next request, in the guard)."""
    user.locked_at = utcnow()
    keep = _current_session_id()
    ended = delete(UserSession).where(UserSession.user_id == user.id)
    db.session.execute(ended.where(UserSession.id != keep) if keep else ended)
    record_event(
        db.session,
        "user.locked",
        object_type="user",
        object_id=user.id,
        outcome="refused",
        detail={"failed_attempts": user.failed_logins},
    )
    notices.tell_account_locked(user)


def authenticate(email: str, password: str) -> User | None:
    """Check a password. The same answer and the same work for an unknown email (no account enumeration), and
    for a locked account whatever the password."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)
        record_refusal(
            db.session,
            "login.failed",
            object_type="user",
            outcome="failure",
            detail={"email_fingerprint": _email_fingerprint(email), "reason": "unknown"},
        )
        return None
    if user.locked_at is not None or not user.is_active:
        verify_password(user.password_hash, password)
        record_refusal(
            db.session,
            "login.failed",
            object_type="user",
            object_id=user.id,
            outcome="failure",
            actor_user_id=user.id,
            detail={"reason": "inactive" if not user.is_active else "locked"},
        )
        return None
    if not verify_password(user.password_hash, password):
        record_failed_attempt(user, "login.failed", {"reason": "password"})
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    # failed_logins is cleared only after the second factor too, so a known password gives no free code guesses.
    record_event(db.session, "login.password", object_type="user", object_id=user.id, actor_user_id=user.id)
    return user


@dataclass(frozen=True)
class MfaResult:
    ok: bool
    message: str = ""


def verify_mfa(user: User, code: str, secret_key: str) -> MfaResult:
    if not user.totp_secret_encrypted:
        return MfaResult(False, "Set up your authenticator app first")
    secret = mfa.decrypt_secret(user.totp_secret_encrypted, secret_key)
    step = mfa.verify_code(secret, code, user.totp_last_step)
    if step is None:
        record_failed_attempt(user, "mfa.failed")
        return MfaResult(False, "Enter the 6-digit code shown in your authenticator app now. Each code works once")
    user.totp_last_step = step
    user.failed_logins = 0
    user.last_login_at = utcnow()
    record_event(db.session, "login", object_type="user", object_id=user.id, actor_user_id=user.id)
    return MfaResult(True)


ENROLMENT_CODE_WRONG = (
    "Enter the enrolment code your administrator gave you, like ABCDE-FGHJK. If it has expired "
    "or you do not have one, ask your administrator for a new one"
)


def check_enrolment_code(user: User, code: str, secret_key: str) -> MfaResult:
    """The first step of setting up an authenticator: the one-time code from an administrator."""
    if enrolment.enrolment_code_matches(user, code, secret_key):
        record_event(
            db.session, "mfa.enrolment_code_accepted", object_type="user", object_id=user.id, actor_user_id=user.id
        )
        return MfaResult(True)
    record_failed_attempt(user, "mfa.enrolment_code_failed")
    return MfaResult(False, ENROLMENT_CODE_WRONG)


def enrol_mfa(user: User, secret: str, code: str, secret_key: str) -> MfaResult:
    """The second step: the new authenticator's first code. Uses up the enrolment code."""
    if not user.enrolment_code_hash:
        return MfaResult(False, ENROLMENT_CODE_WRONG)
    step = mfa.verify_code(secret, code, None)
    if step is None:
        record_refusal(
            db.session,
            "mfa.enrol_failed",
            object_type="user",
            object_id=user.id,
            outcome="failure",
            actor_user_id=user.id,
        )
        return MfaResult(False, "Enter the 6-digit code shown in your authenticator app now")
    enrolment.use_enrolment_code(user)
    user.totp_secret_encrypted = mfa.encrypt_secret(secret, secret_key)
    user.totp_last_step = step
    user.failed_logins = 0
    user.mfa_enrolled_at = utcnow()
    user.last_login_at = utcnow()
    record_event(db.session, "mfa.enrolled", object_type="user", object_id=user.id, actor_user_id=user.id)
    notices.tell_authenticator_set_up(user)
    record_event(db.session, "login", object_type="user", object_id=user.id, actor_user_id=user.id)
    return MfaResult(True)


def find_form_draft(user: User, draft_id: str) -> FormDraft | None:
    """The form data ``user`` posted when their session had ended (kept by ``conference.security``), if still kept."""
    draft = db.session.get(FormDraft, uuid.UUID(draft_id))
    return draft if draft is not None and draft.user_id == user.id else None


def record_logout(user: User) -> None:
    record_event(db.session, "logout", object_type="user", object_id=user.id, actor_user_id=user.id)
