"""Page objects for the browser journeys, and the ``Browser`` that drives them by pointer or by keyboard alone.

A journey says what a person does ("sign in", "open a new case"); the page objects know where things are; the
``Browser`` knows HOW the person acts. In keyboard mode it reaches every control with Tab (and the arrow keys
inside a radio group) and acts with Enter, Space and typing: no mouse events and no ``.click()``. If a control
cannot be reached by tabbing, the journey fails, which is the point.

Every page that loads is checked by axe-core (WCAG 2.0, 2.1, 2.2 A and AA) through :meth:`Browser.check`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Locator, Page, expect

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
MAX_TABS = 200
_AXE = Axe()


class InputMode(StrEnum):
    POINTER = "pointer"
    KEYBOARD = "keyboard"


class AccessibilityProblem(AssertionError):
    pass


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    """axe's violations as lines a person can act on: rule, impact, what to fix, and the elements."""
    lines = [f"{len(violations)} accessibility violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:8]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@dataclass
class Browser:
    """One person's browser profile, driven in one input mode."""

    context: BrowserContext
    mode: InputMode
    screenshots: Path
    test_name: str
    page: Page = field(init=False)
    checked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)

    # --- navigation and checks -------------------------------------------------------------------

    def visit(self, path: str) -> None:
        """Type an address, as a person would (not a pointer or keyboard action on the page)."""
        self.page.goto(path)

    def check(self, label: str, *, screenshot: str | None = None) -> None:
        """axe-core on the page as it is now; a full-page screenshot when ``screenshot`` names it."""
        self.page.wait_for_load_state("load")
        results = _AXE.run(
            self.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        )
        where = f"{label} ({self.page.url})"
        self.checked.append(where)
        violations = results.response["violations"]
        if violations:
            raise AccessibilityProblem(format_violations(where, violations))
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert not csp, f"CSP refused something on {where}: {csp}"
        if screenshot:
            self.screenshots.mkdir(parents=True, exist_ok=True)
            name = f"{screenshot}-{self.mode.value}.png"
            self.page.screenshot(path=str(self.screenshots / name), full_page=True)

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    # --- acting, by pointer or by keyboard --------------------------------------------------------

    def _is_focused(self, locator: Locator) -> bool:
        return bool(locator.evaluate("el => el === document.activeElement"))

    def tab_to(self, locator: Locator) -> None:
        """Press Tab until ``locator`` has the focus; fail if it cannot be reached."""
        locator.wait_for(state="visible")
        for _ in range(MAX_TABS):
            if self._is_focused(locator):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{locator} could not be reached with the Tab key in {MAX_TABS} presses")

    def _tab_until(self, predicate: str, what: str) -> None:
        for _ in range(MAX_TABS):
            if self.page.evaluate(predicate):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{what} could not be reached with the Tab key in {MAX_TABS} presses")

    def fill(self, locator: Locator, text: str) -> None:
        if self.mode is InputMode.POINTER:
            locator.fill(text)
            return
        self.tab_to(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Backspace")
        if text:
            self.page.keyboard.type(text)
        expect(locator).to_have_value(text)

    def press(self, locator: Locator, *, navigates: bool = True) -> None:
        """Press a button or follow a link (by default one that loads a new page)."""
        if self.mode is InputMode.POINTER:
            locator.click()
        elif navigates:
            self.tab_to(locator)
            with self.page.expect_navigation():
                self.page.keyboard.press("Enter")
        else:
            self.tab_to(locator)
            self.page.keyboard.press("Enter")
        self.page.wait_for_load_state("load")

    def choose(self, name: str, value: str) -> None:
        """Choose a radio in the group ``name``. By keyboard: Tab into the group, then the arrow keys."""
        target = self.page.locator(f"input[type=radio][name='{name}'][value='{value}']")
        if self.mode is InputMode.POINTER:
            target.check()
            return
        self._tab_until(
            f"(a => a && a.type === 'radio' && a.name === {json.dumps(name)})(document.activeElement)",
            f"the radio group {name!r}",
        )
        for _ in range(self.page.locator(f"input[type=radio][name='{name}']").count()):
            if self._is_focused(target):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        expect(target).to_be_checked()

    def tick(self, locator: Locator, ticked: bool = True) -> None:
        if self.mode is InputMode.POINTER:
            locator.set_checked(ticked)
            return
        if locator.is_checked() != ticked:
            self.tab_to(locator)
            self.page.keyboard.press("Space")
        expect(locator).to_be_checked(checked=ticked)


# --- page objects ------------------------------------------------------------------------------------


@dataclass
class Person:
    """Who signs in: the seeded account's email, password and TOTP secret."""

    email: str
    password: str
    totp_secret: str

    def code(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


class LoginPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def open(self) -> LoginPage:
        self.b.visit("/login")
        expect(self.page.locator("h1")).to_have_text("Sign in to Convene")
        self.b.check("sign in", screenshot="01-sign-in")
        return self

    def submit(self, email: str, password: str) -> None:
        self.b.fill(self.page.locator("#email"), email)
        self.b.fill(self.page.locator("#password"), password)
        self.b.press(self.page.get_by_role("button", name="Continue"))

    def sign_in(self, person: Person) -> None:
        """Password, then the security code: the two steps of MFA."""
        self.submit(person.email, person.password)
        MfaPage(self.b).enter(person.code())


class MfaPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def enter(self, code: str) -> None:
        expect(self.page.locator("h1")).to_have_text("Enter your security code")
        self.b.check("security code", screenshot="02-security-code")
        self.b.fill(self.page.locator("#code"), code)
        self.b.press(self.page.get_by_role("button", name="Continue"))


class ErrorSummary:
    """The Design System error summary: its messages, and that each links to its field."""

    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.locator = browser.page.locator(".govuk-error-summary")

    def messages(self) -> list[str]:
        expect(self.locator).to_be_visible()
        return [t.strip() for t in self.locator.locator("a").all_inner_texts()]

    def expect_focused_and_linked(self) -> None:
        """The summary takes the focus on load (GOV.UK Frontend), and every link targets a field on the page."""
        expect(self.locator).to_be_focused()
        for href in self.locator.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            assert self.b.page.locator(href).count() == 1, f"error summary link {href} has no field"
        assert self.b.page.title().startswith("Error: ")


class Navigation:
    def __init__(self, browser: Browser) -> None:
        self.b = browser

    def go(self, label: str) -> None:
        nav = self.b.page.get_by_role("navigation", name="Menu")
        self.b.press(nav.get_by_role("link", name=label, exact=True))


@dataclass(frozen=True)
class NewCaseDetails:
    first_name: str = "Ayaan"
    last_name: str = "Testperson"
    estimated_age: str = "15"
    gender: str = "male"
    nationality: str = "Not known"
    languages: str = "Arabic"
    interpreter: str = "yes"
    identified_day: str = ""
    identified_month: str = ""
    identified_year: str = ""
    identified_time: str = ""
    missing_risk: str = "high"
    # The opening questions that decide the agencies involved (issue 9).
    foreign_national: str = "no"
    in_education: str = "no"
    guardian_allocated: str = "no"
    nrm_referral_made: str = "no"


class NewCasePage:
    FIELDS = {
        "first_name": "#child_first_name",
        "last_name": "#child_last_name",
        "estimated_age": "#child_estimated_age",
        "nationality": "#nationality",
        "languages": "#languages",
        "identified_day": "#identified_on-day",
        "identified_month": "#identified_on-month",
        "identified_year": "#identified_on-year",
        "identified_time": "#identified_time",
    }

    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def expect_open(self) -> NewCasePage:
        expect(self.page.locator("h1")).to_have_text("Open a new case")
        return self

    def fill(self, details: NewCaseDetails) -> None:
        for name, selector in self.FIELDS.items():
            self.b.fill(self.page.locator(selector), getattr(details, name))
        for radio_name, value in (
            ("gender", details.gender),
            ("interpreter_needed", details.interpreter),
            ("missing_risk", details.missing_risk),
            ("foreign_national", details.foreign_national),
            ("in_education", details.in_education),
            ("guardian_allocated", details.guardian_allocated),
            ("nrm_referral_made", details.nrm_referral_made),
        ):
            if value:
                self.b.choose(radio_name, value)

    def submit(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Open case"))

    def value(self, name: str) -> str:
        return self.page.locator(self.FIELDS[name]).input_value()

    def chosen(self, radio_name: str) -> str | None:
        checked = self.page.locator(f"input[type=radio][name='{radio_name}']:checked")
        return checked.get_attribute("value") if checked.count() else None


class CasePage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def reference(self) -> str:
        caption = self.page.locator("h1 .govuk-caption-l")
        expect(caption).to_have_text("Case")
        return self.heading_text().removeprefix("Case").strip()

    def heading_text(self) -> str:
        return self.page.locator("h1").inner_text().replace("\n", " ").strip()

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner").inner_text()

    def open_access_log(self) -> None:
        self.b.press(self.page.get_by_role("link", name="See who has viewed this case"))


class CaseListPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def references(self) -> list[str]:
        return self.page.locator("table tbody tr td:first-child a").all_inner_texts()

    def open_case(self, reference: str) -> None:
        self.b.press(self.page.get_by_role("link", name=reference, exact=True))

    def start_new_case(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Open a new case"))


class AccessLogPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def rows(self) -> list[list[str]]:
        expect(self.page.locator("h1")).to_contain_text("Who has viewed this case")
        return [
            [re.sub(r"\s+", " ", c).strip() for c in row.locator("td").all_inner_texts()]
            for row in self.page.locator("table tbody tr").all()
        ]


class DashboardPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def expect_open(self) -> DashboardPage:
        expect(self.page.locator("h1")).to_have_text("Dashboard")
        return self

    def open_case_references(self) -> list[str]:
        return self.page.locator("#open-cases tbody tr td:first-child a").all_inner_texts()
