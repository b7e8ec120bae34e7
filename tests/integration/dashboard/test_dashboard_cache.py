"""The dashboard's panels are rendered once per scope and reused while nothing they show has changed
(conference/dashboard/cache.py): a change shows on the next load, whoever made it and however, and no scope ever
gets another's panels."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from conference.auth.models import Role
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.dashboard import cache
from conference.extensions import db
from rules.vocabulary import AgencyKind
from tests.integration.dashboard.test_dashboard import count_statements
from tests.integration.test_cases import _new_case_form


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture()
def two_areas(factories):  # type: ignore[no-untyped-def]
    area = factories.area("NB", "Northbridge")
    social_care = factories.agency(area, AgencyKind.CHILDREN_SOCIAL_CARE, name="Northbridge Children's Services")
    other_area = factories.area("EM", "Eastmere")
    return {
        "area": area,
        "coordinator": factories.user(social_care, Role.COORDINATOR),
        "manager": factories.user(social_care, Role.MANAGER),
        "other_coordinator": factories.user(factories.agency(other_area), Role.COORDINATOR),
        "factories": factories,
    }


def open_case_references(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    return [row.find("td").get_text(strip=True) for row in page.select("#open-cases tbody tr")]


def test_a_second_load_reads_only_the_session_and_the_data_token(client, two_areas) -> None:
    f, coordinator = two_areas["factories"], two_areas["coordinator"]
    for _ in range(3):
        f.case(coordinator)
    f.sign_in(client, coordinator)
    client.get("/dashboard")
    with count_statements() as first:
        first_refs = open_case_references(client.get("/dashboard"))
    f.case(coordinator)
    client.get("/dashboard")  # worked out afresh after the change
    with count_statements() as second:
        second_refs = open_case_references(client.get("/dashboard"))
    assert len(first_refs) == 3 and len(second_refs) == 4
    for statements in (first, second):
        text = "\n".join(statements)
        assert "dashboard_data_version" in text
        assert "FROM cases" not in text and "agencies.id AS agency_id" not in text, text
    # The session with its user and the data token, in one statement (conference/auth/sessions.py; the test's
    # savepoints aside): the same whatever the number of cases.
    reads = [[s for s in statements if "SAVEPOINT" not in s] for statements in (first, second)]
    assert len(reads[0]) == len(reads[1]) == 1, "\n".join(second)
    assert "user_sessions" in reads[1][0] and "dashboard_data_version" in reads[1][0]
    assert cache.stats["page_hits"] >= 2


def test_the_user_who_opens_a_case_sees_it_on_the_next_load(client, two_areas) -> None:
    f, coordinator = two_areas["factories"], two_areas["coordinator"]
    f.case(coordinator, missing_risk=MissingRisk.LOW)
    f.sign_in(client, coordinator)
    assert len(open_case_references(client.get("/dashboard"))) == 1

    response = client.post("/cases/new", data=_new_case_form(client))
    assert response.status_code == 302
    opened = db.session.scalars(select(Case).order_by(Case.created_at.desc())).first()
    assert opened is not None

    references = open_case_references(client.get("/dashboard"))
    assert references[0] == opened.reference and len(references) == 2


def test_a_change_from_another_connection_shows_on_the_next_load(client, two_areas) -> None:
    """A plain SQL update, as another process or a script would make it, also changes the data token."""
    f, coordinator = two_areas["factories"], two_areas["coordinator"]
    kept = f.case(coordinator, missing_risk=MissingRisk.HIGH)
    closed = f.case(coordinator, missing_risk=MissingRisk.HIGH)
    f.sign_in(client, coordinator)
    assert sorted(open_case_references(client.get("/dashboard"))) == sorted([kept.reference, closed.reference])
    token = cache.data_token()

    db.session.execute(update(Case).where(Case.id == closed.id).values(status=CaseStatus.CLOSED))
    db.session.commit()

    assert cache.data_token() != token
    assert open_case_references(client.get("/dashboard")) == [kept.reference]


def test_no_scope_or_role_gets_the_panels_cached_for_another(client, two_areas) -> None:
    f = two_areas["factories"]
    mine = f.case(two_areas["coordinator"])
    theirs = f.case(two_areas["other_coordinator"])
    f.sign_in(client, two_areas["coordinator"])
    assert open_case_references(client.get("/dashboard")) == [mine.reference]

    client.post("/logout", data={"csrf_token": _token(client)})
    f.sign_in(client, two_areas["other_coordinator"])
    assert open_case_references(client.get("/dashboard")) == [theirs.reference]

    client.post("/logout", data={"csrf_token": _token(client)})
    f.sign_in(client, two_areas["manager"])
    assert open_case_references(client.get("/dashboard")) == [mine.reference]
    assert cache.stats["misses"] >= 3


def _token(client) -> str:  # type: ignore[no-untyped-def]
    page = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html5lib")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return str(field["value"])


def test_a_copy_is_reused_only_while_fresh_and_its_token_is_current(app, monkeypatch) -> None:
    tokens = iter(["a", "a", "a", "b"])
    monkeypatch.setattr(cache, "data_token", lambda: next(tokens))
    rendered: list[int] = []

    def render() -> str:
        rendered.append(1)
        return f"<p>render {len(rendered)}</p>"

    clock = [100.0]
    with app.app_context():
        first = cache.rendered("key", render, now=lambda: clock[0])
        again = cache.rendered("key", render, now=lambda: clock[0])
        clock[0] += cache.TTL_SECONDS + 1
        stale = cache.rendered("key", render, now=lambda: clock[0])
        changed = cache.rendered("key", render, now=lambda: clock[0])
    assert [str(first), str(again), str(stale), str(changed)] == [
        "<p>render 1</p>",
        "<p>render 1</p>",
        "<p>render 2</p>",
        "<p>render 3</p>",
    ]


def test_the_cache_keeps_at_most_its_bound(app, monkeypatch) -> None:
    monkeypatch.setattr(cache, "data_token", lambda: "t")
    with app.app_context():
        for n in range(cache.MAX_ENTRIES + 10):
            cache.rendered(("key", n), lambda: "<p>x</p>")
    assert len(cache._copies) == cache.MAX_ENTRIES
    assert ("key", 0) not in cache._copies and ("key", cache.MAX_ENTRIES + 9) in cache._copies


def test_a_later_action_due_shows_once_the_copy_is_older_than_its_lifetime(client, two_areas, monkeypatch) -> None:
    """What changes with the clock alone shows within TTL_SECONDS: here the copy has expired."""
    f, coordinator = two_areas["factories"], two_areas["coordinator"]
    f.case(coordinator)
    f.sign_in(client, coordinator)
    client.get("/dashboard")
    misses = cache.stats["misses"]
    client.get("/dashboard")
    assert cache.stats["misses"] == misses
    monkeypatch.setattr(cache, "TTL_SECONDS", 0.0)
    client.get("/dashboard")
    assert cache.stats["misses"] == misses + 1
