"""Page objects for the child's facts: the facts part of the case page, changing facts, their history, linking a
case, and the "Facts changed since this decision" flag. They act only through ``Browser.fill/press/choose``."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import Browser


class CaseFactsSection:
    """The facts part of the case page."""

    def __init__(self, b: Browser) -> None:
        self.b = b
        self.page = b.page

    def deadline_of(self, meeting_reference: str) -> str:
        row = self.page.locator(f'#meeting-deadlines tr[data-meeting="{meeting_reference}"] td.app-deadline')
        return row.inner_text().strip()

    def fact(self, label: str) -> str:
        row = self.page.locator("#child-facts .govuk-summary-list__row").filter(
            has=self.page.locator("dt", has_text=label)
        )
        return row.locator("dd").inner_text().strip()

    def messages(self) -> str:
        return self.page.locator("#facts-messages").inner_text()

    def change_facts(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Change the child's details"))

    def open_history(self) -> None:
        self.b.press(self.page.get_by_role("link", name="See the history of these facts", exact=False))

    def link_another_case(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Link another case"))

    def facts_changed_flag(self) -> str:
        return self.page.locator(".app-facts-changed").first.inner_text()

    def amend_decision(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Amend the decision"))


class ChangeFactsPage:
    def __init__(self, b: Browser) -> None:
        self.b = b
        self.page = b.page

    def expect_open(self) -> ChangeFactsPage:
        expect(self.page.locator("h1")).to_have_text("Change the child's details")
        return self

    def choose_missing_risk(self, value: str) -> None:
        self.b.choose("missing_risk", value)

    def enter_estimated_age(self, text: str) -> None:
        self.b.fill(self.page.get_by_label("Estimated age in years (optional)"), text)

    def enter_reason(self, text: str) -> None:
        self.b.fill(self.page.get_by_label("Reason for the change"), text)

    def save(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Save the changes"))


class FactHistoryPage:
    def __init__(self, b: Browser) -> None:
        self.b = b
        self.page = b.page

    def rows(self) -> list[list[str]]:
        return [
            [cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in self.page.locator("#fact-history tbody tr").all()
        ]


class LinkCasePage:
    def __init__(self, b: Browser) -> None:
        self.b = b
        self.page = b.page

    def link(self, reference: str, kind: str, reason: str) -> None:
        self.b.fill(self.page.get_by_label("Reference of the other case"), reference)
        if kind:
            self.b.choose("kind", kind)
        self.b.fill(self.page.get_by_label("Reason for linking"), reason)
        self.b.press(self.page.get_by_role("button", name="Link the cases"))
