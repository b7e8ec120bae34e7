"""The read every signed-in request starts with (conference/auth/sessions.py): one statement outside the unit of
work, on PostgreSQL run on the driver's own cursor (conference/database.py, ``_DriverRead``). These tests commit
for real (``committed``): the read happens outside the test's transaction, as in production."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, delete, select, text, update

from conference.auth.models import Role, User, UserSession
from conference.auth.sessions import _session_read
from conference.database import _DriverRead
from conference.db import utcnow
from conference.extensions import db

pytestmark = pytest.mark.committed


def _signed_in(client, factories) -> tuple[User, str]:  # type: ignore[no-untyped-def]
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)
    session_id = db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)).one()
    db.session.commit()
    return user, session_id


def test_the_driver_read_answers_what_sqlalchemy_answers(client, factories) -> None:  # type: ignore[no-untyped-def]
    _user, session_id = _signed_in(client, factories)
    statement, _loaded, _extras = _session_read(db.engine)
    through_sqlalchemy = dict(db.session.execute(statement, {"session_id": session_id}).one()._mapping)
    db.session.commit()
    through_driver = _DriverRead.of(db.engine, statement).first(db.engine, {"session_id": session_id})
    assert through_driver == through_sqlalchemy
    # The same Python types too (a role as a Role, times aware and in UTC, ids as UUIDs, the data as a dict).
    assert {k: type(v) for k, v in through_driver.items()} == {k: type(v) for k, v in through_sqlalchemy.items()}
    assert isinstance(through_driver["u__role"], Role)
    assert through_driver["s__created_at"].utcoffset() == timedelta(0)
    assert through_driver["x__dashboard_data_token"]
    assert _DriverRead.of(db.engine, statement).first(db.engine, {"session_id": "no-such-session"}) is None


def test_a_session_ended_elsewhere_is_refused_on_the_next_request(client, factories) -> None:  # type: ignore[no-untyped-def]
    user, session_id = _signed_in(client, factories)
    page = client.get("/dashboard")
    assert page.status_code == 200 and user.display_name in page.get_data(as_text=True)
    # Another process ends the session (signing out everywhere, an administrator): the next request is refused.
    with db.engine.begin() as connection:
        connection.execute(delete(UserSession).where(UserSession.id == session_id))
    refused = client.get("/dashboard")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def test_an_account_locked_elsewhere_is_refused_on_the_next_request(client, factories) -> None:  # type: ignore[no-untyped-def]
    user, _session_id = _signed_in(client, factories)
    assert client.get("/dashboard").status_code == 200
    with db.engine.begin() as connection:
        connection.execute(update(User).where(User.id == user.id).values(locked_at=utcnow()))
    refused = client.get("/dashboard")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def test_the_idle_clock_is_still_reset_through_the_session_read(client, factories) -> None:  # type: ignore[no-untyped-def]
    """The session row read outside the unit of work is still the request's own: touching it is saved."""
    _user, session_id = _signed_in(client, factories)
    twenty_minutes_ago = utcnow() - timedelta(minutes=20)
    with db.engine.begin() as connection:
        connection.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=twenty_minutes_ago)
        )
    assert client.get("/dashboard").status_code == 200
    with db.engine.connect() as connection:
        seen = connection.execute(select(UserSession.last_seen_at).where(UserSession.id == session_id)).scalar_one()
    assert seen > twenty_minutes_ago + timedelta(minutes=19)


def test_a_session_idle_too_long_is_ended(client, factories) -> None:  # type: ignore[no-untyped-def]
    _user, session_id = _signed_in(client, factories)
    with db.engine.begin() as connection:
        connection.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=utcnow() - timedelta(hours=1))
        )
    assert client.get("/dashboard").status_code == 302
    with db.engine.connect() as connection:
        assert connection.execute(select(UserSession.id).where(UserSession.id == session_id)).first() is None


def test_a_connection_the_server_dropped_leaves_the_pool(client, factories) -> None:  # type: ignore[no-untyped-def]
    """The session read runs on the driver's cursor: a pooled connection whose server process ended fails its one
    request, as with SQLAlchemy's own statements, and is dropped from the pool, so the next requests work."""
    _user, _session_id = _signed_in(client, factories)
    assert client.get("/dashboard").status_code == 200
    db.session.remove()
    outside = create_engine(db.engine.url)  # not the app's pool: its connections are the ones to end
    with outside.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
        connection.commit()
    outside.dispose()
    assert ended, "no pooled connection to end"
    answers = [client.get("/dashboard").status_code for _ in range(len(ended) + 1)]
    assert answers[-1] == 200, answers  # every dropped connection failed at most once, then left the pool
    assert set(answers) <= {200, 500}, answers
    assert [client.get("/dashboard").status_code for _ in range(3)] == [200, 200, 200]
