"""Page objects for Plan the week (conference/planning)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages_convening import _Page


class PlanWeekPage(_Page):
    def expect_open(self) -> PlanWeekPage:
        self.expect_heading("Plan the week")
        return self

    def waiting(self) -> str:
        return self.page.locator("#waiting-count").inner_text()

    def plan(self) -> None:
        self.continue_("Plan these days")


class PlanRunPage(_Page):
    def expect_waiting(self) -> PlanRunPage:
        expect(self.page.locator("#plan-status")).to_contain_text("Waiting to start")
        expect(self.page.locator("#refresh-plan")).to_be_visible()
        return self

    def expect_ready(self, timeout: float = 60_000) -> PlanRunPage:
        """The page's own script loads the plan once it is ready (no meta refresh)."""
        expect(self.page.locator("#comparison")).to_be_visible(timeout=timeout)
        return self

    def comparison(self) -> list[list[str]]:
        return [
            [c.strip() for c in row.locator("th, td").all_inner_texts()]
            for row in self.page.locator("#comparison tbody tr").all()
        ]

    def meetings(self) -> list[str]:
        return [str(i.get_attribute("value")) for i in self.page.locator("#proposals input[name=meeting]").all()]

    def untick(self, meeting: str) -> None:
        self.b.tick(self.page.locator(f"#proposals input[value='{meeting}']"), ticked=False)

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner").inner_text()


class PlanCheckPage(_Page):
    def expect_open(self) -> PlanCheckPage:
        self.expect_heading("Check before sending invitations")
        return self

    def rows(self) -> int:
        return self.page.locator("#check-meetings tbody tr").count()

    def venue(self, text: str) -> None:
        self.b.fill(self.page.locator("#venue"), text)

    def send(self) -> None:
        self.continue_("Send invitations")
