"""Times people can make, in the browser (pointer and keyboard): the board offers only a replacement free at the
meeting's time and folds the rest under "Not available then"; the board after a cut-off error; the invitee's deputy
page with colleagues not available then; "No time works" with one line per role and the detail folded away; the
short-notice warning on check answers; the dashboard's "Open a new case". axe checks each page and error state."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from rules.clock import LONDON
from tests.browser.conftest import BrowserFactory, MailCatcher
from tests.browser.pages import DashboardPage, ErrorSummary, LoginPage
from tests.browser.pages_convening import (
    AskForMeetingPage,
    BoardPage,
    CheckPage,
    DeputyPage,
    LinkReplyPage,
    OptionsPage,
    PeoplePage,
    PlacePage,
    TimescalePage,
)
from tests.browser.seed import ConveningSeed, Seed


def _not_available_colleague(area: ConveningSeed, key: str, name: str) -> None:
    """A colleague with no calendar, added last to the role of ``key``'s seat in every meeting."""
    from conference.convening.models import ConferenceRole
    from conference.directory.models import AvailabilitySource
    from conference.extensions import db

    agency = area.people[key].agency
    colleague = area.seed.factories.person(
        agency, name=name, email=f"{key}-nocal@agency.example", availability_source=AvailabilitySource.NONE
    )
    for seat in db.session.scalars(select(ConferenceRole)):
        if str(area.people[key].id) in seat.candidate_ids:
            seat.candidate_ids = [*seat.candidate_ids, str(colleague.id)]
    db.session.commit()


def test_the_board_and_the_deputy_page_offer_only_people_free_then(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher
) -> None:
    from conference.convening.models import Attendee, ResponseStatus
    from conference.extensions import db

    area = ConveningSeed(seed)
    meeting = area.invited_meeting(area.case())
    reference, meeting_id = meeting.reference, meeting.id
    _not_available_colleague(area, "police", "Pat Nocalendar")
    _not_available_colleague(area, "health", "Hal Nocalendar")
    area.deliver(mail_catcher.port)
    police = db.session.scalars(select(Attendee).where(Attendee.person_id == area.people["police"].id)).one()
    police.response = ResponseStatus.DECLINED
    db.session.commit()

    coordinator = browsers()
    LoginPage(coordinator).open().sign_in(area.person)
    coordinator.visit(f"/conferences/{meeting_id}")
    board = BoardPage(coordinator).expect_open(reference)
    row = coordinator.page.locator("#board tbody tr", has_text="Rowan Ashby")
    expect(row.get_by_role("button")).to_have_text("Invite Ellis Brockway instead")
    coordinator.press(row.locator("summary"), navigates=False)
    expect(row.locator(".govuk-details__text")).to_contain_text("Pat Nocalendar has no known availability")
    coordinator.check("board, a replacement free then and one not", screenshot="46-board-not-available-then")

    board.save_cutoff(day="40", month="1", year="2030", time="9am")
    summary = ErrorSummary(coordinator)
    summary.expect_focused_and_linked()
    expect(row.get_by_role("button")).to_have_text("Invite Ellis Brockway instead")  # the same page as before
    coordinator.check("board, cut-off error")

    health_email = area.people["health"].email
    invitation = next(m for m in mail_catcher.messages() if health_email in m.to)
    link = re.search(r"https?://[^\s/]+(/r/[A-Za-z0-9_\-]+)", invitation.text)
    assert link
    invitee = browsers()
    invitee.visit(link.group(1))
    LinkReplyPage(invitee).expect_open(reference).answer("deputy")
    deputy = DeputyPage(invitee).expect_open()
    expect(invitee.page.locator("label.govuk-radios__label")).to_have_text(["Lou Pendle"])
    expect(invitee.page.locator("#not-available-heading + ul")).to_contain_text("Hal Nocalendar has no known")
    invitee.check("deputy page, colleagues not available then", screenshot="47-deputy-not-available-then")
    deputy.send_to(None)
    ErrorSummary(invitee).expect_focused_and_linked()
    invitee.check("deputy page, nobody chosen, with colleagues not available then")


def test_no_time_works_one_line_per_role_and_short_notice_on_check_answers(
    browsers: BrowserFactory, seed: Seed
) -> None:
    area = ConveningSeed(seed, police_unknown=True)
    case = area.case()
    browser = browsers()
    LoginPage(browser).open().sign_in(area.person)
    browser.visit("/dashboard")
    DashboardPage(browser).expect_open()
    expect(browser.page.get_by_role("button", name="Open a new case")).to_be_visible()
    browser.check("dashboard with Open a new case")

    browser.visit(f"/cases/{case.id}")
    ask = AskForMeetingPage(browser).open_from_case()
    ask.choose("strategy_discussion")
    ask.continue_()
    timescale = TimescalePage(browser).expect_open()
    timescale.enter_deadline(datetime.now(LONDON) + timedelta(days=1))
    timescale.continue_()
    PeoplePage(browser).expect_open().find_times()
    options = OptionsPage(browser).expect_open()
    lines = browser.page.locator("#no-time-roles > li")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Police: Nobody's availability is known")
    details = browser.page.locator("details[data-role=police]")
    browser.press(details.locator("summary"), navigates=False)
    expect(details).to_contain_text("Rowan Ashby: availability unknown")
    browser.check("no time works, one line per role, detail open", screenshot="48-no-time-works-by-role")

    # A time chosen by hand only minutes away: check answers warns in words.
    options.relax("Allow written submissions for the required roles")
    soon = datetime.now(LONDON) + timedelta(minutes=10)
    options.check_another_time(
        day=str(soon.day), month=str(soon.month), year=str(soon.year), time=soon.strftime("%H:%M")
    )
    browser.press(browser.page.get_by_role("link", name="Use this time"))
    place = PlacePage(browser).expect_open()
    place.in_person("Room 4")
    place.continue_()
    CheckPage(browser).expect_open()
    warning = browser.page.locator("#short-notice")
    expect(warning).to_contain_text("Short notice")
    expect(warning).to_contain_text("at least 30 minutes")
    browser.check("check answers, short notice", screenshot="49-check-short-notice")
