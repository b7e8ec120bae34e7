"""Journeys on the foundation: sign in with MFA, open a case, find it by urgency, and who viewed it.

Each test runs twice (``mode``): by pointer, and by keyboard alone. axe-core checks every page on the way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from conference.auth.models import Role
from conference.cases.models import MissingRisk
from rules.clock import LONDON
from tests.browser.conftest import BrowserFactory
from tests.browser.pages import (
    AccessLogPage,
    CaseListPage,
    CasePage,
    DashboardPage,
    LoginPage,
    Navigation,
    NewCaseDetails,
    NewCasePage,
)
from tests.browser.seed import Seed


def identified_hours_ago(hours: int) -> dict[str, str]:
    """The date and time fields as a person would type them, in London time."""
    moment = datetime.now(LONDON) - timedelta(hours=hours)
    return {
        "identified_day": str(moment.day),
        "identified_month": moment.strftime("%B").lower()[:3],
        "identified_year": str(moment.year),
        "identified_time": moment.strftime("%H:%M"),
    }


def test_coordinator_opens_a_case_finds_it_by_urgency_and_a_manager_sees_who_viewed_it(
    browsers: BrowserFactory, seed: Seed
) -> None:
    coordinator, casey = seed.user(Role.COORDINATOR, "casey.browser@northbridge.example")
    _, quinn = seed.user(Role.MANAGER, "quinn.browser@northbridge.example")
    low = seed.case(coordinator, risk=MissingRisk.LOW, hours_ago=1)
    medium = seed.case(coordinator, risk=MissingRisk.MEDIUM, hours_ago=50)
    seed.answered_meeting(medium)

    casey_browser = browsers()
    LoginPage(casey_browser).open().sign_in(casey)
    dashboard = DashboardPage(casey_browser).expect_open()
    assert dashboard.open_case_references() == [medium.reference, low.reference]
    expect(casey_browser.page.locator("#engagement-table tbody tr")).to_have_count(2)
    casey_browser.check("dashboard with the engagement chart", screenshot="03-dashboard")

    Navigation(casey_browser).go("Cases")
    casey_browser.check("case list")
    CaseListPage(casey_browser).start_new_case()
    form = NewCasePage(casey_browser).expect_open()
    casey_browser.check("new case", screenshot="04-new-case")
    form.fill(NewCaseDetails(**identified_hours_ago(3)))
    form.submit()

    case_page = CasePage(casey_browser)
    reference = case_page.reference()
    assert f"Case {reference} opened" in case_page.banner()
    casey_browser.check("case page after opening", screenshot="05-case")
    opened = seed.case_by_reference(reference)
    assert opened.child_first_name == "Ayaan" and opened.missing_risk == MissingRisk.HIGH

    Navigation(casey_browser).go("Cases")
    listing = CaseListPage(casey_browser)
    assert listing.references() == [reference, medium.reference, low.reference]  # high, medium, low risk
    casey_browser.check("case list sorted by urgency", screenshot="06-case-list")
    listing.open_case(reference)
    expect(casey_browser.page.locator(".govuk-notification-banner")).to_have_count(0)  # gone on the next page
    casey_browser.check("case page")

    quinn_browser = browsers()
    LoginPage(quinn_browser).open().sign_in(quinn)
    Navigation(quinn_browser).go("Cases")
    CaseListPage(quinn_browser).open_case(reference)
    CasePage(quinn_browser).open_access_log()
    rows = AccessLogPage(quinn_browser).rows()
    quinn_browser.check("who viewed the case", screenshot="07-access-log")
    viewers = [(row[1], row[3]) for row in rows]
    assert (f"{coordinator.display_name}, {coordinator.agency.name}", "Viewed the case") in viewers
    assert (f"{coordinator.display_name}, {coordinator.agency.name}", "Opened the case") in viewers
    assert rows[0][3] == "Viewed who has seen the case"  # this page's own view is recorded, most recent first
