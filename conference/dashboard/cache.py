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
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import inspect, text

from conference.extensions import db

#: How long a rendered copy is reused at most. Convene's own choice: long enough that a busy dashboard is served
#: from the cache, short enough that what changes with the clock alone is at most this late.
TTL_SECONDS = 15.0
#: Copies kept per process (the least recently used go first): scopes x roles x periods asked for.
MAX_ENTRIES = 256
TABLE = "dashboard_data_version"


@dataclass(frozen=True)
class _Copy:
    html: Markup
    token: str
    stored_at: float


_copies: OrderedDict[Hashable, _Copy] = OrderedDict()
_lock = threading.Lock()
_table_present: dict[int, bool] = {}
stats = {"hits": 0, "misses": 0}


def _present() -> bool:
    engine = db.engine
    key = id(engine)
    if key not in _table_present:
        _table_present[key] = inspect(engine).has_table(TABLE)
    return _table_present[key]


def data_token() -> str | None:
    """The token of the data the dashboard shows, or ``None`` (nothing is cached) without migration 0015."""
    if not _present():
        return None
    postgres = db.session.get_bind().dialect.name == "postgresql"
    # Noted for the rest of this transaction: a change after this read changes the token again (migration 0015).
    noted = ", set_config('convene.dashboard_read', token, true)" if postgres else ""
    token = db.session.execute(text(f"SELECT token{noted} FROM {TABLE} WHERE id = 1")).scalar()
    return None if token is None else str(token)


def rendered(key: Hashable, render: Callable[[], str], *, now: Callable[[], float] = time.monotonic) -> Markup:
    """The cached HTML for ``key`` if its token is current and it is fresh, otherwise ``render()`` (stored)."""
    token = data_token()
    if token is not None:
        with _lock:
            copy = _copies.get(key)
            if copy is not None and copy.token == token and now() - copy.stored_at < TTL_SECONDS:
                _copies.move_to_end(key)
                stats["hits"] += 1
                return copy.html
    stats["misses"] += 1
    html = Markup(render())  # the output of an autoescaped template
    if token is not None:
        with _lock:
            _copies[key] = _Copy(html, token, now())
            _copies.move_to_end(key)
            while len(_copies) > MAX_ENTRIES:
                _copies.popitem(last=False)
    return html


def clear() -> None:
    """Forget every copy (tests)."""
    with _lock:
        _copies.clear()
