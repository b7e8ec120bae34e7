"""Authentication use cases. Each writes its audit row in the request's transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select, update

from conference.audit import keep_after_rollback, record_event, record_refusal
from conference.auth import mfa
from conference.auth.models import User
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


def authenticate(email: str, password: str) -> User | None:
    """Check a password. The same answer and the same work for an unknown email (no account enumeration)."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)
        record_refusal(db.session, "login.failed", object_type="user", outcome="failure",
                       detail={"email_fingerprint": _email_fingerprint(email), "reason": "unknown"})
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        # The sign-in page answers 400, which rolls the request back: the count and the audit row are kept.
        user_id, reason = user.id, "inactive" if not user.is_active else "password"

        def count_failure() -> None:
            db.session.execute(update(User).where(User.id == user_id).values(failed_logins=User.failed_logins + 1))
            record_event(db.session, "login.failed", object_type="user", object_id=user_id, outcome="failure",
                         actor_user_id=user_id, detail={"reason": reason})

        keep_after_rollback(count_failure)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
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
        record_refusal(db.session, "mfa.failed", object_type="user", object_id=user.id, outcome="failure",
                       actor_user_id=user.id)
        return MfaResult(False, "Enter the 6-digit code shown in your authenticator app now. Each code works once")
    user.totp_last_step = step
    user.last_login_at = utcnow()
    record_event(db.session, "login", object_type="user", object_id=user.id, actor_user_id=user.id)
    return MfaResult(True)


def enrol_mfa(user: User, secret: str, code: str, secret_key: str) -> MfaResult:
    step = mfa.verify_code(secret, code, None)
    if step is None:
        record_refusal(db.session, "mfa.enrol_failed", object_type="user", object_id=user.id, outcome="failure",
                       actor_user_id=user.id)
        return MfaResult(False, "Enter the 6-digit code shown in your authenticator app now")
    user.totp_secret_encrypted = mfa.encrypt_secret(secret, secret_key)
    user.totp_last_step = step
    user.mfa_enrolled_at = utcnow()
    user.last_login_at = utcnow()
    record_event(db.session, "mfa.enrolled", object_type="user", object_id=user.id, actor_user_id=user.id)
    record_event(db.session, "login", object_type="user", object_id=user.id, actor_user_id=user.id)
    return MfaResult(True)


def record_logout(user: User) -> None:
    record_event(db.session, "logout", object_type="user", object_id=user.id, actor_user_id=user.id)
