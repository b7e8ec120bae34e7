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
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context
from flask.globals import app_ctx
from sqlalchemy import Compiled, Connection, Engine, Select, create_engine, event, exc, inspect
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session, sessionmaker
from sqlalchemy.orm.attributes import get_history, set_committed_value

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

    def read_at_once(self, statement: Select[Any], params: dict[str, Any] | None = None) -> Mapping[Any, Any] | None:
        """The first row of one read (by column name), outside the request's unit of work: no transaction is
        begun or ended for it.

        For the read every signed-in request starts with (its session, ``conference.auth.sessions``): inside the
        unit of work it cost a BEGIN and a COMMIT on top of the statement, three round trips where one does, and
        a page served from a cache then needed nothing else from the database. Use it only for a read whose rows
        need no lock and no consistency with later statements. A test that bound the sessions to its connection
        (``bind_session_to``) is read on that connection, whose open transaction holds the test's rows. On
        PostgreSQL the statement runs on the driver's own cursor (``_DriverRead``).
        """
        if self.session.session_factory.kw.get("bind") is not None:  # bound to a test's connection
            found = self.session.execute(statement, params).first()
            return None if found is None else found._mapping
        engine: Engine = current_app.extensions[ENGINE_KEY]
        if engine.dialect.name == "postgresql":
            return _DriverRead.of(engine, statement).first(engine, params or {})
        autocommit: Engine = current_app.extensions[AUTOCOMMIT_KEY]
        with autocommit.connect() as connection:
            row = connection.execute(statement, params).first()
            return None if row is None else row._mapping

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
    ``populate_existing`` does for an ORM query), except for attributes this session has changed and not yet
    written, which keep the change. Loading through the ORM's own query cost about three times as
    much CPU for the session read of every signed-in request (docs/benchmarks.md).
    """
    mapper = inspect(cls)
    key = mapper.identity_key_from_primary_key([values[column.key] for column in mapper.primary_key])
    existing = session.identity_map.get(key)
    if existing is not None:
        for name, value in {**values, **related}.items():
            if not get_history(existing, name).has_changes():  # a change this request made is kept
                set_committed_value(existing, name, value)
        return existing
    instance = mapper.class_manager.new_instance()
    # A new instance's attributes live in its __dict__; make_transient_to_detached then commits them all, as
    # loaded, with no history (what set_committed_value does one by one, at a fraction of the cost).
    instance.__dict__.update(values)
    instance.__dict__.update(related)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


class _DriverRead:
    """A read compiled once per engine and run on the driver's own cursor, in autocommit, its values converted by
    the columns' own types as SQLAlchemy would convert them: about a third of the CPU of executing it through
    SQLAlchemy (measured on the session read, docs/benchmarks.md). Only for statements whose parameters are
    plain strings and numbers, which the driver takes as they are; tests/integration/test_session_read.py checks
    that it answers what SQLAlchemy answers. Kept per engine without keeping the engine (tests make one per app).
    """

    _made: weakref.WeakKeyDictionary[Engine, dict[int, _DriverRead]] = weakref.WeakKeyDictionary()
    #: Called with each statement run this way (SQLAlchemy's own statement events do not see it): the benches
    #: count statements per page with both.
    listeners: list[Callable[[str], None]] = []

    def __init__(self, engine: Engine, statement: Select[Any]) -> None:
        self.statement = statement  # held, so that its id names it while this is kept
        self.dialect = engine.dialect
        self.compiled: Compiled = statement.compile(dialect=engine.dialect)
        self.names = [column.name for column in statement.selected_columns]
        self.types = [column.type.dialect_impl(engine.dialect) for column in statement.selected_columns]
        self.processors: list[Callable[[Any], Any] | None] | None = None

    @classmethod
    def of(cls, engine: Engine, statement: Select[Any]) -> _DriverRead:
        reads = cls._made.setdefault(engine, {})
        made = reads.get(id(statement))
        if made is None or made.statement is not statement:
            made = reads[id(statement)] = cls(engine, statement)
        return made

    def _processors(self, codes: list[Any]) -> list[Callable[[Any], Any] | None]:
        return [kind.result_processor(self.dialect, code) for kind, code in zip(self.types, codes, strict=True)]

    def first(self, engine: Engine, params: dict[str, Any]) -> dict[str, Any] | None:
        for listener in self.listeners:
            listener(self.compiled.string)
        connection = engine.raw_connection()
        driver: Any = connection.driver_connection
        try:
            driver.autocommit = True
            try:
                with driver.cursor() as cursor:
                    cursor.execute(self.compiled.string, self.compiled.construct_params(params))
                    row = cursor.fetchone()
                    if self.processors is None:
                        self.processors = self._processors([column[1] for column in cursor.description])
            finally:
                if not driver.closed:
                    driver.autocommit = False
        except Exception as error:
            # As SQLAlchemy does for its own statements: a connection the server dropped leaves the pool (else it
            # would be handed out again within PING_AFTER_IDLE_SECONDS and fail again); the error is raised as
            # SQLAlchemy's, so that callers see one kind of database error.
            dbapi = self.dialect.loaded_dbapi
            if isinstance(error, dbapi.Error):
                disconnected = self.dialect.is_disconnect(error, driver, None)
                if disconnected:
                    connection.invalidate(error)
                raise exc.DBAPIError.instance(
                    self.compiled.string, params, error, dbapi.Error, connection_invalidated=disconnected
                ) from error
            raise
        finally:
            connection.close()
        if row is None:
            return None
        return {
            name: (process(value) if process is not None else value)
            for name, value, process in zip(self.names, row, self.processors, strict=True)
        }
