"""What every signed-in request pays (issue 14): the session and its user in one statement, the idle clock reset at
most once a minute, the navigation built once per role and section, and the checks that must still hold on each
request (a deactivated or locked account, an ended session)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import event, select, update

from conference.auth.models import Role, User, UserSession
from conference.db import utcnow
from conference.extensions import db


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def navigation(client, path: str) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, path
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    return [
        (item.get_text(strip=True), "govuk-service-navigation__item--active" in item["class"])
        for item in soup.select("nav.govuk-service-navigation li")
    ]


def test_a_signed_in_page_reads_the_session_and_its_user_in_one_statement(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)
    client.get("/accessibility")  # the idle clock was just reset by signing in
    with statements() as seen:
        response = client.get("/accessibility")
    assert response.status_code == 200
    assert user.display_name in response.get_data(as_text=True)
    reads = [s for s in seen if "SAVEPOINT" not in s]  # the test's own savepoints aside
    assert len(reads) == 1, seen
    assert "FROM user_sessions" in reads[0] and "JOIN users" in reads[0]


def test_the_idle_clock_is_reset_at_most_once_a_minute(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    for seconds, written in ((30, False), (59, False), (61, True)):
        seen_at = utcnow() - timedelta(seconds=seconds)
        db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=seen_at))
        db.session.commit()
        with statements() as seen:
            assert client.get("/accessibility").status_code == 200
        assert any(s.startswith("UPDATE user_sessions") for s in seen) is written, (seconds, seen)


def test_a_deactivated_or_locked_account_is_refused_on_its_next_request(client, factories):
    area = factories.area()
    for change in ({"is_active": False}, {"locked_at": utcnow()}):
        user = factories.user(factories.agency(area), Role.COORDINATOR)
        factories.sign_in(client, user)
        assert client.get("/cases").status_code == 200
        db.session.execute(update(User).where(User.id == user.id).values(**change))
        db.session.commit()
        response = client.get("/cases")
        assert response.status_code == 302 and "/login" in response.headers["Location"], change
        assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).first() is None


def test_an_ended_session_is_refused_on_its_next_request(client, factories):
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    factories.sign_in(client, user)
    assert client.get("/cases").status_code == 200
    db.session.execute(UserSession.__table__.delete().where(UserSession.user_id == user.id))
    db.session.commit()
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_navigation_follows_the_role_and_marks_the_section(app, client, factories):
    area = factories.area()
    coordinator = factories.user(factories.agency(area), Role.COORDINATOR)
    member = factories.user(factories.agency(area, kind="police"), Role.AGENCY_MEMBER)
    administrator = factories.user(factories.agency(area), Role.ADMINISTRATOR)

    factories.sign_in(client, coordinator)
    assert navigation(client, "/cases") == [
        ("Dashboard", False),
        ("Plan the week", False),
        ("Cases", True),
        ("Directory", False),
    ]
    assert navigation(client, "/dashboard")[0] == ("Dashboard", True)
    assert navigation(client, "/accessibility") == [
        ("Dashboard", False),
        ("Plan the week", False),
        ("Cases", False),
        ("Directory", False),
    ]

    # Built once per role and section: another role on the same section gets its own items, never the cached ones.
    member_client, administrator_client = app.test_client(), app.test_client()
    factories.sign_in(member_client, member)
    assert navigation(member_client, "/cases") == [("Cases", True), ("Directory", False)]
    factories.sign_in(administrator_client, administrator)
    assert navigation(administrator_client, "/directory/agencies") == [("Directory", True), ("Accounts", False)]
