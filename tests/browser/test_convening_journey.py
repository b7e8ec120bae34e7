"""Convening in a real browser: a coordinator convenes a strategy discussion and the invitations arrive in the mail
catcher; an invitee sends a deputy from their personal link and the coordinator's board follows.

Each test runs twice (``mode``): by pointer, and by keyboard alone. axe-core checks every page on the way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from conference.convening import options as convening_options
from rules.clock import LONDON
from tests.browser.conftest import BrowserFactory, MailCatcher
from tests.browser.pages import CaseListPage, CasePage, LoginPage, Navigation, NewCaseDetails, NewCasePage
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
from tests.browser.test_cases_journey import identified_hours_ago


def test_coordinator_convenes_a_strategy_discussion_and_each_invitee_gets_one_invitation(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    area = ConveningSeed(seed)
    solves: list[int] = []
    real_solve = convening_options.solve
    monkeypatch.setattr(convening_options, "solve", lambda request: solves.append(1) or real_solve(request))

    browser = browsers()
    LoginPage(browser).open().sign_in(area.person)
    Navigation(browser).go("Cases")
    CaseListPage(browser).start_new_case()
    form = NewCasePage(browser).expect_open()
    form.fill(NewCaseDetails(interpreter="no", **identified_hours_ago(2)))
    form.submit()
    reference = CasePage(browser).reference()
    browser.check("case page, before a meeting")

    ask = AskForMeetingPage(browser).open_from_case()
    browser.check("ask for a meeting", screenshot="20-meeting-type")
    ask.choose("strategy_discussion")
    ask.continue_()

    timescale = TimescalePage(browser).expect_open()
    expect(browser.page.locator(".govuk-inset-text")).to_contain_text("Suggested deadline")
    browser.check("timescale", screenshot="21-timescale")
    timescale.enter_deadline(datetime.now(LONDON) + timedelta(days=2))
    timescale.continue_()

    people = PeoplePage(browser).expect_open()
    for label in ("Chair", "Children's social care", "Police", "Health"):
        expect(browser.page.get_by_role("heading", name=label, exact=True)).to_be_visible()
    expect(browser.page.get_by_text("Uploaded calendar file").first).to_be_visible()
    browser.check("who is needed", screenshot="22-roles")
    people.find_times()

    options = OptionsPage(browser).expect_open()
    assert options.option_labels(), "the scheduler proposes a time"
    expect(browser.page.locator(".govuk-radios__item").first).to_contain_text("Soonest")
    expect(browser.page.locator(".govuk-radios__item").first).to_contain_text("Best attended")
    svg = browser.page.get_by_role("img", name=re.compile("Availability of each role's candidates"))
    expect(svg).to_be_visible()
    rows = options.picture_rows()  # the picture's text alternative: every candidate, and who attends option 1
    assert rows[:2] == ["Morgan Chairwell: attends option 1", "Noel Reviewer (deputy 1)"], rows
    assert "Riley Fairbairn: attends option 1" in rows and "Sam Ockwell (deputy 1)" in rows
    assert "Rowan Ashby: attends option 1" in rows and "Kit Harrow: attends option 1" in rows
    browser.check("options with the availability picture", screenshot="23-options")
    assert solves == [1]  # the picture reuses the request that was solved
    options.choose_option(0)
    options.use_this_time()

    place = PlacePage(browser).expect_open()
    browser.check("how people join")
    place.in_person("Room 4, Civic Centre")
    place.continue_()

    check = CheckPage(browser).expect_open()
    invitees = check.invitees()
    assert [row[:2] for row in invitees] == [
        ["Chair", "Morgan Chairwell"],
        ["Children's social care", "Riley Fairbairn"],
        ["Police", "Rowan Ashby"],
        ["Health", "Kit Harrow"],
    ]
    previews = " ".join(browser.page.locator(".govuk-details__text").all_text_contents())
    assert "Room 4, Civic Centre" in previews and "Ayaan" not in previews and reference not in previews
    browser.check("check answers", screenshot="24-check-answers")
    check.send()

    board = BoardPage(browser).expect_open()
    assert "Invitations sent to 4 people" in board.banner()
    assert all(answer == "Not answered yet" for _, _, answer in board.rows()), board.rows()
    browser.check("board after sending", screenshot="25-sent-banner")
    assert solves == [1]

    assert area.deliver(mail_catcher.port) == 4
    sent = mail_catcher.methods_by_recipient()
    assert sorted(sent) == sorted(
        (area.people[k].email, "REQUEST") for k in ("chair", "social", "police", "health")
    )  # one message per invitee
    for message in mail_catcher.messages():
        assert "Ayaan" not in message.text + message.calendar + message.subject
    board.refresh()
    assert board.rows()[0][2] == "Not answered yet"
    expect(browser.page.locator("#board")).to_contain_text("Invitation sent")
    browser.check("board after delivery", screenshot="26-board")


def test_invitee_sends_a_deputy_from_their_link_and_the_board_follows(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher
) -> None:
    area = ConveningSeed(seed)
    case = area.case()
    meeting = area.invited_meeting(case)
    reference, meeting_id = meeting.reference, meeting.id
    assert area.deliver(mail_catcher.port) == 4  # with the chair
    police_email = area.people["police"].email
    deputy_id, deputy_email = str(area.people["police2"].id), area.people["police2"].email
    invitation = next(m for m in mail_catcher.messages() if police_email in m.to)
    link = re.search(r"https?://[^\s/]+(/r/[A-Za-z0-9_\-]+)", invitation.text)
    assert link, "the invitation carries a personal reply link"

    coordinator = browsers()
    LoginPage(coordinator).open().sign_in(area.person)
    coordinator.visit(f"/conferences/{meeting_id}")
    board = BoardPage(coordinator).expect_open(reference)
    assert ("Police", "Rowan Ashby", "Not answered yet") in board.rows()

    invitee = browsers()
    invitee.visit(link.group(1))
    reply = LinkReplyPage(invitee).expect_open(reference)
    invitee.check("personal link reply", screenshot="27-link-reply")
    reply.answer("deputy")
    deputy = DeputyPage(invitee).expect_open()
    invitee.check("choose a deputy", screenshot="28-link-deputy")
    deputy.send_to(deputy_id)
    expect(invitee.page.locator("h1")).to_have_text("Your deputy has been invited")
    invitee.check("deputy invited", screenshot="29-link-done")

    board.refresh()
    rows = board.rows()
    assert ("Police", "Ellis Brockway (deputy)", "Not answered yet") in rows, rows
    assert not any(person == "Rowan Ashby" and answer == "Not answered yet" for _, person, answer in rows), rows
    coordinator.check("board after the deputy", screenshot="30-board-deputy")

    assert area.deliver(mail_catcher.port) == 2
    later = sorted(mail_catcher.methods_by_recipient()[4:])  # the order of delivery is not promised
    assert later == sorted([(deputy_email, "REQUEST"), (police_email, "CANCEL")])
