"""The chair's journey: record a held strategy discussion, sign it off (password and security code again), download
the minutes and the NRM pack, amend it and compare the versions. Autosave is exercised on the way.

Each test runs twice (``mode``): by pointer, and by keyboard alone. axe-core checks every page on the way.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Download, expect

from decisions.models import DecisionVersion, RecordStatus
from rules.vocabulary import Seat
from tests.browser.conftest import BrowserFactory
from tests.browser.decisions_pages import (
    ActionsPage,
    AmendPage,
    AttendancePage,
    CheckPage,
    ChildViewsPage,
    ComparePage,
    DecisionWorld,
    ElementsPage,
    IndicatorsPage,
    InformationPage,
    OutcomePage,
    QuorumPage,
    TaskListPage,
    VersionPage,
    sign_in,
)
from tests.browser.pages import CasePage
from tests.browser.seed import Seed

CRIME = "types-of-exploitation-forced-to-commit-crime"


def _pdf(download: Download, tmp: Path) -> bytes:
    path = tmp / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_chair_records_signs_off_downloads_and_amends(browsers: BrowserFactory, seed: Seed, tmp_path: Path) -> None:
    held = DecisionWorld.held(seed)
    conference, case = held.world.conference, held.world.case
    b = browsers()
    sign_in(b, held.chair)
    tasks = TaskListPage(b).open(held)
    assert set(tasks.statuses().values()) == {"Not yet started", "Cannot start yet"}
    b.check("task list, nothing recorded", screenshot="40-decision-task-list")

    tasks.open_section("Attendance register")
    attendance = AttendancePage(b)
    attendance.expect_open()
    b.check("attendance register", screenshot="41-decision-attendance")
    attendance.record(Seat.SOCIAL_CARE, "present_in_room")
    attendance.record(Seat.POLICE, "present_remotely")
    attendance.record(Seat.HEALTH, "deputy_present", deputy="Dr Ash Deputy")
    attendance.save()
    quorum = QuorumPage(b)
    quorum.expect_open()
    expect(b.page.locator("#quorum-result")).to_contain_text("Quorum is met")
    b.check("quorum met")
    quorum.continue_to_tasks()

    tasks.expect_open().open_section("Information shared")
    information = InformationPage(b)
    information.expect_open()
    opened_at = information.version()
    information.enter(Seat.POLICE, "Found at an address linked to a county line.")
    information.leave_field()
    information.expect_autosaved()  # when the focus leaves the field (or a few seconds after typing stops)
    b.check("information shared, autosaved", screenshot="42-decision-information-autosaved")
    assert held.record().sections["information"] == {"police": "Found at an address linked to a county line."}
    assert information.version() == held.record().version == opened_at + 1  # the form carries the saved version
    information.enter(Seat.SOCIAL_CARE, "Known to services since March.")
    information.save()  # the Save button straight after typing: no conflict with this person's own autosave
    tasks.expect_open()
    assert held.record().sections["information"] == {
        "police": "Found at an address linked to a county line.",
        "social_care": "Known to services since March.",
    }

    tasks.open_section("The child's views and wishes")
    views = ChildViewsPage(b)
    views.expect_open()
    views.enter("Wants to stay with their aunt.")
    views.save()

    tasks.expect_open().open_section("Trafficking elements")
    elements = ElementsPage(b)
    elements.expect_open()
    elements.enter(["recruitment", "transport"], [CRIME], "uk", "Carried drugs between towns.")
    b.check("trafficking elements, filled in", screenshot="43-decision-elements")
    elements.save()
    tasks.expect_open()
    assert "meets the definition of trafficking" in tasks.summary()

    tasks.expect_open().open_section("Indicators")
    indicators = IndicatorsPage(b)
    indicators.expect_open()
    indicators.raise_indicator("goes_missing", Seat.POLICE, "Missing three times in May")
    b.check("indicators", screenshot="44-decision-indicators")
    indicators.save()

    tasks.expect_open().open_section("Outcome")
    outcome = OutcomePage(b)
    outcome.expect_open()
    outcome.decide_trafficking_concern(
        "Act and purpose shared by police and social care.", {Seat.HEALTH: "Wants a health assessment first"}
    )
    b.check("outcome", screenshot="45-decision-outcome")
    outcome.save()

    tasks.expect_open().open_section("Action plan")
    actions = ActionsPage(b)
    actions.expect_open()
    due = date.today() + timedelta(days=3)
    actions.add("Make the NRM referral", held.owner_id(Seat.SOCIAL_CARE), due, "2:30pm")
    expect(b.page.locator(".govuk-notification-banner__heading")).to_have_text("Action added")
    assert actions.rows()[0].startswith("Make the NRM referral")
    b.check("action plan with an action", screenshot="46-decision-actions")
    actions.back_to_tasks()

    statuses = tasks.expect_open().statuses()
    assert set(statuses.values()) == {"Completed"}, statuses
    b.check("task list, complete", screenshot="47-decision-task-list-complete")

    tasks.check_and_sign_off()
    check = CheckPage(b)
    check.expect_open()
    b.check("check answers and sign off", screenshot="48-decision-check-answers")
    held.seed.allow_new_code(held.chair.email)  # the code used to sign in was spent; sign-off asks for a new one
    check.sign_off(held.chair.password, held.chair.code())

    version = VersionPage(b).expect_open(1)
    assert "Decision signed off: version 1" in version.banner()
    b.check("signed version 1", screenshot="49-decision-version")
    assert held.record().status == RecordStatus.SIGNED

    minutes = version.download("Download the minutes (PDF)")
    assert minutes.suggested_filename == f"{conference.reference}-minutes-v1.pdf"
    assert _pdf(minutes, tmp_path).startswith(b"%PDF-")
    pack = version.download("Download the NRM referral pack (PDF)")
    assert pack.suggested_filename == f"{case.reference}-nrm-pack-v1.pdf"
    assert _pdf(pack, tmp_path).startswith(b"%PDF-")
    for name in (minutes.suggested_filename, pack.suggested_filename):
        assert case.child_first_name not in name and case.child_last_name not in name

    version.amend()
    amend = AmendPage(b)
    amend.expect_open()
    b.check("amend the decision")
    amend.start("New information from the police")
    tasks.expect_open().open_section("Information shared")
    information.expect_open()
    information.enter(Seat.POLICE, "Found at an address linked to a county line. Phone seized.")
    information.save()
    tasks.expect_open().check_and_sign_off()
    check.expect_open()
    held.seed.allow_new_code(held.chair.email)
    check.sign_off(held.chair.password, held.chair.code())
    version.expect_open(2)
    assert held.count(DecisionVersion) == 2

    version.compare()
    compare = ComparePage(b).expect_open()
    changes = compare.changes()
    assert any("Phone seized." in " ".join(row) for row in changes), changes
    b.check("compare versions 1 and 2", screenshot="50-decision-compare")
    b.press(b.page.get_by_role("link", name="All versions"))
    expect(b.page.locator("h1")).to_have_text("Signed versions")
    expect(b.page.locator("table tbody tr")).to_have_count(2)
    b.check("signed versions", screenshot="51-decision-versions")

    b.visit(held.case_path)
    CasePage(b).reference()
    b.press(b.page.get_by_role("link", name="NRM referral and decisions"))
    expect(b.page.locator("h1")).to_have_text("NRM referral and decisions")
    b.check("NRM referral page", screenshot="52-decision-nrm")
