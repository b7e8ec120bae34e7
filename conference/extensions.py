"""Unbound extensions, bound to an app in ``create_app``."""

from flask import g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from conference.database import Database

db = Database()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def check_database() -> None:
    """The health check's one round trip: raises when the database cannot be reached."""
    db.session.execute(text("SELECT 1"))


def user_rate_key() -> str:
    """Per signed-in person (in the limiter's shared storage), for sign-off and costly pages; the address if none."""
    user = getattr(g, "user", None) or getattr(g, "pending_user", None)
    return f"user:{user.id}" if user is not None else f"address:{get_remote_address()}"


# Costly work, per person (ASVS 11.1.4). Generous for real use: a chair downloads a few PDFs per meeting, a
# coordinator solves a few times per meeting, an administrator uploads a calendar per person.
PDF_LIMIT = "20/minute;300/day"  # WeasyPrint rendering, minutes and NRM pack together
SOLVE_LIMIT = "30/minute;500/day"  # the scheduler (CP-SAT) behind a meeting's options
CALENDAR_UPLOAD_LIMIT = "20/minute;500/day"  # parsing an uploaded .ics
EXPORT_LIMIT = "20/minute;300/day"  # the dashboard's CSV export


def has_calendar_upload() -> bool:
    from flask import request

    upload = request.files.get("availability_ics")
    return bool(upload and upload.filename)
