"""Page objects for the convening journey: ask for a meeting, timescale, who is needed, options (with the
availability picture), how people join, check answers, the live board, and an invitee's personal link pages.

Each method says what a person does and acts only through ``Browser.fill/press/choose/tick``, so that the
keyboard-only run works unchanged.
"""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect

from tests.browser.pages import Browser


class _Page:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def expect_heading(self, text: str) -> None:
        expect(self.page.locator("h1")).to_contain_text(text)

    def continue_(self, name: str = "Continue") -> None:
        self.b.press(self.page.get_by_role("button", name=name, exact=True))


class AskForMeetingPage(_Page):
    def open_from_case(self) -> AskForMeetingPage:
        self.b.press(self.page.get_by_role("link", name="Arrange a meeting"))
        self.expect_heading("What type of meeting is needed?")
        return self

    def choose(self, meeting_type: str) -> None:
        self.b.choose("meeting_type", meeting_type)


class TimescalePage(_Page):
    def expect_open(self) -> TimescalePage:
        self.expect_heading("When must the meeting be held?")
        return self

    def enter(self, *, day: str, month: str, year: str, time: str, duration: str) -> None:
        for selector, value in (
            ("#deadline-day", day),
            ("#deadline-month", month),
            ("#deadline-year", year),
            ("#deadline-time", time),
            ("#duration", duration),
        ):
            self.b.fill(self.page.locator(selector), value)

    def enter_deadline(self, moment: datetime, duration: int = 60) -> None:
        self.enter(
            day=str(moment.day),
            month=str(moment.month),
            year=str(moment.year),
            time=moment.strftime("%H:%M"),
            duration=str(duration),
        )


class PeoplePage(_Page):
    def expect_open(self) -> PeoplePage:
        self.expect_heading("Who is needed")
        return self

    def role_card(self, label: str) -> object:
        return self.page.locator(".govuk-summary-card", has=self.page.get_by_role("heading", name=label, exact=True))

    def add_person_from_elsewhere(self, role_label: str) -> None:
        """Press "Add" for a role (without choosing a person, the page says what is missing)."""
        self.b.press(self.page.get_by_role("button", name=f"Add to {role_label}", exact=True))

    def find_times(self) -> None:
        self.continue_("Find times")


class OptionsPage(_Page):
    def expect_open(self) -> OptionsPage:
        self.expect_heading("Choose a time")
        return self

    def option_labels(self) -> list[str]:
        return [t.strip() for t in self.page.locator("input[name=proposal] + label").all_inner_texts()]

    def picture_rows(self) -> list[str]:
        """The candidates named in the availability picture's text alternative."""
        return [
            t.strip()
            for t in self.page.locator("#availability-heading ~ details .govuk-details__text p").all_text_contents()
        ]

    def choose_option(self, index: int) -> None:
        self.b.choose("proposal", str(index))

    def use_this_time(self) -> None:
        self.continue_("Use this time")

    def check_another_time(self, *, day: str = "", month: str = "", year: str = "", time: str = "") -> None:
        for selector, value in (
            ("#another-day", day),
            ("#another-month", month),
            ("#another-year", year),
            ("#another-time", time),
        ):
            self.b.fill(self.page.locator(selector), value)
        self.continue_("Check this time")

    def reasons(self) -> list[str]:
        heading = self.page.get_by_role("heading", name="No time works")
        expect(heading).to_be_visible()
        return [t.strip() for t in self.page.locator("h2:has-text('No time works') + ul li").all_inner_texts()]

    def relax(self, label: str) -> None:
        self.continue_(label)


class PlacePage(_Page):
    def expect_open(self) -> PlacePage:
        self.expect_heading("How will people join the meeting?")
        return self

    def in_person(self, venue: str) -> None:
        self.b.choose("how", "venue")
        self.b.fill(self.page.locator("#venue"), venue)

    def by_video(self, link: str) -> None:
        self.b.choose("how", "video")
        self.b.fill(self.page.locator("#video_link"), link)


class CheckPage(_Page):
    def expect_open(self) -> CheckPage:
        self.expect_heading("Check before sending invitations")
        return self

    def invitees(self) -> list[list[str]]:
        return [
            [c.strip() for c in row.locator("td").all_inner_texts()]
            for row in self.page.locator("h2:has-text('Invitees') + table tbody tr").all()
        ]

    def send(self) -> None:
        self.continue_("Send invitations")


class BoardPage(_Page):
    def expect_open(self, reference: str | None = None) -> BoardPage:
        self.expect_heading(f"Meeting {reference}" if reference else "Meeting")
        return self

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner").inner_text()

    def rows(self) -> list[tuple[str, str, str]]:
        """(role, person, answer) for each attendee, as the table shows them."""
        found = []
        for row in self.page.locator("#board tbody tr").all():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            found.append((cells[0], cells[1], cells[2].splitlines()[0]))
        return found

    def refresh(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Refresh the answers"))

    def save_cutoff(self, *, day: str = "", month: str = "", year: str = "", time: str = "") -> None:
        for selector, value in (
            ("#cutoff-day", day),
            ("#cutoff-month", month),
            ("#cutoff-year", year),
            ("#cutoff-time", time),
        ):
            self.b.fill(self.page.locator(selector), value)
        self.continue_("Save cut-off")


class LinkReplyPage(_Page):
    def expect_open(self, reference: str) -> LinkReplyPage:
        self.expect_heading(f"Multi-agency meeting {reference}")
        return self

    def answer(self, value: str | None) -> None:
        if value:
            self.b.choose("answer", value)
        self.continue_("Send answer")


class DeputyPage(_Page):
    def expect_open(self) -> DeputyPage:
        self.expect_heading("Who will attend instead of you?")
        return self

    def send_to(self, person_id: str | None) -> None:
        if person_id:
            self.b.choose("deputy", person_id)
        self.continue_("Send the invitation to my deputy")
