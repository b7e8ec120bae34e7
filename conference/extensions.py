"""Unbound extensions, bound to an app in ``create_app``."""

from flask import g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from conference.database import Database

db = Database()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def user_rate_key() -> str:
    """Per signed-in person (in the limiter's shared storage), for sign-off and costly pages; the address if none."""
    user = getattr(g, "user", None) or getattr(g, "pending_user", None)
    return f"user:{user.id}" if user is not None else f"address:{get_remote_address()}"
