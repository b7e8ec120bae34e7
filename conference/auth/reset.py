"""Forgotten passwords: a single-use link that lasts 30 minutes, stored hashed (ASVS 6.4).

The answer is the same whether or not the email address has an account. A reset is never the only factor: the
person still needs their authenticator code to sign in, or, with no authenticator set up, a one-time enrolment code
from an administrator (conference/auth/enrolment.py). Every session of the account is ended, the person is told by
email, and a reset does not unlock a locked account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from conference.audit import record_event
from conference.auth import notices
from conference.auth.models import PasswordReset, User, UserSession
from conference.auth.passwords import hash_password
from conference.auth.services import _email_fingerprint, find_user_by_email
from conference.db import utcnow
from conference.extensions import db
from conference.outbox.mail import enqueue_email

LIFETIME = timedelta(minutes=30)
# For a new account created by an administrator: the first password is set from a link too.
SETUP_LIFETIME = timedelta(days=3)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str) -> None:
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        record_event(
            db.session,
            "password.reset_requested",
            object_type="user",
            outcome="no_account",
            detail={"email_fingerprint": _email_fingerprint(email)},
        )
        return
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, token_hash=_hash(token), expires_at=utcnow() + LIFETIME))
    link = f"{current_app.config['SETTINGS'].external_url}/login/reset/{token}"
    enqueue_email(
        user.email,
        "Reset your Convene password",
        "Someone asked to reset the password for your Convene account.\n\n"
        f"To choose a new password, open this link within 30 minutes:\n{link}\n\n"
        "The link works once. You will still need the code from your authenticator app to sign in.\n\n"
        "If you did not ask for this, you can ignore this email: your password has not changed.\n",
        kind="RESET",
    )
    record_event(db.session, "password.reset_requested", object_type="user", object_id=user.id, actor_user_id=user.id)


def send_password_setup(admin: User, user: User) -> None:
    """A new account's first password, chosen by the person from an emailed link (no password ever travels).
    ``admin`` created the account."""
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, token_hash=_hash(token), expires_at=utcnow() + SETUP_LIFETIME))
    link = f"{current_app.config['SETTINGS'].external_url}/login/reset/{token}"
    enqueue_email(
        user.email,
        "Your Convene account",
        "An administrator has created a Convene account for you.\n\n"
        f"To choose your password, open this link within 3 days:\n{link}\n\n"
        "The link works once. To finish setting up you also need an enrolment code: your administrator gives it "
        "to you in person or by phone, never by email. Then you set up an authenticator app.\n",
        kind="RESET",
    )
    record_event(db.session, "password.setup_sent", object_type="user", object_id=user.id, actor=admin)


def find_valid_reset(token: str) -> PasswordReset | None:
    if not token or len(token) > 100:
        return None
    reset = db.session.scalars(select(PasswordReset).where(PasswordReset.token_hash == _hash(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def find_reset_user(reset: PasswordReset) -> User | None:
    """The account a valid reset link belongs to."""
    return db.session.get(User, reset.user_id)


def reset_password(reset: PasswordReset, new_password: str) -> User:
    user = db.session.get(User, reset.user_id)
    assert user is not None
    user.password_hash = hash_password(new_password)
    reset.used_at = utcnow()
    # Any other unused links for this account stop working too, and every session ends.
    db.session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.id != reset.id, PasswordReset.used_at.is_(None)
        )
    )
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    record_event(db.session, "password.reset", object_type="user", object_id=user.id, actor_user_id=user.id)
    notices.tell_password_changed(user, by_reset=True)
    return user
