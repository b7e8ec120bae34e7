"""Emails that tell a person about a change to their own account's security (ASVS 2.2.3, 2.5.5).

They go through the transactional outbox in the same transaction as the change. They name no child and no case.
"""

from __future__ import annotations

from flask import current_app

from conference.auth.models import User
from conference.outbox.mail import enqueue_email

_FOOTER = (
    "\n\nIf this was not you or you did not expect it, tell your Convene administrator or your IT service desk "
    "straight away.\n"
)


def _send(user: User, subject: str, body: str) -> None:
    link = f"{current_app.config['SETTINGS'].external_url}/login"
    enqueue_email(user.email, subject, f"{body}\n\nConvene: {link}{_FOOTER}", kind="NOTICE")


def tell_password_changed(user: User, *, by_reset: bool) -> None:
    how = "with a password reset link" if by_reset else "by you, while signed in"
    _send(
        user,
        "Your Convene password was changed",
        f"The password for your Convene account ({user.email}) was changed {how}.",
    )


def tell_authenticator_reset(user: User) -> None:
    _send(
        user,
        "Your Convene authenticator app was reset",
        f"An administrator reset the authenticator app for your Convene account ({user.email}). You were signed "
        "out everywhere. To sign in again you need the enrolment code your administrator gives you in person or "
        "by phone; Convene never sends it by email.",
    )


def tell_authenticator_set_up(user: User) -> None:
    _send(
        user,
        "An authenticator app was set up for your Convene account",
        f"An authenticator app was set up for your Convene account ({user.email}). From now on it gives the codes "
        "you need to sign in.",
    )


def tell_account_locked(user: User) -> None:
    _send(
        user,
        "Your Convene account is locked",
        f"Your Convene account ({user.email}) is locked after too many wrong passwords or codes, and was signed out "
        "everywhere. Ask your Convene administrator to unlock it.",
    )
