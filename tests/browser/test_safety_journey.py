"""The safety journey: open a case and see its golden-hour checklist; record a missing episode (with its error
state and check page) and reconvene from it in one click; record the return and see the return-interview clock.

Each test runs twice (``mode``): by pointer, and by keyboard alone. axe-core checks every page and error state.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from conference.auth.models import Role
from conference.cases.models import CaseAgency, MissingRisk
from conference.extensions import db
from rules.vocabulary import AgencyKind
from tests.browser.conftest import BrowserFactory
from tests.browser.pages import CasePage, ErrorSummary, LoginPage, Navigation
from tests.browser.pages_safety import CheckPage, EpisodeForm, EpisodePage, SafetySection, moment_fields
from tests.browser.seed import Seed


def test_checklist_missing_episode_reconvene_and_return(browsers: BrowserFactory, seed: Seed) -> None:
    coordinator, casey = seed.user(Role.COORDINATOR, "casey.safety@northbridge.example")
    police = seed.agency(AgencyKind.POLICE)
    case = seed.case(coordinator, risk=MissingRisk.HIGH, hours_ago=0.25)
    older = seed.case(coordinator, risk=MissingRisk.MEDIUM, hours_ago=3)  # its golden-hour actions are overdue
    db.session.add(CaseAgency(case_id=case.id, agency_id=police.id))
    db.session.commit()

    browser = browsers()
    LoginPage(browser).open().sign_in(casey)
    Navigation(browser).go("Cases")
    browser.press(browser.page.get_by_role("link", name=case.reference, exact=True))
    section = SafetySection(browser)
    assert "Golden hour" in section.golden_hour() and "left" in section.golden_hour()
    assert len(section.checklist_rows()) == 7
    browser.check("case page with the safety checklist", screenshot="40-safety-checklist")

    section.update("Phone and social-media risk considered")
    expect(browser.page.locator("h1")).to_have_text("Phone and social-media risk considered")
    browser.check("a checklist item")
    CheckPage(browser).save_without_a_status()
    assert ErrorSummary(browser).messages() == ["Select the status of this action"]
    browser.check("a checklist item with an error")
    CheckPage(browser).save("done", "Phone seized by police; no social media accounts found")
    assert "Phone and social-media risk considered: Done" in CasePage(browser).banner()
    row = next(r for r in section.checklist_rows() if r.startswith("Phone"))
    assert "Done" in row and "Phone seized by police" in row

    section.record_missing_episode()
    form = EpisodeForm(browser).expect_open()
    browser.check("new missing episode")
    form.continue_()
    summary = ErrorSummary(browser)
    assert "Enter the police reference for the missing-person report" in summary.messages()
    summary.expect_focused_and_linked()
    browser.check("new missing episode with errors", screenshot="41-missing-episode-errors")

    now = datetime.now(UTC)
    fields = {
        **moment_fields("last_seen", now - timedelta(hours=2)),
        **moment_fields("reported", now - timedelta(hours=1)),
        "#police_reference": "MP/26/04567",
    }
    form.fill(fields, "high")
    form.continue_()
    expect(browser.page.locator("h1")).to_have_text("Check the missing episode before recording it")
    expect(browser.page.locator("#agencies-told")).to_contain_text("Northbridge Police")
    browser.check("check the missing episode", screenshot="42-missing-episode-check")
    form.confirm()

    episode = EpisodePage(browser)
    assert "Missing episode recorded" in episode.banner()
    browser.check("missing episode recorded", screenshot="43-missing-episode")
    episode_url = browser.page.url
    episode.reconvene()
    expect(browser.page.locator("h1")).to_have_text("When must the meeting be held?")
    assert browser.page.locator("#deadline-day").input_value() != ""
    expect(browser.page.locator(".govuk-inset-text").first).to_contain_text("Missing episode graded high")
    browser.check("timescale of the reconvened strategy discussion")

    browser.visit(episode_url)
    expect(browser.page.get_by_role("link", name="See the meeting")).to_be_visible()
    episode.open_return()
    browser.check("record the return")
    episode.submit_return()
    assert "Enter where the child was found or returned to" in ErrorSummary(browser).messages()
    ErrorSummary(browser).expect_focused_and_linked()
    browser.check("record the return with errors")
    episode.record_return(
        moment_fields("found", datetime.now(UTC) - timedelta(minutes=10)),
        "Returned to the placement",
        "Sam Patel, return interview service",
    )
    assert "Return recorded" in episode.banner()
    assert "left of the 72 hours" in episode.interview_clock()
    browser.check("missing episode after the return", screenshot="44-return-interview-clock")

    episode.open_interview()
    browser.check("record the return-home interview")
    episode.record_interview(moment_fields("held", datetime.now(UTC) + timedelta(days=1)))
    assert any("must be in the past" in m for m in ErrorSummary(browser).messages())
    browser.check("record the return-home interview with errors")
    episode.record_interview(moment_fields("held", datetime.now(UTC) - timedelta(minutes=1)))
    assert "Return-home interview recorded" in episode.banner()

    Navigation(browser).go("Dashboard")
    expect(browser.page.locator("#overdue-safety-actions")).to_contain_text(older.reference)
    expect(browser.page.locator("#overdue-safety-actions")).not_to_contain_text(case.reference)
    expect(browser.page.locator("#missing-episodes-in-period")).to_contain_text("1")
    browser.check("dashboard with the safety panels", screenshot="45-dashboard-safety")
