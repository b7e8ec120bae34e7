"""Issue 10 part B in the browser: a coordinator raises the child's risk of going missing and sees the open
meeting's deadline move; a signed decision is then flagged "Facts changed since this decision" and the chair amends
it in one click. Bad input and linking a case on the way. axe-core checks every page and error state.

Each test runs twice (``mode``): by pointer, and by keyboard alone.
"""

from __future__ import annotations

from playwright.sync_api import expect

from conference.auth.models import Role
from conference.cases.models import MissingRisk
from rules.vocabulary import MeetingType
from tests.browser.conftest import BrowserFactory
from tests.browser.decisions_pages import DecisionWorld, TaskListPage, sign_in
from tests.browser.pages import CasePage, ErrorSummary, LoginPage
from tests.browser.pages_facts import CaseFactsSection, ChangeFactsPage, FactHistoryPage, LinkCasePage
from tests.browser.seed import Seed
from tests.integration.decisions.support import record_everything, sign_off
from tests.support.pages import PageCheckingClient


def _open_meeting(seed: Seed, coordinator, case) -> str:
    from flask import g

    from conference.convening import request as convening_request
    from conference.extensions import db

    g.user = coordinator
    conference = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
    db.session.commit()
    g.user = None
    return conference.reference


def test_raising_the_missing_risk_moves_the_open_meeting_deadline(browsers: BrowserFactory, seed: Seed) -> None:
    coordinator, casey = seed.user(Role.COORDINATOR, "casey.facts@northbridge.example")
    case = seed.case(coordinator, risk=MissingRisk.MEDIUM, hours_ago=2)
    other = seed.case(coordinator, risk=MissingRisk.LOW, hours_ago=30, first_name="Sibling")
    meeting = _open_meeting(seed, coordinator, case)

    b = browsers()
    LoginPage(b).open().sign_in(casey)
    b.visit(f"/cases/{case.id}")
    facts = CaseFactsSection(b)
    before = facts.deadline_of(meeting)
    assert facts.fact("Risk of going missing") == "Medium"
    b.check("case page with the child's facts", screenshot="80-case-facts")

    facts.change_facts()
    form = ChangeFactsPage(b).expect_open()
    b.check("change the child's details", screenshot="81-change-facts")
    form.choose_missing_risk("high")
    form.enter_estimated_age("40")
    form.save()
    errors = ErrorSummary(b)
    assert errors.messages() == [
        "Estimated age must be a whole number between 0 and 25",
        "Enter the reason for the change",
    ]
    errors.expect_focused_and_linked()
    b.check("change the child's details, with errors", screenshot="82-change-facts-errors")
    expect(b.page.locator("input[name=missing_risk][value=high]")).to_be_checked()  # nothing typed is lost

    form.enter_estimated_age("15")
    form.enter_reason("Seen being picked up by an older man")
    form.save()
    assert "Facts changed: Risk of going missing" in CasePage(b).banner()
    after = facts.deadline_of(meeting)
    assert after != before
    assert f"The deadline of meeting {meeting} moved from {before} to {after}." in facts.messages()
    assert "Changed since the last meeting" not in facts.fact("Risk of going missing")  # no meeting held yet
    assert facts.fact("Risk of going missing") == "High"
    b.check("case page after the risk went up", screenshot="83-deadline-moved")

    facts.open_history()
    rows = FactHistoryPage(b).rows()
    assert [row[1:4] for row in rows] == [["Risk of going missing", "Medium", "High"]]
    b.check("history of the facts", screenshot="84-fact-history")

    b.visit(f"/cases/{case.id}")
    facts.link_another_case()
    link = LinkCasePage(b)
    link.link("", "", "")
    assert ErrorSummary(b).messages() == [
        "Enter the reference of the case to link, for example NB-2026-0042",
        "Select how the children are connected",
        "Enter the reason for linking the cases",
    ]
    b.check("link another case, with errors")
    link.link(other.reference, "siblings", "Brothers placed apart")
    assert f"Case linked to {other.reference}" in CasePage(b).banner()
    expect(b.page.locator("#linked-cases")).to_contain_text("Sibling")
    b.check("case page with a linked case", screenshot="85-linked-case")


