"""A coordinator signs in, opens a case, finds it in the list, opens it; a manager sees who viewed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import Role
from conference.cases.models import Case
from conference.extensions import db
from tests.support.factories import csrf_token


def _new_case_form(client, **overrides):
    identified = datetime.now(UTC) - timedelta(hours=3)
    data = {
        "csrf_token": csrf_token(client, "/cases/new"),
        "child_first_name": "Canaryfirst",
        "child_last_name": "Canarylast",
        "child_born_on-day": "",
        "child_born_on-month": "",
        "child_born_on-year": "",
        "child_estimated_age": "15",
        "gender": "female",
        "nationality": "Canaryland",
        "languages": "Canarese",
        "interpreter_needed": "yes",
        "missing_risk": "high",
        "identified_on-day": str(identified.day),
        "identified_on-month": identified.strftime("%B"),
        "identified_on-year": str(identified.year),
        "identified_time": "00:01",
        "foreign_national": "no",
        "in_education": "no",
        "guardian_allocated": "no",
        "nrm_referral_made": "no",
    }
    data.update(overrides)
    return data


def test_coordinator_opens_a_case_and_finds_it(client, factories):
    area = factories.area("NB", "Northbridge")
    agency = factories.agency(area)
    coordinator = factories.user(agency, Role.COORDINATOR)
    factories.sign_in(client, coordinator)

    response = client.post("/cases/new", data=_new_case_form(client))
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert case.reference.startswith(f"NB-{datetime.now(UTC).year}-")
    assert "Canary" not in case.reference
    assert case.child_first_name == "Canaryfirst"

    listing = client.get("/cases")
    assert listing.status_code == 200
    soup = BeautifulSoup(listing.get_data(as_text=True), "html5lib")
    assert case.reference in soup.select_one("table").get_text()
    heading = soup.select_one(".govuk-notification-banner h3.govuk-notification-banner__heading")
    assert heading is not None and heading.get_text() == f"Case {case.reference} opened"

    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Canaryfirst" in text
    views = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "case.view", AuditEvent.object_id == str(case.id))
    )
    assert views == 1


def test_new_case_form_reports_every_missing_field_and_saves_nothing(client, factories):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.COORDINATOR))
    response = client.post("/cases/new", data={"csrf_token": csrf_token(client, "/cases/new")})
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    summary = [a.get_text() for a in soup.select(".govuk-error-summary a")]
    expected = [
        "Enter the child's first name",
        "Enter the child's date of birth or their estimated age",
        "Select the child's gender",
        "Select yes if the child needs an interpreter",
        "Enter the date the child was identified",
        "Enter the time the child was identified",
        "Select the risk of the child going missing",
        "Select yes if the child is a foreign national",
        "Select yes if the child is in education",
        "Select yes if an Independent Child Trafficking Guardian has been allocated",
        "Select yes if an NRM referral has been made",
    ]
    assert [next(m for m in expected if s.startswith(m)) for s in summary] == expected  # in page order
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_invalid_dates_and_times_get_design_system_messages(client, factories):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.COORDINATOR))
    data = _new_case_form(
        client,
        **{
            "identified_on-day": "31",
            "identified_on-month": "2",
            "identified_time": "25:99",
            "child_born_on-day": "3",
            "child_born_on-month": "",
            "child_born_on-year": "2012",
        },
    )
    response = client.post("/cases/new", data=data)
    assert response.status_code == 400
    text = BeautifulSoup(response.get_data(as_text=True), "html5lib").select_one(".govuk-error-summary").get_text()
    assert "Date of birth must include a month" in text
    assert "The date the child was identified must be a real date" in text
    assert "Enter a real time, for example 2:30pm or 14:30" in text
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_invalid_age_gets_one_message(client, factories):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.COORDINATOR))
    response = client.post("/cases/new", data=_new_case_form(client, child_estimated_age="fifteen"))
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert [a.get_text() for a in soup.select(".govuk-error-summary a")] == [
        "Estimated age must be a whole number between 0 and 25"
    ]


def test_case_list_sorts_by_urgency(client, factories):
    agency = factories.agency(factories.area())
    coordinator = factories.user(agency, Role.COORDINATOR)
    now = datetime.now(UTC)
    low = factories.case(coordinator, missing_risk="low", identified_at=now - timedelta(hours=1))
    high_old = factories.case(coordinator, missing_risk="high", identified_at=now - timedelta(hours=30))
    high_new = factories.case(coordinator, missing_risk="high", identified_at=now - timedelta(hours=2))
    factories.sign_in(client, coordinator)
    soup = BeautifulSoup(client.get("/cases?sort=urgency").get_data(as_text=True), "html5lib")
    order = [a.get_text() for a in soup.select("table a")]
    assert order == [high_new.reference, high_old.reference, low.reference]


def test_manager_sees_who_viewed_a_case_and_that_view_is_audited(client, factories, app):
    agency = factories.agency(factories.area())
    coordinator = factories.user(agency, Role.COORDINATOR)
    manager = factories.user(agency, Role.MANAGER)
    case = factories.case(coordinator)
    factories.sign_in(client, coordinator)
    assert client.get(f"/cases/{case.id}").status_code == 200
    other = app.test_client()
    factories.sign_in(other, manager)
    page = other.get(f"/cases/{case.id}/access-log")
    assert page.status_code == 200
    assert coordinator.display_name in page.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.access_log.view")
        )
        == 1
    )
    # A coordinator may not see the access log.
    assert client.get(f"/cases/{case.id}/access-log").status_code == 403
