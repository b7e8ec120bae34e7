"""Engine and session handling, without Flask-SQLAlchemy.

``db.session`` is a scoped session bound to the current app's engine and scoped to the app context.
The request's unit of work commits once, after the view (``commit_unit_of_work`` in ``conference.security``);
CLI and worker code use ``db.unit_of_work()``.

Tests may bind every session to one connection that holds an outer transaction, with
``db.bind_session_to(connection)``: the sessions' own ``commit()`` calls then release savepoints and the test
rolls the outer transaction back at the end, so nothing reaches the database for real.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context
from flask.globals import app_ctx
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event, exc, inspect
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

ENGINE_KEY = "convene.engine"
AUTOCOMMIT_KEY = "convene.engine.autocommit"
#: A pooled PostgreSQL connection idle longer than this is pinged before use (see ``_ping_when_idle``). Convene's
#: own choice: a connection used a moment ago by another request is alive; one idle this long may have been cut.
PING_AFTER_IDLE_SECONDS = 10.0


def _scope() -> int:
    """One session per application context (each request, each CLI command), through Flask's public API."""
    if not has_app_context():
        return id(None)
    proxy: Any = app_ctx  # a werkzeug LocalProxy: the AppContext object itself, not the proxy
    return id(proxy._get_current_object())


class AppBoundSession(Session):
    def get_bind(self, *args: Any, **kwargs: Any) -> Engine | Connection:
        if self.bind is not None:  # a test's connection (see Database.bind_session_to)
            return self.bind
        return current_app.extensions[ENGINE_KEY]  # type: ignore[no-any-return]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, only for connections that sat idle in the pool.

    ``pool_pre_ping`` costs a round trip to the database on every checkout, one in five or six of a signed-in page's
    (profiled under load: docs/benchmarks.md). A connection returned to the pool less than
    ``PING_AFTER_IDLE_SECONDS`` ago is used as it is; an older one is pinged first, and if the ping fails the pool
    is told (``DisconnectionError``), drops it and checks out another (SQLAlchemy's documented custom
    pessimistic ping). A connection cut within those seconds fails its one request, which rolls back, and
    SQLAlchemy then invalidates the pool.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
            return  # new (just connected) or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError() from error


class Database:
    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(
            sessionmaker(class_=AppBoundSession, expire_on_commit=False), scopefunc=_scope
        )

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions[ENGINE_KEY] = engine
        # The same pool; each statement is its own transaction (``read_at_once``).
        app.extensions[AUTOCOMMIT_KEY] = engine.execution_options(isolation_level="AUTOCOMMIT")

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @contextmanager
    def bind_session_to(self, connection: Connection) -> Iterator[None]:
        """Test hook: sessions made inside the block use ``connection`` and its open transaction.

        Each session joins with ``join_transaction_mode="create_savepoint"``: its ``commit()`` releases a
        SAVEPOINT and its ``rollback()`` rolls back to one, so the caller's outer transaction decides what is
        kept. Code that uses ``db.engine`` directly (the outbox's claim and ledger) is not joined.
        """
        factory = self.session.session_factory
        before = dict(factory.kw)
        self.session.remove()
        factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            self.session.remove()
            factory.kw.clear()
            factory.kw.update(before)

    @property
    def engine(self) -> Engine:
        return current_app.extensions[ENGINE_KEY]  # type: ignore[no-any-return]

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def read_at_once(self, statement: Executable, params: dict[str, Any] | None = None) -> Row[Any] | None:
        """The first row of one read, outside the request's unit of work: no transaction is begun or ended for it.

        For the read every signed-in request starts with (its session, ``conference.auth.sessions``): inside the
        unit of work it cost a BEGIN and a COMMIT on top of the statement, three round trips where one does, and
        a page served from a cache then needed nothing else from the database. Use it only for a read whose rows
        need no lock and no consistency with later statements. A test that bound the sessions to its connection
        (``bind_session_to``) is read on that connection, whose open transaction holds the test's rows.
        """
        session = self.session()
        if session.bind is not None:
            return session.execute(statement, params).first()
        engine: Engine = current_app.extensions[AUTOCOMMIT_KEY]
        with engine.connect() as connection:
            return connection.execute(statement, params).first()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction for CLI and worker code: commit on success, roll back on error."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def attach_loaded(session: Session, cls: type[Any], values: dict[str, Any], **related: Any) -> Any:
    """An instance of the mapped ``cls`` with the column ``values`` read by a Core statement, in ``session`` as if
    the ORM had loaded it (persistent, nothing to write), without asking the database again.

    ``related`` sets relationships already read (``agency=...``); relationships not given load when first used.
    An instance already in ``session`` with the same key is refreshed with ``values`` instead (what
    ``populate_existing`` does for an ORM query). Loading through the ORM's own query cost about three times as
    much CPU for the session read of every signed-in request (docs/benchmarks.md).
    """
    mapper = inspect(cls)
    key = mapper.identity_key_from_primary_key([values[column.key] for column in mapper.primary_key])
    existing = session.identity_map.get(key)
    instance = existing if existing is not None else mapper.class_manager.new_instance()
    for name, value in values.items():
        set_committed_value(instance, name, value)
    for name, value in related.items():
        set_committed_value(instance, name, value)
    if existing is None:
        make_transient_to_detached(instance)
        session.add(instance)
    return instance