def test_a_signed_decision_is_flagged_after_a_fact_changes_and_the_chair_amends_it(
    browsers: BrowserFactory, seed: Seed
) -> None:
    from conference.extensions import db

    held = DecisionWorld.held(seed)
    case = held.world.case
    case.missing_risk = MissingRisk.MEDIUM
    db.session.commit()
    client = PageCheckingClient(seed.app, seed.app.response_class, use_cookies=True)
    seed.factories.sign_in(client, held.world.chair)
    record_everything(client, held.world)
    assert sign_off(client, held.world).status_code == 302
    seed.allow_new_code(held.chair.email)
    coordinator = seed.factories.user(held.world.social_care, Role.COORDINATOR, email="cory.facts@northbridge.example")

    b = browsers()
    LoginPage(b).open().sign_in(type(held.chair)(coordinator.email, held.chair.password, held.chair.totp_secret))
    b.visit(held.case_path)
    facts = CaseFactsSection(b)
    expect(b.page.locator(".app-facts-changed")).to_have_count(0)
    facts.change_facts()
    form = ChangeFactsPage(b).expect_open()
    form.choose_missing_risk("high")
    form.enter_reason("Went missing from placement overnight")
    form.save()
    assert "Changed since the last meeting" in facts.fact("Risk of going missing")
    b.check("case page, fact changed since the last meeting")

    seed.allow_new_code(held.chair.email)
    chair = browsers()
    sign_in(chair, held.chair)
    chair.visit(held.case_path)
    chair_facts = CaseFactsSection(chair)
    flag = chair_facts.facts_changed_flag()
    assert "Facts changed since this decision" in flag and "Was Medium, now High" in flag
    chair.check("case page with a decision flagged", screenshot="86-facts-changed-since-decision")
    chair_facts.amend_decision()
    TaskListPage(chair).expect_open()
    assert "Amendment started" in chair.page.locator(".govuk-notification-banner").inner_text()
    chair.check("task list, amending after facts changed")
    record = held.record()
    assert record.status.value == "amending"
    assert record.amendment_reason == "Facts changed since this decision: risk of going missing"


def test_someone_else_changed_the_same_fact_meanwhile(browsers: BrowserFactory, seed: Seed) -> None:
    from sqlalchemy import update

    from conference.cases.models import Case
    from conference.extensions import db

    coordinator, casey = seed.user(Role.COORDINATOR, "casey.conflict@northbridge.example")
    case = seed.case(coordinator, risk=MissingRisk.MEDIUM, hours_ago=5)
    b = browsers()
    LoginPage(b).open().sign_in(casey)
    b.visit(f"/cases/{case.id}/facts")
    form = ChangeFactsPage(b).expect_open()
    db.session.execute(update(Case).where(Case.id == case.id).values(missing_risk=MissingRisk.LOW))
    db.session.commit()  # another coordinator saved Low while this page was open

    form.choose_missing_risk("high")
    form.enter_reason("Seen with an older man again")
    form.save()
    errors = ErrorSummary(b)
    assert errors.messages() == [
        "Risk of going missing was changed by someone else to 'Low' while you were editing. Check your answer and "
        "save again"
    ]
    errors.expect_focused_and_linked()
    expect(b.page.locator("input[name=missing_risk][value=high]")).to_be_checked()
    expect(b.page.get_by_label("Reason for the change")).to_have_value("Seen with an older man again")
    b.check("change the child's details, someone else changed the same fact", screenshot="87-facts-conflict")
    form.save()
    assert "Facts changed: Risk of going missing" in CasePage(b).banner()
    assert seed.case_by_reference(case.reference).missing_risk is MissingRisk.HIGH
