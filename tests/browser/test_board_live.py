"""The meeting board follows the answers without a click: an invitee answers from their personal link in another
browser, and the coordinator's open board shows it within 20 seconds, says so in its polite live region, and
passes axe. (The test server polls every second; the product's default is 15 seconds.)

Each test runs twice (``mode``): by pointer, and by keyboard alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.conftest import BrowserFactory, MailCatcher
from tests.browser.pages import LoginPage
from tests.browser.pages_convening import BoardPage, LinkReplyPage
from tests.browser.seed import ConveningSeed, Seed


@pytest.fixture()
def quick_polling(live_app: Flask) -> Iterator[None]:
    settings = live_app.config["SETTINGS"]
    live_app.config["SETTINGS"] = settings.with_overrides(extra={**settings.extra, "board_poll_seconds": 1})
    yield
    live_app.config["SETTINGS"] = settings


def test_a_reply_by_link_appears_on_the_open_board_without_a_click(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher, quick_polling: None
) -> None:
    area = ConveningSeed(seed)
    meeting = area.invited_meeting(area.case())
    reference, meeting_id = meeting.reference, meeting.id
    assert area.deliver(mail_catcher.port) == 4  # with the chair
    police_email = area.people["police"].email
    invitation = next(m for m in mail_catcher.messages() if police_email in m.to)
    link = re.search(r"https?://[^\s/]+(/r/[A-Za-z0-9_\-]+)", invitation.text)
    assert link, "the invitation carries a personal reply link"

    coordinator = browsers()
    LoginPage(coordinator).open().sign_in(area.person)
    coordinator.visit(f"/conferences/{meeting_id}")
    board = BoardPage(coordinator).expect_open(reference)
    assert ("Police", "Rowan Ashby", "Not answered yet") in board.rows()
    expect(coordinator.page.locator("#board")).to_have_attribute("data-poll-seconds", "1")
    coordinator.check("board, waiting for answers")
    url_before = coordinator.page.url

    invitee = browsers()
    invitee.visit(link.group(1))
    LinkReplyPage(invitee).expect_open(reference).answer("accept")
    expect(invitee.page.locator(".govuk-notification-banner")).to_contain_text("Your answer has been sent")

    police_row = coordinator.page.locator("#board tbody tr", has_text="Rowan Ashby")
    expect(police_row.locator("[data-answer]")).to_have_text("Accepted", timeout=20_000)
    live = coordinator.page.locator("[data-board-live]")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_contain_text("Rowan Ashby: Accepted.")
    assert coordinator.page.url == url_before, "the page was not reloaded"
    assert ("Children's social care", "Riley Fairbairn", "Not answered yet") in board.rows()
    coordinator.check("board, updated live", screenshot="31-board-live")
