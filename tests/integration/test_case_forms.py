"""The case-side pages read through their WTForms classes (issue 13): errors in page order with the GOV.UK wording,
each linking to the input to fix, and nothing saved on bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.auth.models import Role
from conference.cases.fact_models import CaseLink
from conference.extensions import db
from conference.safety.models import MissingEpisode, SafetyCheck
from rules.display import to_london
from tests.support.factories import csrf_token


def _summary(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    return [(a["href"], a.get_text(strip=True)) for a in soup.select(".govuk-error-summary a")]


def _moment(name: str, at: datetime) -> dict[str, str]:
    local = to_london(at)
    return {
        f"{name}-day": str(local.day),
        f"{name}-month": str(local.month),
        f"{name}-year": str(local.year),
        f"{name}-time": f"{local.hour:02d}:{local.minute:02d}",
    }


def _coordinator(factories):  # type: ignore[no-untyped-def]
    return factories.user(factories.agency(factories.area("NB", "Northbridge")), Role.COORDINATOR)


def test_link_page_lists_its_errors_in_page_order(client, factories) -> None:
    coordinator = _coordinator(factories)
    case = factories.case(coordinator)
    factories.sign_in(client, coordinator)
    path = f"/cases/{case.id}/links/new"
    empty = client.post(path, data={"csrf_token": csrf_token(client, path), "reference": " ", "kind": "cousins"})
    assert empty.status_code == 400
    assert _summary(empty) == [
        ("#reference", "Enter the reference of the case to link, for example NB-2026-0042"),
        ("#kind", "Select how the children are connected"),
        ("#reason", "Enter the reason for linking the cases"),
    ]
    long = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "reference": "N" * 21, "kind": "siblings", "reason": "x" * 2001},
    )
    assert _summary(long) == [
        ("#reference", "Reference must be 20 characters or fewer"),
        ("#reason", "Reason must be 2,000 characters or fewer"),
    ]
    assert db.session.scalars(select(CaseLink)).first() is None


def test_a_checklist_note_too_long_is_refused_and_nothing_changes(client, factories) -> None:
    coordinator = _coordinator(factories)
    case = factories.case(coordinator)
    check = db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id)).first()
    assert check is not None
    factories.sign_in(client, coordinator)
    path = f"/cases/{case.id}/safety/{check.id}"
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "status": "done", "owner_agency_id": "", "note": "n" * 2001}
    )
    assert response.status_code == 400
    assert _summary(response) == [("#note", "Note must be 2000 characters or fewer")]
    db.session.refresh(check)
    assert check.note == ""


def test_a_report_before_last_seen_is_listed_after_the_other_episode_errors(client, factories) -> None:
    coordinator = _coordinator(factories)
    case = factories.case(coordinator)
    factories.sign_in(client, coordinator)
    path = f"/cases/{case.id}/missing-episodes/new"
    now = datetime.now(UTC)
    data = {
        "csrf_token": csrf_token(client, path),
        **_moment("last_seen", now - timedelta(hours=2)),
        **_moment("reported", now - timedelta(hours=3)),
        "police_reference": "",
        "risk": "extreme",
    }
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert _summary(response) == [
        ("#police_reference", "Enter the police reference for the missing-person report"),
        ("#risk", "Select the police's risk grading"),
        ("#reported-day", "The time of the report to the police must be after the child was last seen"),
    ]
    future = client.post(path, data={**data, **_moment("last_seen", now + timedelta(hours=2)), "last_seen-time": "x"})
    assert _summary(future)[0] == ("#last_seen-time", "Enter a real time, for example 2:30pm or 14:30")
    assert db.session.scalars(select(MissingEpisode)).first() is None


def test_the_dashboard_period_defaults_to_90_days_and_refuses_a_period_over_366_days(client, factories) -> None:
    coordinator = _coordinator(factories)
    factories.sign_in(client, coordinator)
    default = client.get("/dashboard")
    assert default.status_code == 200
    soup = BeautifulSoup(default.get_data(as_text=True), "html5lib")
    today = to_london(datetime.now(UTC)).date()
    start = today - timedelta(days=89)
    assert soup.select_one("#to-year")["value"] == str(today.year)
    assert (soup.select_one("#from-day")["value"], soup.select_one("#from-month")["value"]) == (
        str(start.day),
        str(start.month),
    )
    too_long = {"from-day": "1", "from-month": "1", "from-year": "2025", "to-day": "2", "to-month": "1"}
    response = client.get("/dashboard", query_string={**too_long, "to-year": "2026"})
    assert response.status_code == 400
    assert _summary(response) == [("#to-day", "The period must be 366 days or shorter")]
    missing = client.get("/dashboard", query_string=too_long)
    assert _summary(missing) == [("#to-year", "The end of the period must include a year")]
