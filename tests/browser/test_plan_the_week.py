"""Plan the week in a real browser: a manager plans 12 waiting meetings together, sees what that gives beside
arranging them one at a time, accepts 10, and the invitations arrive in the mail catcher.

Each test runs twice (``mode``): by pointer, and by keyboard alone. axe-core checks every page on the way.
"""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from conference.auth.models import Role
from conference.extensions import db
from conference.planning import worker
from conference.planning.demo import add_waiting_meetings
from rules.display import to_london
from rules.vocabulary import MeetingType
from tests.browser.conftest import BrowserFactory, MailCatcher
from tests.browser.pages import LoginPage, Navigation
from tests.browser.pages_planning import PlanCheckPage, PlanRunPage, PlanWeekPage
from tests.browser.seed import ConveningSeed, Seed


def test_manager_plans_the_week_compares_and_sends_ten_of_twelve(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher
) -> None:
    area = ConveningSeed(seed)
    for n in range(12):
        seed.case(area.coordinator, risk=_risk(n), hours_ago=2 + n)
    today = to_london(datetime.now(UTC)).date()
    assert (
        add_waiting_meetings(seed.area, area.coordinator, today, count=12, types=(MeetingType.STRATEGY_DISCUSSION,))
        == 12
    )
    db.session.commit()
    _manager, manager = seed.user(Role.MANAGER, "quinn.planner@northbridge.example")

    browser = browsers()
    LoginPage(browser).open().sign_in(manager)
    Navigation(browser).go("Plan the week")
    start = PlanWeekPage(browser).expect_open()
    assert "12 meetings are waiting" in start.waiting()
    browser.check("plan the week", screenshot="60-plan-the-week")
    start.plan()

    run = PlanRunPage(browser).expect_waiting()
    browser.check("plan queued")
    db.session.remove()
    assert worker.run_once() == 1  # the planning worker, in process
    db.session.remove()
    run.expect_ready()
    comparison = run.comparison()
    assert [row[0] for row in comparison] == ["Planned together", "One at a time"]
    assert comparison[0][1] == "12 of 12" and comparison[1][1].endswith("of 12")
    expect(browser.page.get_by_role("img", name="The week of each person shared by several meetings")).to_be_visible()
    browser.check("the plan", screenshot="61-the-plan")

    meetings = run.meetings()
    assert len(meetings) == 12
    for left_out in meetings[-2:]:
        run.untick(left_out)
    run.continue_("Continue")

    check = PlanCheckPage(browser).expect_open()
    assert check.rows() == 10
    check.venue("Room 4, Civic Centre")
    browser.check("check before sending", screenshot="62-plan-check")
    check.send()

    run = PlanRunPage(browser)
    assert "Invitations sent for 10 meetings" in run.banner()
    assert len(run.meetings()) == 2  # the two left out can still be arranged
    browser.check("the plan after sending")

    assert area.deliver(mail_catcher.port) == 40  # four people (with the chair) at each of the ten meetings
    methods = {method for _, method in mail_catcher.methods_by_recipient()}
    assert methods == {"REQUEST"}
    for message in mail_catcher.messages():
        assert "Seeded" not in message.text + message.calendar + message.subject


def _risk(n: int):  # type: ignore[no-untyped-def]
    from conference.cases.models import MissingRisk

    return (MissingRisk.HIGH, MissingRisk.MEDIUM, MissingRisk.LOW)[n % 3]
