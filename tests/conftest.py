"""Shared fixtures. Unit tests use none of the app fixtures; integration tests get a real database.

The database is PostgreSQL (a throwaway database per test session and xdist worker, built by running the
migrations). Each integration test runs inside one outer transaction that is rolled back at the end: the app's
sessions join it through savepoints (``db.bind_session_to``), so the app's own commits release savepoints and
nothing reaches the database for real, and the audit chain head returns to where it was.

A test marked ``@pytest.mark.committed`` gets real commits instead, and every table is emptied after it: for
tests where another process, thread or connection must see the data (outbox workers, races, the SQLite smoke
run). The ``factories`` fixture follows the mode (commit, or flush inside the outer transaction).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from conference import create_app
from conference.config import Settings
from tests.support.database import create_postgres_database, drop_postgres_database
from tests.support.factories import Factories
from tests.support.pages import PageCheckingClient

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-convene-0123456789"
KEEP_TABLES = {"alembic_version", "audit_chain_head"}


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = os.environ.get("CONVENE_TEST_DATABASE_URL")
    if url:
        yield url
        return
    name, url = create_postgres_database()
    engine = create_engine(url)
    from conference import migrate

    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(name)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    base = Settings(
        environment="test",
        secret_key=TEST_SECRET_KEY,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=1,
        external_url="https://convene.test",
    )
    return base.with_overrides(**overrides) if overrides else base


def is_committed(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("committed") is not None


@pytest.fixture()
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    from conference.extensions import db, limiter

    app = create_app(make_settings(database_url))
    app.test_client_class = PageCheckingClient
    with app.app_context():
        if is_committed(request):
            yield app
            db.session.remove()
            _empty_tables(app)
            return
        with db.engine.connect() as connection:
            outer = connection.begin()
            try:
                with db.bind_session_to(connection):
                    yield app
            finally:
                outer.rollback()
        limiter.reset()


def _empty_tables(app: Flask) -> None:
    from conference.extensions import db
    from conference.models import metadata

    names = [t.name for t in metadata.sorted_tables if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
            conn.execute(text("TRUNCATE audit_events"))
        conn.execute(text("UPDATE audit_chain_head SET last_id = 0, last_hash = :h WHERE id = 1"), {"h": "0" * 64})
    from conference.extensions import limiter

    limiter.reset()


@pytest.fixture()
def client(app: Flask) -> PageCheckingClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture()
def factories(app: Flask, request: pytest.FixtureRequest) -> Factories:
    return Factories(app, committed=is_committed(request))
