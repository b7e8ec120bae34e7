"""Enrolment codes: an authenticator can be set up only with a one-time code from an administrator.

A password (or a password-reset link) is never enough to enrol a new authenticator, so a reset link alone cannot take
over an account that has none (security review, finding 1). The code is shown once to the administrator, who gives it
to the person by another channel (in person or by phone). Only its HMAC-SHA-256 is stored; it lasts seven days and
works once. A wrong code counts as a failed sign-in (the account locks after ``LOCK_AFTER`` of them).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from conference.audit import record_event
from conference.auth.models import User
from conference.db import utcnow
from conference.extensions import db

LIFETIME = timedelta(days=7)
# No 0/O or 1/I/L: read aloud over the phone. 10 characters of 31 = 49 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10


def _digest(code: str, secret_key: str) -> str:
    return hmac.new(("convene-enrolment|" + secret_key).encode(), code.encode(), hashlib.sha256).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue_enrolment_code(admin: User | None, user: User, secret_key: str) -> str:
    """A new code for this person, issued by ``admin`` (None: the ``flask users create`` command); any earlier one
    stops working. Return it to show once."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    user.enrolment_code_hash = _digest(code, secret_key)
    user.enrolment_code_expires_at = utcnow() + LIFETIME
    record_event(
        db.session,
        "user.enrolment_code_issued",
        object_type="user",
        object_id=user.id,
        detail={"expires_in_days": LIFETIME.days},
        actor=admin,
    )
    return f"{code[:5]}-{code[5:]}"


def enrolment_code_matches(user: User, code: str, secret_key: str) -> bool:
    if not user.enrolment_code_hash or user.enrolment_code_expires_at is None:
        return False
    if user.enrolment_code_expires_at <= utcnow():
        return False
    given = normalise(code)
    if len(given) != LENGTH:
        return False
    return hmac.compare_digest(_digest(given, secret_key), user.enrolment_code_hash)


def use_enrolment_code(user: User) -> None:
    user.enrolment_code_hash = None
    user.enrolment_code_expires_at = None
