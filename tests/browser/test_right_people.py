"""Issue 9 in a real browser: a coordinator opens a case for a foreign national child with an ICTG allocated and
convenes a strategy discussion. The Home Office (a team shared from a neighbouring area), the ICTG and the chair
have seats and receive invitations. Runs by pointer and by keyboard alone; axe-core checks every page and error.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from rules.clock import LONDON
from tests.browser.conftest import BrowserFactory, MailCatcher
from tests.browser.pages import CasePage, ErrorSummary, LoginPage
from tests.browser.pages_convening import AskForMeetingPage, CheckPage, OptionsPage, PlacePage, TimescalePage
from tests.browser.pages_right_people import AgenciesPage, PartnersSeed, SeatsPage, open_foreign_national_case
from tests.browser.seed import Seed


def test_foreign_national_child_with_an_ictg_gets_home_office_ictg_and_chair_invited(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher
) -> None:
    partners = PartnersSeed(seed)
    area = partners.area
    browser = browsers()
    LoginPage(browser).open().sign_in(area.person)

    reference = open_foreign_national_case(browser)
    involved = browser.page.locator("#involved-agencies")
    expect(involved).to_contain_text("Home Office Safeguarding Hub")
    expect(involved).to_contain_text("Northbridge Guardian Service")
    browser.check("case page with the agencies involved", screenshot="90-agencies-involved")

    agencies = AgenciesPage(browser).open_from_case()
    browser.check("agencies involved")
    agencies.add(None)
    assert ErrorSummary(browser).messages() == ["Select an agency from the list"]
    browser.check("agencies involved, nothing chosen")
    browser.press(browser.page.get_by_role("link", name="Back to the case").first)
    assert CasePage(browser).reference() == reference

    ask = AskForMeetingPage(browser).open_from_case()
    ask.choose("strategy_discussion")
    ask.continue_()
    timescale = TimescalePage(browser).expect_open()
    timescale.enter_deadline(datetime.now(LONDON) + timedelta(days=2))
    timescale.continue_()

    seats = SeatsPage(browser).expect_open()
    headings = seats.seat_headings()
    assert headings[:6] == [
        "Chair",
        "Children's social care",
        "Police",
        "Health",
        "Independent Child Trafficking Guardian",
        "Home Office",
    ], headings
    chair_card = browser.page.locator("#roles ~ form .govuk-summary-card").first
    expect(chair_card).to_contain_text("Morgan Chairwell")
    expect(chair_card).not_to_contain_text("Riley Fairbairn")
    browser.check("who is needed, with the chair and partners", screenshot="91-seats")
    seats.add_seat(None)
    assert ErrorSummary(browser).messages() == ["Select the role of the new seat"]
    browser.check("who is needed, add a seat without a role")
    seats.add_seat("Education")
    expect(browser.page.locator(".govuk-notification-banner")).to_contain_text("Education seat added")
    browser.check("who is needed, a seat added")
    seats.remove_seat("Education")
    expect(browser.page.locator(".govuk-notification-banner")).to_contain_text("Education seat removed")
    seats.find_times()

    options = OptionsPage(browser).expect_open()
    options.choose_option(0)
    options.use_this_time()
    place = PlacePage(browser).expect_open()
    place.in_person("Room 4, Civic Centre")
    place.continue_()
    check = CheckPage(browser).expect_open()
    invitees = {row[0].removesuffix(" (optional)"): row[1] for row in check.invitees()}
    assert invitees["Chair"] == "Morgan Chairwell"
    assert invitees["Home Office"] == "Parisa Hollingworth"
    assert invitees["Independent Child Trafficking Guardian"] == "Robin Featherstone"
    browser.check("check answers with the partners")
    check.send()

    from tests.browser.pages_convening import BoardPage

    board = BoardPage(browser).expect_open()
    roles = {role.removesuffix(" (optional)"): person for role, person, _ in board.rows()}
    assert roles["Chair"] == "Morgan Chairwell" and roles["Home Office"] == "Parisa Hollingworth"
    browser.check("board with the chair and partners")

    delivered = area.deliver(mail_catcher.port)
    recipients = {email for email, _ in mail_catcher.methods_by_recipient()}
    assert delivered == len(recipients) == 6, recipients
    assert {
        area.people["chair"].email,
        partners.people["home_office"].email,
        partners.people["ictg"].email,
    } <= recipients
    for message in mail_catcher.messages():
        assert "Ayaan" not in message.text + message.calendar + message.subject
        assert reference not in message.text + message.calendar + message.subject
