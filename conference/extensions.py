"""Unbound extensions, bound to an app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from conference.database import Database

db = Database()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
