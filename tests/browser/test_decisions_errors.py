"""Every error state of the decision forms a chair can reach: empty and invalid fields, the quorum warning and
continuing without quorum, and a wrong password or code at sign-off. Nothing is saved on an error and nothing
typed is lost. Each runs by pointer and by keyboard alone; axe checks every error page.
"""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from decisions.models import DecisionAction, DecisionVersion
from rules.vocabulary import Seat
from tests.browser.conftest import BrowserFactory
from tests.browser.decisions_pages import (
    ActionsPage,
    AttendancePage,
    CheckPage,
    DecisionWorld,
    OutcomePage,
    QuorumPage,
    TaskListPage,
    sign_in,
)
from tests.browser.pages import ErrorSummary
from tests.browser.seed import Seed


def test_attendance_errors_and_the_quorum_warning(browsers: BrowserFactory, seed: Seed) -> None:
    held = DecisionWorld.held(seed)
    b = browsers()
    sign_in(b, held.chair)
    TaskListPage(b).open(held).open_section("Attendance register")
    attendance = AttendancePage(b)
    attendance.expect_open()

    attendance.save()
    summary = ErrorSummary(b)
    assert summary.messages() == [
        "Select how children's social care attended",
        "Select how police attended",
        "Select how health attended",
    ]
    summary.expect_focused_and_linked()
    b.check("attendance, empty", screenshot="55-decision-attendance-empty")

    attendance.record(Seat.SOCIAL_CARE, "present_in_room")
    attendance.record(Seat.POLICE, "written_submission")
    attendance.record(Seat.HEALTH, "deputy_present")
    attendance.save()
    assert summary.messages() == [
        "Enter a short summary of the written submission from police",
        "Enter the name of the deputy for health",
    ]
    expect(b.page.locator("input[name='status-police'][value='written_submission']")).to_be_checked()  # kept
    b.check("attendance, incomplete answers")
    assert held.record() is None or not held.record().attendance  # nothing saved

    # A written submission does not count towards quorum: the police are missing.
    attendance.record(Seat.POLICE, "written_submission", summary="Statement from the officer in the case.")
    attendance.record(Seat.HEALTH, "deputy_present", deputy="Dr Ash Deputy")
    attendance.save()
    quorum = QuorumPage(b)
    quorum.expect_open()
    assert "Quorum is not met" in quorum.warning()
    b.check("quorum not met", screenshot="56-decision-quorum-not-met")

    quorum.save()
    assert summary.messages() == ["Confirm that the meeting continued without quorum, or record who attended first"]
    b.check("quorum, not confirmed")
    quorum.continue_without("")
    assert summary.messages() == ["Enter why the meeting continued without quorum"]
    b.check("quorum, no reason")
    quorum.continue_without("The police officer was called to an emergency; the police sent a statement.")
    statuses = TaskListPage(b).expect_open().statuses()
    assert statuses["Quorum"] == "Completed" and statuses["Attendance register"] == "Completed"
    assert held.record().sections["quorum"]["continue_without_quorum"] is True


def test_outcome_action_and_sign_off_errors(browsers: BrowserFactory, seed: Seed) -> None:
    held = DecisionWorld.held(seed)
    b = browsers()
    sign_in(b, held.chair)
    tasks = TaskListPage(b).open(held)

    tasks.open_section("Outcome")
    outcome = OutcomePage(b)
    outcome.expect_open()
    outcome.save()
    summary = ErrorSummary(b)
    messages = summary.messages()
    assert "Select the outcome" in messages and "Enter the rationale" in messages
    summary.expect_focused_and_linked()
    b.check("outcome, empty", screenshot="57-decision-outcome-empty")
    assert "outcome" not in (getattr(held.record(), "sections", None) or {})  # nothing saved
    b.press(b.page.get_by_role("link", name="Back", exact=True))

    tasks.expect_open().open_section("Action plan")
    actions = ActionsPage(b)
    actions.expect_open()
    actions.add("", "", None, "")
    assert summary.messages() == [
        "Enter the action",
        "Select who owns the action",
        "Enter the date the action is due",
        "Enter the time the action is due",
    ]
    summary.expect_focused_and_linked()
    b.check("action, empty", screenshot="58-decision-action-empty")
    actions.add(
        "Arrange a return interview", held.owner_id(Seat.POLICE), ("30", "2", str(date.today().year + 1)), "25:99"
    )
    messages = summary.messages()
    assert messages[0] == "The date the action is due must be a real date"
    assert messages[1] == "Enter a real time, for example 2:30pm or 14:30"
    expect(b.page.locator("#description")).to_have_value("Arrange a return interview")  # nothing typed is lost
    b.check("action, invalid date and time")
    assert held.count(DecisionAction) == 0
    b.press(b.page.get_by_role("link", name="Back", exact=True))

    tasks.expect_open().check_and_sign_off()
    check = CheckPage(b)
    check.expect_open()
    expect(b.page.locator("#problems")).to_contain_text("You cannot sign off yet")
    expect(b.page.get_by_role("button", name="Sign off")).to_have_count(0)  # nothing to sign until complete
    b.check("check answers, sections missing", screenshot="59-decision-check-incomplete")
    assert held.count(DecisionVersion) == 0
