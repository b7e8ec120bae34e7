"""Every error state a person can reach while convening: empty and invalid fields on each form, "no time works"
with its reasons and one-click relaxations, and an invitee's link pages answered with nothing chosen.
Each runs by pointer and by keyboard alone; axe checks each error page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from rules.clock import LONDON
from tests.browser.conftest import BrowserFactory, MailCatcher
from tests.browser.pages import ErrorSummary, LoginPage
from tests.browser.pages_convening import (
    AskForMeetingPage,
    CheckPage,
    DeputyPage,
    LinkReplyPage,
    OptionsPage,
    PeoplePage,
    PlacePage,
    TimescalePage,
)
from tests.browser.seed import ConveningSeed, Seed


def errors_shown(browser, label: str, expected: list[str], screenshot: str | None = None) -> None:  # type: ignore[no-untyped-def]
    summary = ErrorSummary(browser)
    assert summary.messages() == expected
    summary.expect_focused_and_linked()
    browser.check(label, screenshot=screenshot)


def test_each_convening_form_with_empty_and_invalid_fields(
    browsers: BrowserFactory, seed: Seed, mail_catcher: MailCatcher
) -> None:
    area = ConveningSeed(seed, neighbour=True)
    case = area.case()
    browser = browsers()
    LoginPage(browser).open().sign_in(area.person)
    browser.visit(f"/cases/{case.id}")

    ask = AskForMeetingPage(browser).open_from_case()
    ask.continue_()
    errors_shown(browser, "ask for a meeting, nothing chosen", ["Select the type of meeting"])
    ask.choose("strategy_discussion")
    ask.continue_()

    timescale = TimescalePage(browser).expect_open()
    timescale.enter(day="", month="", year="", time="", duration="")
    timescale.continue_()
    errors_shown(
        browser,
        "timescale, empty",
        [
            "Enter the deadline",
            "Enter the time of the deadline",
            "Enter how long the meeting lasts, in minutes, between 15 and 480",
        ],
        screenshot="40-timescale-empty",
    )
    timescale.enter(day="31", month="2", year="2027", time="25:99", duration="an hour")
    timescale.continue_()
    errors_shown(
        browser,
        "timescale, invalid",
        [
            "The deadline must be a real date",
            "Enter a real time, for example 2:30pm or 14:30",
            "Enter how long the meeting lasts, in minutes, between 15 and 480",
        ],
    )
    expect(browser.page.locator("#duration")).to_have_value("an hour")  # what was typed is kept
    timescale.enter_deadline(datetime.now(LONDON) - timedelta(days=1))
    timescale.continue_()
    errors_shown(browser, "timescale, deadline passed", ["The deadline must be in the future"])
    timescale.enter_deadline(datetime.now(LONDON) + timedelta(days=2))
    timescale.continue_()

    people = PeoplePage(browser).expect_open()
    people.add_person_from_elsewhere("Police")
    errors_shown(browser, "who is needed, nobody chosen to add", ["Select a person to add to Police"])
    people.find_times()

    options = OptionsPage(browser).expect_open()
    options.use_this_time()
    errors_shown(browser, "options, no time chosen", ["Select a time for the meeting"])
    options.check_another_time(day="30", month="2", year="2027", time="")
    errors_shown(
        browser,
        "options, another time invalid",
        ["The meeting must be a real date", "Enter the time of the meeting"],
        screenshot="41-options-errors",
    )
    options.choose_option(0)
    options.use_this_time()

    place = PlacePage(browser).expect_open()
    place.continue_()
    errors_shown(browser, "place, nothing chosen", ["Select how people will join the meeting"])
    place.in_person("")
    place.continue_()
    errors_shown(browser, "place, no venue", ["Enter the venue"])
    place.by_video("meet.example/abc")
    place.continue_()
    errors_shown(
        browser,
        "place, link without https",
        ["Enter a video link starting with https://, for example https://meet.example/abc-defg"],
        screenshot="42-place-invalid",
    )
    place.by_video(f"https://video.northbridge.test/{case.child_last_name.lower()}-room")  # the child's surname
    place.continue_()
    errors_shown(
        browser,
        "place, link naming the child",
        [
            "The venue or video link contains details that identify the child or the case. "
            "Remove them: invitations are forwarded and shared."
        ],
    )
    place.by_video("https://video.northbridge.test/abc-defg")
    place.continue_()
    CheckPage(browser).expect_open()

    # An invitee's personal link, answered with nothing chosen.
    meeting = area.invited_meeting(area.case())
    area.deliver(mail_catcher.port)
    invitation = next(m for m in mail_catcher.messages() if area.people["health"].email in m.to)
    link = re.search(r"https?://[^\s/]+(/r/[A-Za-z0-9_\-]+)", invitation.text)
    assert link
    invitee = browsers()
    invitee.visit(link.group(1))
    reply = LinkReplyPage(invitee).expect_open(meeting.reference)
    reply.answer(None)
    errors_shown(invitee, "link reply, no answer", ["Select your answer"], screenshot="43-link-reply-empty")
    reply.answer("deputy")
    deputy = DeputyPage(invitee).expect_open()
    deputy.send_to(None)
    errors_shown(invitee, "deputy, nobody chosen", ["Select who will attend instead of you"])


def test_no_time_works_shows_the_reasons_and_a_relaxation_finds_a_time(browsers: BrowserFactory, seed: Seed) -> None:
    area = ConveningSeed(seed, police_unknown=True)
    case = area.case()
    browser = browsers()
    LoginPage(browser).open().sign_in(area.person)
    browser.visit(f"/cases/{case.id}")
    ask = AskForMeetingPage(browser).open_from_case()
    ask.choose("strategy_discussion")
    ask.continue_()
    timescale = TimescalePage(browser).expect_open()
    timescale.enter_deadline(datetime.now(LONDON) + timedelta(days=1))
    timescale.continue_()
    PeoplePage(browser).expect_open().find_times()

    options = OptionsPage(browser)
    reasons = options.reasons()
    assert any("Police" in reason for reason in reasons), reasons
    expect(browser.page.locator("input[name=proposal]")).to_have_count(0)
    svg = browser.page.get_by_role("img", name=re.compile("Availability of each role's candidates"))
    expect(svg).to_be_visible()  # the picture shows why: both police calendars are unknown
    words = browser.page.locator("#availability-heading ~ details .govuk-details__text").text_content() or ""
    assert "Rowan Ashby" in words and "availability unknown" in words
    for label in ("Extend the deadline by a working day", "Allow written submissions for the required roles"):
        expect(browser.page.get_by_role("button", name=label)).to_be_visible()
    browser.check("no time works", screenshot="44-no-time-works")

    options.relax("Allow written submissions for the required roles")
    options.expect_open()
    expect(browser.page.locator(".govuk-radios__item").first).to_contain_text("Police: written submission")
    browser.check("options after allowing written submissions", screenshot="45-options-after-relaxing")
