"""Throwaway test databases: PostgreSQL by default (as in production), SQLite for the embedded smoke run."""

from __future__ import annotations

import os
import secrets

import psycopg

ADMIN_DSN = os.environ.get("CONVENE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def create_postgres_database() -> tuple[str, str]:
    """Create an empty database and return (name, SQLAlchemy URL). Fails loudly if PostgreSQL is down."""
    name = f"convene_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {ADMIN_DSN}. Start it (make test does: see Makefile) "
            "or set CONVENE_TEST_PG_ADMIN."
        ) from error
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
