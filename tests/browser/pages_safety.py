"""Page objects for the safety journey: the checklist on the case page, a checklist item, and missing episodes."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect

from rules.display import to_london
from tests.browser.pages import Browser


def moment_fields(prefix: str, at: datetime) -> dict[str, str]:
    """The date and time fields of a moment, as a person would type them (London time)."""
    local = to_london(at)
    return {
        f"#{prefix}-day": str(local.day),
        f"#{prefix}-month": str(local.month),
        f"#{prefix}-year": str(local.year),
        f"#{prefix}-time": local.strftime("%H:%M"),
    }


class SafetySection:
    """The safety part of the case page."""

    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def checklist_rows(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#safety-checklist tbody tr").all_inner_texts()]

    def golden_hour(self) -> str:
        return self.page.locator("#golden-hour").inner_text()

    def update(self, label: str) -> None:
        self.b.press(self.page.get_by_role("link", name=f"Update {label}"))

    def record_missing_episode(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Record a missing episode"))


class CheckPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def save_without_a_status(self) -> None:
        """The radios start with the current status chosen; an old or altered page may send none."""
        self.page.evaluate("document.querySelectorAll('input[name=status]').forEach(r => { r.checked = false; })")
        self.b.press(self.page.get_by_role("button", name="Save"))

    def save(self, status: str, note: str) -> None:
        self.b.choose("status", status)
        self.b.fill(self.page.locator("#note"), note)
        self.b.press(self.page.get_by_role("button", name="Save"))


class EpisodeForm:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def expect_open(self) -> EpisodeForm:
        expect(self.page.locator("h1")).to_have_text("Record a missing episode")
        return self

    def fill(self, fields: dict[str, str], risk: str | None) -> None:
        for selector, value in fields.items():
            self.b.fill(self.page.locator(selector), value)
        if risk:
            self.b.choose("risk", risk)

    def continue_(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Continue"))

    def confirm(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Record and tell the agencies"))


class EpisodePage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner").inner_text()

    def reconvene(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Reconvene the strategy discussion"))

    def open_return(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Record that the child was found or returned"))
        expect(self.page.locator("h1")).to_have_text("Record that the child was found or returned")

    def submit_return(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Record the return"))

    def record_return(self, fields: dict[str, str], where: str, who: str) -> None:
        for selector, value in fields.items():
            self.b.fill(self.page.locator(selector), value)
        self.b.fill(self.page.locator("#found_where"), where)
        self.b.fill(self.page.locator("#return_interview_by"), who)
        self.submit_return()

    def open_interview(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Record the return-home interview"))
        expect(self.page.locator("h1")).to_have_text("Record the return-home interview")

    def record_interview(self, fields: dict[str, str]) -> None:
        for selector, value in fields.items():
            self.b.fill(self.page.locator(selector), value)
        self.b.press(self.page.get_by_role("button", name="Record the interview"))

    def interview_clock(self) -> str:
        return self.page.locator("#return-interview-clock").inner_text()
