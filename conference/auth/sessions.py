"""Server-side sessions stored in the database.

The cookie ``__Host-convene`` holds only a random 256-bit token (Secure, HttpOnly, SameSite=Lax, Path=/,
no Domain). The database keeps its SHA-256. Sessions end after 30 minutes idle or 12 hours in all
(NIST AAL2), enforced here on the server. ``regenerate()`` issues a new id at login and after MFA.

Before sign-in there is no session row: what an anonymous visitor's session holds (the sign-in page's CSRF
token, where to go next, a link reply's banner) travels in a signed cookie ``__Host-convene-pre`` (HMAC with the
secret key, 30 minutes). The row is created when the password step succeeds (``user_id`` set), so anonymous
requests cannot grow the ``user_sessions`` table (issue 12, finding 5).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, Engine, Select, bindparam, delete, inspect, select
from sqlalchemy.orm import Mapper

from conference.auth.models import Role, User, UserSession
from conference.database import attach_loaded
from conference.db import utcnow
from conference.extensions import db

COOKIE_NAME = "__Host-convene"
PRE_COOKIE_NAME = "__Host-convene-pre"
PRE_SESSION_MAX_BYTES = 3000  # a cookie must stay under 4 KB
# The idle clock is reset at most this often, so a session may last up to this much past its idle limit (Convene's
# own choice: a minute past the 30 idle minutes of NIST SP 800-63B AAL2; it spares the database a write on most
# requests).
TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: Values other parts of Convene read with the session, in the same statement (``read_with_session``).
_EXTRAS: dict[str, Callable[[Engine], ColumnElement[Any] | None]] = {}
#: The session read per engine, built once (``_session_read``); an engine that is gone takes its read with it.
_READS: weakref.WeakKeyDictionary[Engine, tuple[Select[Any], list[tuple[str, list[tuple[str, str]]]], list[str]]] = (
    weakref.WeakKeyDictionary()
)


_CLASSES: list[tuple[str, Any]] = []


def _loaded() -> list[tuple[str, Any]]:
    """What the session read loads, each with the prefix of its columns' labels: the session row, its user, the
    user's agency and the agency's area (named through the user's relationships: the directory is a feature)."""
    if not _CLASSES:
        agency = inspect(User).relationships["agency"].mapper.class_
        area = inspect(agency).relationships["local_authority"].mapper.class_
        _CLASSES.extend([("s", UserSession), ("u", User), ("a", agency), ("l", area)])
    return _CLASSES


def read_with_session(name: str, column: Callable[[Engine], ColumnElement[Any] | None]) -> None:
    """Read ``column(engine)`` (a scalar subquery, or None for nothing) in the statement that reads every
    signed-in request's session, and keep its value in ``ServerSession.extras[name]``: a value every request
    needs (the dashboard's data token) then costs no round trip of its own."""
    _EXTRAS[name] = column
    _READS.clear()


def _session_read(engine: Engine) -> tuple[Select[Any], list[tuple[str, list[tuple[str, str]]]], list[str]]:
    built = _READS.get(engine)
    if built is not None:
        return built
    columns: list[ColumnElement[Any]] = []
    loaded: list[tuple[str, list[tuple[str, str]]]] = []
    classes = _loaded()
    for prefix, cls in classes:
        mapper: Mapper[Any] = inspect(cls)
        names = [(attribute.key, f"{prefix}__{attribute.key}") for attribute in mapper.column_attrs]
        columns += [getattr(cls, key).label(label) for key, label in names]
        loaded.append((prefix, names))
    extras: list[str] = []
    for name, make in _EXTRAS.items():
        column = make(engine)
        if column is not None:
            columns.append(column.label(f"x__{name}"))
            extras.append(name)
    agency, area = classes[2][1], classes[3][1]
    statement = (
        select(*columns)
        .select_from(UserSession)
        .outerjoin(User, User.id == UserSession.user_id)
        .outerjoin(agency, agency.id == User.agency_id)
        .outerjoin(area, area.id == agency.local_authority_id)
        .where(UserSession.id == bindparam("session_id"))
    )
    _READS[engine] = (statement, loaded, extras)
    return statement, loaded, extras


@dataclass(frozen=True)
class SessionRead:
    """One session read (``_load_row``): the row's values by label, how to make objects of them (``_attach``),
    and the values others read with it."""

    values: Mapping[str, Any]
    loaded: list[tuple[str, list[tuple[str, str]]]]
    extras: dict[str, Any]

    @property
    def session_id(self) -> str:
        return str(self.values["s__id"])

    @property
    def last_seen_at(self) -> datetime:
        return self.values["s__last_seen_at"]  # type: ignore[no-any-return]

    @property
    def identity(self) -> SignedIn | None:
        v = self.values
        if v["u__id"] is None or v["a__local_authority_id"] is None:
            return None
        return SignedIn(
            id=v["u__id"],
            role=Role(v["u__role"]),
            agency_id=v["u__agency_id"],
            area_id=v["a__local_authority_id"],
            display_name=v["u__display_name"],
            is_active=bool(v["u__is_active"]),
            locked_at=v["u__locked_at"],
        )


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to, as read with it: what the guard checks on every request (active, not locked, the
    role's permissions) and what the audit and a cached page need, without the account's database object."""

    id: uuid.UUID
    role: Role
    agency_id: uuid.UUID
    #: The agency's area (``local_authority_id``).
    area_id: uuid.UUID
    display_name: str
    is_active: bool
    locked_at: datetime | None


class ServerSession(dict[str, Any], SessionMixin):
    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        read: SessionRead | None = None,
        expired: bool = False,
        expired_user_id: uuid.UUID | None = None,
        stale_cookie: bool = False,
    ) -> None:
        super().__init__(initial or {})
        self.token = token
        # The session read (``_load_row``): its row id, when it was last seen, who it belongs to, the values others
        # read with it; the row and the account as database objects only when first used (``row``, ``user``).
        self._read = read
        self._loaded = False  # the row and the account made database objects (``_load``)
        self._row: UserSession | None = None
        self._user: User | None = None
        self.session_id: str | None = read.session_id if read else None
        self.last_seen_at: datetime | None = read.last_seen_at if read else None
        self.identity: SignedIn | None = read.identity if read else None
        self.extras: dict[str, Any] = read.extras if read else {}
        self.expired = expired
        # The user of the real, signed-in session that has just expired (drafts are kept only for them).
        self.expired_user_id = expired_user_id
        # The browser sent a session cookie that matches no live session: it is removed.
        self.stale_cookie = stale_cookie
        self.modified = False
        self.regenerate_requested = False
        self.destroy_requested = False

    def _load(self) -> None:
        if self._read is not None and not self._loaded:
            self._loaded = True
            self._row, self._user = _attach(self._read.values, self._read.loaded)

    @property
    def row(self) -> UserSession | None:
        """The session's row in the request's database session (put there on first use, without a query)."""
        self._load()
        return self._row

    @row.setter
    def row(self, row: UserSession) -> None:
        self._load()  # the account stays the one read; the new row replaces the old
        self._row, self.session_id, self.last_seen_at = row, row.id, row.last_seen_at

    @property
    def user(self) -> User | None:
        """The session's account, with its agency and area, in the request's database session (put there on first
        use, without a query). The guard checks ``identity`` before anything uses it."""
        self._load()
        return self._user

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.modified = True
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.modified = True
        return super().pop(key, *default)

    def clear(self) -> None:
        self.modified = True
        super().clear()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)

    def regenerate(self) -> None:
        """Issue a new session id at the end of this request; the old one stops working."""
        self.regenerate_requested = True
        self.modified = True

    def destroy(self) -> None:
        self.destroy_requested = True
        self.clear()


class DatabaseSessionInterface(SessionInterface):
    def _limits(self, app: Flask) -> tuple[timedelta, timedelta]:
        settings = app.config["SETTINGS"]
        return timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_absolute_hours)

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(str(app.config["SECRET_KEY"]), salt="convene-pre-session")

    def _pre_session(self, app: Flask, request: Request) -> dict[str, Any]:
        value = request.cookies.get(PRE_COOKIE_NAME)
        if not value or len(value) > 4096:
            return {}
        idle, _absolute = self._limits(app)
        try:
            data = self._serializer(app).loads(value, max_age=int(idle.total_seconds()))
        except BadSignature:
            return {}
        return data if isinstance(data, dict) and "user_id" not in data else {}

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(COOKIE_NAME)
        if not token or len(token) > 128:
            return ServerSession(self._pre_session(app, request), stale_cookie=bool(token))
        read = self._load_row(_hash(token))
        if read is None:  # a made-up cookie, or one whose session ended long ago
            return ServerSession(self._pre_session(app, request), stale_cookie=True)
        idle, absolute = self._limits(app)
        now = utcnow()
        values = read.values
        if now - values["s__last_seen_at"] > idle or now - values["s__created_at"] > absolute:
            signed_in_user = values["s__user_id"] if values["s__mfa_at"] is not None else None
            db.session.execute(delete(UserSession).where(UserSession.id == read.session_id))
            db.session.commit()
            return ServerSession(
                self._pre_session(app, request), expired=True, expired_user_id=signed_in_user, stale_cookie=True
            )
        return ServerSession(dict(values["s__data"] or {}), token=token, read=read)

    @staticmethod
    def _load_row(session_id: str) -> SessionRead | None:
        """The session row, its user (with the user's agency and its area) and the values others read with the
        session (``read_with_session``), in one statement outside the unit of work (``db.read_at_once``).

        Every signed-in request needs them: the guard (``conference.security``) checks the user read here
        (``SignedIn``: active, not locked) on every request, so an administrator's change takes effect on the
        next. The row and the account become database objects of the request's session only when something uses
        them (``ServerSession.row`` and ``user``, ``attach_loaded``: no second query); a page served from a cache
        never needs them.
        """
        statement, loaded, extras = _session_read(db.engine)
        found = db.read_at_once(statement, {"session_id": session_id})
        if found is None:
            return None
        return SessionRead(found, loaded, {name: found[f"x__{name}"] for name in extras})

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        if session.destroy_requested:
            if session.session_id is not None:
                db.session.execute(delete(UserSession).where(UserSession.id == session.session_id))
                db.session.commit()
            response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="Lax")
            response.delete_cookie(PRE_COOKIE_NAME, path="/", secure=True, httponly=True, samesite="Lax")
            return
        if session.session_id is None and not session.get("user_id"):
            self._save_pre_session(app, session, response)
            return
        if not session and session.session_id is None and not session.modified:
            return
        now = utcnow()
        if session.session_id is None or session.regenerate_requested:
            if session.session_id is not None:
                db.session.execute(delete(UserSession).where(UserSession.id == session.session_id))
            token = secrets.token_urlsafe(32)
            new_row = UserSession(id=_hash(token), created_at=now, last_seen_at=now, data=dict(session))
            self._copy_auth(session, new_row)
            db.session.add(new_row)
            db.session.commit()
            session.token, session.row = token, new_row
            response.set_cookie(COOKIE_NAME, token, path="/", secure=True, httponly=True, samesite="Lax")
            response.delete_cookie(PRE_COOKIE_NAME, path="/", secure=True, httponly=True, samesite="Lax")
            return
        last_seen_at = session.last_seen_at
        if not session.modified and last_seen_at is not None and now - last_seen_at < TOUCH_INTERVAL:
            return  # nothing changed and the idle clock was reset recently: spare the database a write
        row = session.row
        if row is None:
            return
        row.data = dict(session)
        row.last_seen_at = now
        self._copy_auth(session, row)
        db.session.commit()

    def _save_pre_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        """Before sign-in: the session travels in a signed cookie, and no row is written."""
        if session.stale_cookie:
            response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True, samesite="Lax")
        data = dict(session)
        if not data and not session.modified:
            return
        # Re-signed on every answer while it holds anything, so its 30 minutes run from the last request.
        value = self._serializer(app).dumps(data)
        if len(value) > PRE_SESSION_MAX_BYTES:
            data.pop("next", None)
            value = self._serializer(app).dumps(data)
        if not data:
            response.delete_cookie(PRE_COOKIE_NAME, path="/", secure=True, httponly=True, samesite="Lax")
            return
        response.set_cookie(PRE_COOKIE_NAME, value, path="/", secure=True, httponly=True, samesite="Lax")

    @staticmethod
    def _copy_auth(session: ServerSession, row: UserSession) -> None:
        """The authentication facts live in columns so that sessions can be listed and ended per user."""
        user_id = session.get("user_id")
        row.user_id = uuid.UUID(user_id) if user_id else None
        row.password_at = datetime.fromisoformat(session["password_at"]) if session.get("password_at") else None
        row.mfa_at = datetime.fromisoformat(session["mfa_at"]) if session.get("mfa_at") else None


def _attach(row: Mapping[str, Any], loaded: list[tuple[str, list[tuple[str, str]]]]) -> tuple[UserSession, User | None]:
    """The session row and its user, with the user's agency and area, as loaded objects of the request's session."""
    values = {prefix: {key: row[label] for key, label in names} for prefix, names in loaded}
    session = db.session()
    classes = dict(_loaded())
    if values["l"]["id"] is None:  # no user (or no agency): the guard refuses the session
        return attach_loaded(session, UserSession, values["s"]), None
    area = attach_loaded(session, classes["l"], values["l"])
    agency = attach_loaded(session, classes["a"], values["a"], local_authority=area)
    user = attach_loaded(session, User, values["u"], agency=agency)
    return attach_loaded(session, UserSession, values["s"]), user
