"""The dashboard's panels, rendered once and reused by everyone with the same scope while nothing they show changed.

Profiled on 500 open cases (docs/benchmarks.md), a dashboard request spent about 20 ms in the database (mostly the
engagement report) and about 25 ms rendering the panels, so under load the page served a few dozen a second. The
panels depend only on the cases a user may see (``conference.cases.scope.scope_key``), the user's role, the period
asked for, and the time; so each process keeps the rendered HTML of the panels per (scope, role, period) and
reuses it while:

* the **data token** is unchanged: one row, ``dashboard_data_version``, whose token database triggers replace in
  the same transaction as any change to a table the panels read (migration 0015). A change committed by any
  process or connection therefore shows on the next load anywhere, and the person who made it sees it at once
  (their change committed before their next request reads the token). The token is read before the panels are
  worked out, so a cached copy is never older than its token; and
* it is younger than ``TTL_SECONDS``: what changes with the time alone (a meeting that has started, an action
  now overdue, "3 hours ago") shows within that.

Never across scopes: the key holds the scope (area or agency) and the role. A panel whose HTML depends on anything
else about the user (a permission other than by role, a form with a CSRF token) must be rendered outside the
cached part (templates/dashboard/dashboard.html, not _panels.html).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import has_request_context, request
from flask import session as flask_session
from markupsafe import Markup
from sqlalchemy import ColumnElement, Engine, column, func, inspect, select, table

from conference.auth.sessions import read_with_session
from conference.extensions import db

#: How long a rendered copy is reused at most. Convene's own choice: long enough that a busy dashboard is served
#: from the cache, short enough that what changes with the clock alone is at most this late.
TTL_SECONDS = 15.0
#: Copies kept per process (the least recently used go first): scopes x roles x periods asked for.
MAX_ENTRIES = 256
TABLE = "dashboard_data_version"
#: The token's name among the values read with the session.
TOKEN_EXTRA = "dashboard_data_token"


V = TypeVar("V")


@dataclass(frozen=True)
class _Copy(Generic[V]):
    value: V
    token: str
    stored_at: float


class _Shelf(Generic[V]):
    """Copies by key, each with the data token it was made under and when, the least recently used dropped first
    beyond ``limit``. Thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._copies: OrderedDict[Hashable, _Copy[V]] = OrderedDict()
        self._lock = threading.Lock()

    def fresh(self, key: Hashable, token: str, now: float) -> V | None:
        """The copy kept for ``key`` if it was made under ``token`` less than ``TTL_SECONDS`` ago."""
        with self._lock:
            copy = self._copies.get(key)
            if copy is None or copy.token != token or now - copy.stored_at >= TTL_SECONDS:
                return None
            self._copies.move_to_end(key)
            return copy.value

    def keep(self, key: Hashable, value: V, token: str, now: float) -> None:
        with self._lock:
            self._copies[key] = _Copy(value, token, now)
            self._copies.move_to_end(key)
            while len(self._copies) > self.limit:
                self._copies.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()

    def __len__(self) -> int:
        return len(self._copies)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._copies


_copies: _Shelf[Markup] = _Shelf(MAX_ENTRIES)
_table_present: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
stats = {"hits": 0, "misses": 0, "page_hits": 0}


def _present(engine: Engine | None = None) -> bool:
    engine = engine or db.engine
    if engine not in _table_present:
        _table_present[engine] = inspect(engine).has_table(TABLE)
    return _table_present[engine]


def _token_read(engine: Engine) -> ColumnElement[Any] | None:
    """The token as a scalar subquery, or None without migration 0015. On PostgreSQL it is also noted for the rest
    of the transaction that reads it (``set_config`` answers the value it sets): a change after this read changes
    the token again (migration 0015)."""
    if not _present(engine):
        return None
    version = table(TABLE, column("id"), column("token"))
    value: ColumnElement[Any] = version.c.token
    if engine.dialect.name == "postgresql":
        value = func.set_config("convene.dashboard_read", version.c.token, True)
    return select(value).where(version.c.id == 1).scalar_subquery()


# Read with every signed-in request's session, in the same statement (conference/auth/sessions.py).
read_with_session(TOKEN_EXTRA, _token_read)


def data_token() -> str | None:
    """The token of the data the dashboard shows, or ``None`` (nothing is cached) without migration 0015.

    On a GET it is the token read with the request's session (``read_with_session``), at the start of the request:
    the panels are worked out after it, so a copy is never older than its token. Otherwise it is read now."""
    if has_request_context() and request.method == "GET":
        extras = getattr(flask_session, "extras", {})
        if TOKEN_EXTRA in extras:
            token = extras[TOKEN_EXTRA]
            return None if token is None else str(token)
    column = _token_read(db.session.get_bind().engine)
    if column is None:
        return None
    token = db.session.execute(select(column)).scalar()
    return None if token is None else str(token)


def rendered(key: Hashable, render: Callable[[], str], *, now: Callable[[], float] = time.monotonic) -> Markup:
    """The cached HTML for ``key`` if its token is current and it is fresh, otherwise ``render()`` (stored)."""
    return _rendered(key, render, data_token(), now)


def _rendered(key: Hashable, render: Callable[[], str], token: str | None, now: Callable[[], float]) -> Markup:
    if token is not None:
        html = _copies.fresh(key, token, now())
        if html is not None:
            stats["hits"] += 1
            return html
    stats["misses"] += 1
    html = Markup(render())  # the output of an autoescaped template
    if token is not None:
        _copies.keep(key, html, token, now())
    return html


#: Whole pages kept per signed-in session (``page``): sessions x periods asked for; each page as its UTF-8 bytes
#: cut where the request's CSP nonce goes.
MAX_PAGES = 1024
_pages: _Shelf[list[bytes]] = _Shelf(MAX_PAGES)


def page(
    key: Hashable,
    panels_key: Hashable,
    render_panels: Callable[[], str],
    render_page: Callable[[Markup], str],
    nonce: str,
    *,
    now: Callable[[], float] = time.monotonic,
) -> bytes:
    """The whole dashboard page for ``key`` (one signed-in session, a period), reused on the same terms as the
    panels (current data token, younger than ``TTL_SECONDS``); otherwise the page is made from the cached panels
    (``rendered``) and kept.

    Profiled under load (docs/benchmarks.md), a request whose panels were reused still spent about a third of its
    time rendering the page around them: the header with the user's name and their sign-out form's CSRF token,
    the menu, the footer. Those depend on the session alone, so they are kept with the session's id in ``key``,
    never shared between sessions. The CSP nonce differs on every answer: the page is kept as bytes cut where the
    nonce goes, and joined with the request's own."""
    token = data_token()
    if token is not None:
        parts = _pages.fresh(key, token, now())
        if parts is not None:
            stats["page_hits"] += 1
            return nonce.encode().join(parts)
    body = render_page(_rendered(panels_key, render_panels, token, now)).encode()
    if token is not None and nonce:
        _pages.keep(key, body.split(nonce.encode()), token, now())
    return body


def clear() -> None:
    """Forget every copy (tests)."""
    _copies.clear()
    _pages.clear()
