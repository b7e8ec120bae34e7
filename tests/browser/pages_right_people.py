"""Page objects and seed for issue 9 (the right people): the agencies involved in a case, seats on the people page,
and one reusable journey, "convene a strategy discussion for a foreign national child with an ICTG", that later
journeys (written submissions, the outside-agency page) can start from.

Every method acts only through ``Browser.fill/press/choose/tick`` (and ``choose_from_list`` here), so that the
keyboard-only run works unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import Locator, expect

from rules.clock import LONDON
from rules.vocabulary import AgencyKind
from tests.browser.pages import Browser, CaseListPage, CasePage, InputMode, Navigation, NewCaseDetails, NewCasePage
from tests.browser.pages_convening import (
    AskForMeetingPage,
    BoardPage,
    CheckPage,
    OptionsPage,
    PeoplePage,
    PlacePage,
    TimescalePage,
)
from tests.browser.seed import ConveningSeed, Seed
from tests.support.factories import ALL_WEEK, EMPTY_ICS


def choose_from_list(browser: Browser, select: Locator, label: str) -> None:
    """Choose ``label`` in a drop-down list: by pointer, or by Tab and the arrow keys."""
    if browser.mode is InputMode.POINTER:
        select.select_option(label=label)
        return
    browser.tab_to(select)
    for _ in range(select.locator("option").count()):
        if select.evaluate("el => el.options[el.selectedIndex].text") == label:
            break
        browser.page.keyboard.press("ArrowDown")
    assert select.evaluate("el => el.options[el.selectedIndex].text") == label


@dataclass
class PartnersSeed:
    """ConveningSeed plus the partners of a foreign national child: a Home Office team based in Eastmere and shared
    with Northbridge, an ICTG service, and an interpreter."""

    seed: Seed
    area: ConveningSeed = field(init=False)
    people: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        from conference.directory.models import AvailabilitySource

        self.area = ConveningSeed(self.seed)
        f = self.seed.factories
        eastmere = f.area("EM", "Eastmere")
        home_office = f.agency(eastmere, AgencyKind.HOME_OFFICE, name="Home Office Safeguarding Hub")
        ictg = f.agency(self.seed.area, AgencyKind.GUARDIAN_SERVICE, name="Northbridge Guardian Service")
        known = {"availability_source": AvailabilitySource.ICS_UPLOAD, "availability_ics": EMPTY_ICS}
        self.people = {
            "home_office": f.person(
                home_office,
                name="Parisa Hollingworth",
                email="home.office@agency.example",
                role_tags=["home_office_safeguarding_lead"],
                also_serves=["NB"],
                working_hours=ALL_WEEK,
                **known,
            ),
            "ictg": f.person(
                ictg,
                name="Robin Featherstone",
                email="ictg@agency.example",
                role_tags=["ictg"],
                working_hours=ALL_WEEK,
                **known,
            ),
        }


class AgenciesPage:
    def __init__(self, browser: Browser) -> None:
        self.b = browser
        self.page = browser.page

    def open_from_case(self) -> AgenciesPage:
        self.b.press(self.page.get_by_role("link", name="Change agencies involved"))
        expect(self.page.locator("h1")).to_have_text("Agencies involved")
        return self

    def add(self, label: str | None) -> None:
        if label:
            choose_from_list(self.b, self.page.locator("#agency"), label)
        self.b.press(self.page.get_by_role("button", name="Add agency"))

    def involved(self) -> list[str]:
        return [t.strip() for t in self.page.locator("table tbody tr td:first-child").all_inner_texts()]


class SeatsPage(PeoplePage):
    """The people page's seat controls (issue 9)."""

    def seat_headings(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".govuk-summary-card__title").all_inner_texts()]

    def add_seat(self, role_label: str | None, *, agency_label: str | None = None) -> None:
        if role_label:
            choose_from_list(self.b, self.page.locator("#seat-role"), role_label)
        if agency_label:
            choose_from_list(self.b, self.page.locator("#seat-agency"), agency_label)
        self.b.press(self.page.get_by_role("button", name="Add seat", exact=True))

    def remove_seat(self, role_label: str) -> None:
        self.b.press(self.page.get_by_role("button", name=f"Remove seat {role_label}", exact=True))


def open_foreign_national_case(browser: Browser, hours_ago: int = 2) -> str:
    """From the case list: open a case for a foreign national child with an ICTG allocated. Returns the reference."""
    moment = datetime.now(LONDON) - timedelta(hours=hours_ago)
    Navigation(browser).go("Cases")
    CaseListPage(browser).start_new_case()
    form = NewCasePage(browser).expect_open()
    form.fill(
        NewCaseDetails(
            interpreter="no",
            nationality="Vietnamese",
            foreign_national="yes",
            guardian_allocated="yes",
            identified_day=str(moment.day),
            identified_month=moment.strftime("%B").lower()[:3],
            identified_year=str(moment.year),
            identified_time=moment.strftime("%H:%M"),
        )
    )
    browser.check("new case with the opening questions answered")
    form.submit()
    return CasePage(browser).reference()


def convene_strategy_discussion(browser: Browser, *, venue: str = "Room 4, Civic Centre") -> BoardPage:
    """From the case page: ask for a strategy discussion, keep the suggested people, take the first option, send."""
    ask = AskForMeetingPage(browser).open_from_case()
    ask.choose("strategy_discussion")
    ask.continue_()
    timescale = TimescalePage(browser).expect_open()
    timescale.enter_deadline(datetime.now(LONDON) + timedelta(days=2))
    timescale.continue_()
    SeatsPage(browser).expect_open().find_times()
    options = OptionsPage(browser).expect_open()
    options.choose_option(0)
    options.use_this_time()
    place = PlacePage(browser).expect_open()
    place.in_person(venue)
    place.continue_()
    CheckPage(browser).expect_open().send()
    return BoardPage(browser).expect_open()
