"""Page objects for the chair's journey (decisions): the task list, each section of the record, check answers and
sign-off, versions, the conflict view and the NRM page. Everything acts through ``Browser.fill/press/choose/tick``
(or :func:`select` below), so the keyboard-only run needs no change.

``DecisionWorld`` seeds a held strategy discussion through the decisions tests' own factory (``make_world``): the
same rows the integration tests start from, committed so that the live server sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from playwright.sync_api import Download, Locator, expect

from rules.vocabulary import MeetingType, Seat
from tests.browser.pages import Browser, InputMode, LoginPage, Person
from tests.browser.seed import Seed
from tests.integration.decisions.support import World, make_world
from tests.support.factories import PASSWORD, TOTP_SECRET

AUTOSAVE_WAIT_MS = 10_000


@dataclass
class DecisionWorld:
    """A held strategy discussion (social care, police, health) on a case, a chair and a police member."""

    seed: Seed
    world: World

    @classmethod
    def held(cls, seed: Seed, meeting_type: MeetingType = MeetingType.STRATEGY_DISCUSSION) -> DecisionWorld:
        return cls(seed, make_world(seed.factories, meeting_type=meeting_type))

    @property
    def chair(self) -> Person:
        return Person(self.world.chair.email, PASSWORD, TOTP_SECRET)

    @property
    def member(self) -> Person:
        return Person(self.world.member.email, PASSWORD, TOTP_SECRET)

    @property
    def record_path(self) -> str:
        return f"/conferences/{self.world.conference.id}/record"

    @property
    def case_path(self) -> str:
        return f"/cases/{self.world.case.id}"

    def owner_id(self, seat: Seat = Seat.SOCIAL_CARE) -> str:
        return str(self.world.people[seat].id)

    def record(self) -> Any:
        """The decision record as the database holds it now (None before anything was saved: opening the record's
        pages creates nothing, and a refused save is rolled back)."""
        from sqlalchemy import select

        from conference.extensions import db
        from decisions.models import DecisionRecord

        db.session.expire_all()
        return db.session.scalars(
            select(DecisionRecord).where(DecisionRecord.conference_id == self.world.conference.id)
        ).one_or_none()

    def count(self, model: Any) -> int:
        from sqlalchemy import func, select

        from conference.extensions import db

        db.session.expire_all()
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def select(b: Browser, locator: Locator, value: str) -> None:
    """Choose an option of a <select>. By keyboard: Tab to it, then the arrow keys (the list stays closed)."""
    if b.mode is InputMode.POINTER:
        locator.select_option(value)
        return
    b.tab_to(locator)
    values: list[str] = locator.evaluate("s => Array.from(s.options).map(o => o.value)")
    if value not in values:
        raise AssertionError(f"{value!r} is not an option of {locator}")
    b.page.keyboard.press("Home")
    for _ in range(values.index(value)):
        b.page.keyboard.press("ArrowDown")
    expect(locator).to_have_value(value)


def sign_in(b: Browser, person: Person) -> None:
    LoginPage(b).open().sign_in(person)


class TaskListPage:
    def __init__(self, b: Browser) -> None:
        self.b, self.page = b, b.page

    def open(self, world: DecisionWorld) -> TaskListPage:
        self.b.visit(world.record_path)
        return self.expect_open()

    def expect_open(self) -> TaskListPage:
        expect(self.page.locator("h1")).to_have_text("Record the meeting")
        return self

    def statuses(self) -> dict[str, str]:
        rows = self.page.locator(".govuk-task-list__item")
        found = {}
        for row in rows.all():
            title = row.locator(".govuk-task-list__name-and-hint").inner_text().strip()
            found[title] = row.locator(".govuk-task-list__status").inner_text().strip()
        return found

    def open_section(self, title: str) -> None:
        self.b.press(self.page.get_by_role("link", name=title, exact=True))

    def check_and_sign_off(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Check answers and sign off"))

    def summary(self) -> str:
        return self.page.locator("main").inner_text()


class SectionPage:
    """A section of the record with a Save button (and, for most, autosave)."""

    title = ""
    button = "Save"

    def __init__(self, b: Browser) -> None:
        self.b, self.page = b, b.page

    def expect_open(self) -> SectionPage:
        expect(self.page.locator("h1")).to_have_text(self.title)
        return self

    def save(self) -> None:
        self.b.press(self.page.get_by_role("button", name=self.button, exact=True))

    def leave_field(self) -> None:
        """Move on from the field just typed in (autosave saves when the focus leaves a field)."""
        if self.b.mode is InputMode.POINTER:
            self.page.locator("h1").click()
        else:
            self.page.keyboard.press("Tab")

    def autosave_status(self) -> Locator:
        return self.page.locator("[role=status].app-autosave-status")

    def expect_autosaved(self) -> None:
        expect(self.autosave_status()).to_have_text(
            re.compile(r"^Saved at (\d{1,2}(:\d\d)?(am|pm)|midday|midnight)$"), timeout=AUTOSAVE_WAIT_MS
        )

    def version(self) -> int:
        return int(self.page.locator("input[name=version]").first.input_value())


class AttendancePage(SectionPage):
    title = "Attendance register"
    button = "Save and check quorum"

    def record(self, seat: Seat, status: str, *, deputy: str = "", summary: str = "") -> None:
        self.b.choose(f"status-{seat.value}", status)
        if deputy:
            self.b.fill(self.page.locator(f"#deputy-{seat.value}"), deputy)
        if summary:
            self.b.fill(self.page.locator(f"#summary-{seat.value}"), summary)


class QuorumPage(SectionPage):
    title = "Quorum"
    button = "Continue without quorum"

    def warning(self) -> str:
        return self.page.locator(".govuk-warning-text").inner_text()

    def continue_to_tasks(self) -> None:
        self.b.press(self.page.get_by_role("button", name="Continue", exact=True))

    def continue_without(self, reason: str) -> None:
        self.b.tick(self.page.locator("#continue_without_quorum"))
        self.b.fill(self.page.locator("#quorum_reason"), reason)
        self.save()


class InformationPage(SectionPage):
    title = "Information shared"

    def field(self, seat: Seat) -> Locator:
        return self.page.locator(f"#information-{seat.value}")

    def enter(self, seat: Seat, text: str) -> None:
        self.b.fill(self.field(seat), text)


class ChildViewsPage(SectionPage):
    title = "The child's views and wishes"

    def enter(self, views: str) -> None:
        self.b.choose("sought", "yes")
        self.b.fill(self.page.locator("#views"), views)


class ElementsPage(SectionPage):
    title = "Trafficking elements"

    def enter(self, acts: list[str], exploitation: list[str], where: str, details: str = "") -> None:
        for act in acts:
            self.b.tick(self.page.locator(f"input[name=acts][value='{act}']"))
        self.b.tick(self.page.locator("input[name=movement_within_uk]"))
        for kind in exploitation:
            self.b.tick(self.page.locator(f"input[name=exploitation_types][value='{kind}']"))
        if details:
            self.b.fill(self.page.locator("#purpose_details"), details)
        self.b.choose("where", where)

    def summary(self) -> str:
        return self.page.locator("#elements-summary").inner_text()


class IndicatorsPage(SectionPage):
    title = "Indicators"

    def raise_indicator(self, key: str, seat: Seat, note: str) -> None:
        name = f"indicator-{key}"
        self.b.tick(self.page.locator(f"input[name='{name}']"))
        select(self.b, self.page.locator(f"#{name}-agency"), seat.value)
        self.b.fill(self.page.locator(f"#{name}-note"), note)


class OutcomePage(SectionPage):
    title = "Outcome"

    def decide_trafficking_concern(self, rationale: str, dissent: dict[Seat, str]) -> None:
        self.b.choose("start_enquiries", "yes")
        self.b.choose("outcome", "trafficking_concern")
        self.b.tick(self.page.locator("input[name=nrm_referral]"))
        self.b.fill(self.page.locator("#first_responder_organisation"), "Northbridge Children's Services")
        self.b.fill(self.page.locator("#first_responder_name"), "Sam Worker")
        self.b.fill(self.page.locator("#rationale"), rationale)
        for seat, reason in dissent.items():
            self.b.fill(self.page.locator(f"#dissent-{seat.value}"), reason)
        self.b.choose("suspected_of_offences", "yes")
        self.b.choose("non_punishment_flag", "yes")


class ActionsPage(SectionPage):
    title = "Action plan"
    button = "Add action"

    def add(self, description: str, owner_id: str, due_on: date | tuple[str, str, str] | None, due_time: str) -> None:
        """Add an action; ``due_on`` as a date, or as the day, month and year a person typed (perhaps wrongly)."""
        self.b.fill(self.page.locator("#description"), description)
        if owner_id:
            select(self.b, self.page.locator("#owner"), owner_id)
        if isinstance(due_on, date):
            due_on = (str(due_on.day), str(due_on.month), str(due_on.year))
        day, month, year = due_on or ("", "", "")
        self.b.fill(self.page.locator("#due_on-day"), day)
        self.b.fill(self.page.locator("#due_on-month"), month)
        self.b.fill(self.page.locator("#due_on-year"), year)
        self.b.fill(self.page.locator("#due_time"), due_time)
        self.save()

    def rows(self) -> list[str]:
        return [re.sub(r"\s+", " ", t).strip() for t in self.page.locator("table tbody tr").all_inner_texts()]

    def back_to_tasks(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Back to the task list"))


class CheckPage(SectionPage):
    title = "Check your answers before signing off"
    button = "Sign off"

    def sign_off(self, password: str, code: str) -> None:
        self.b.fill(self.page.locator("#password"), password)
        self.b.fill(self.page.locator("#code"), code)
        self.save()


class VersionPage:
    def __init__(self, b: Browser) -> None:
        self.b, self.page = b, b.page

    def expect_open(self, number: int) -> VersionPage:
        expect(self.page.locator("h1")).to_have_text(f"Version {number}")
        return self

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner").inner_text()

    def download(self, name: str) -> Download:
        """Follow a download link (a button-styled link): by pointer, or Tab and Enter."""
        link = self.page.get_by_role("button", name=name)
        with self.page.expect_download() as info:
            self.b.press(link, navigates=False)
        return info.value

    def amend(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Amend this decision"))

    def compare(self) -> None:
        self.b.press(self.page.get_by_role("link", name="Compare versions"))


class AmendPage(SectionPage):
    title = "Amend the decision"
    button = "Start the amendment"

    def start(self, reason: str) -> None:
        self.b.fill(self.page.locator("#reason"), reason)
        self.save()


class ComparePage:
    def __init__(self, b: Browser) -> None:
        self.b, self.page = b, b.page

    def expect_open(self) -> ComparePage:
        expect(self.page.locator("h1")).to_have_text("Compare versions")
        return self

    def changes(self) -> list[list[str]]:
        return [
            [re.sub(r"\s+", " ", c).strip() for c in row.locator("th, td").all_inner_texts()]
            for row in self.page.locator("#changes tbody tr").all()
        ]


class ConflictPage:
    def __init__(self, b: Browser) -> None:
        self.b, self.page = b, b.page

    def expect_open(self) -> ConflictPage:
        expect(self.page.locator("h1")).to_contain_text("first")
        return self

    def mine(self) -> str:
        return self.page.locator("#conflict-mine").inner_text()

    def saved(self) -> str:
        return self.page.locator("#conflict-saved").inner_text()

    def open_section_again(self) -> None:
        self.b.press(self.page.get_by_role("button", name=re.compile("^Open .* again$")))
