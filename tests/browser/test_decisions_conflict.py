"""A second editor races the chair on the same section, in two browsers. Autosave notices and stops; the Save button
shows the conflict view. Nothing is lost: both texts are on the screen and the text saved first is intact.

Runs by pointer and by keyboard alone; axe-core checks every page and the conflict states.
"""

from __future__ import annotations

from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import expect

from decisions.models import DecisionConflict
from rules.vocabulary import Seat
from tests.browser.conftest import ARTIFACTS, BrowserFactory
from tests.browser.decisions_pages import ConflictPage, DecisionWorld, InformationPage, TaskListPage, sign_in
from tests.browser.pages import Browser, InputMode
from tests.browser.seed import Seed

THEIRS = "Seen at the bus station."
MINE = "At school on Friday."


def test_second_editor_races_the_chair_and_nothing_is_lost(browsers: BrowserFactory, seed: Seed) -> None:
    held = DecisionWorld.held(seed)
    chair_browser, member_browser = browsers(), browsers()
    sign_in(chair_browser, held.chair)
    sign_in(member_browser, held.member)

    # Both open the same section at the same version.
    chair_page = InformationPage(chair_browser)
    member_page = InformationPage(member_browser)
    for b, page in ((chair_browser, chair_page), (member_browser, member_page)):
        TaskListPage(b).open(held).open_section("Information shared")
        page.expect_open()
    assert chair_page.version() == member_page.version()
    chair_browser.check("information shared, before the race")

    # The member saves first (autosave, as soon as the focus leaves the field).
    member_page.enter(Seat.POLICE, THEIRS)
    member_page.leave_field()
    member_page.expect_autosaved()
    assert held.record().sections["information"] == {"police": THEIRS}

    # The chair, still on the old version, types: autosave refuses to overwrite and says so.
    chair_page.enter(Seat.POLICE, MINE)
    chair_page.leave_field()
    status = chair_page.autosave_status()
    expect(status).to_contain_text("Not saved: someone else changed this section.", timeout=10_000)
    link = status.get_by_role("link", name="See their changes and yours")
    expect(link).to_be_visible()
    chair_browser.check("information shared, autosave conflict", screenshot="53-decision-autosave-conflict")
    assert held.record().sections["information"] == {"police": THEIRS}  # theirs intact
    expect(chair_page.field(Seat.POLICE)).to_have_value(MINE)  # and mine still on the screen

    # The chair presses Save anyway: the conflict view, with both texts, and still nothing overwritten.
    chair_page.save()
    conflict = ConflictPage(chair_browser).expect_open()
    assert MINE in conflict.mine() and THEIRS in conflict.saved()
    expect(chair_browser.page.locator("#conflict-mine dt, #conflict-saved dt")).to_have_text(["Police", "Police"])
    chair_browser.check("conflict view", screenshot="54-decision-conflict")
    assert held.record().sections["information"] == {"police": THEIRS}
    assert held.count(DecisionConflict) == 2  # both attempts kept (autosave and Save)

    # Back on the section: what is saved now, at the new version, so the chair can merge and save.
    conflict.open_section_again()
    chair_page.expect_open()
    expect(chair_page.field(Seat.POLICE)).to_have_value(THEIRS)
    chair_page.enter(Seat.POLICE, f"{THEIRS} {MINE}")
    chair_page.save()
    TaskListPage(chair_browser).expect_open()
    assert held.record().sections["information"] == {"police": f"{THEIRS} {MINE}"}

    # The member's page is now stale in turn: their next autosave is refused, never saved over the chair's.
    member_page.enter(Seat.POLICE, "Seen again on Monday.")  # an agency member writes their own agency's part only
    member_page.leave_field()
    expect(member_page.autosave_status()).to_contain_text("Not saved: someone else changed", timeout=10_000)
    member_browser.press(member_page.autosave_status().get_by_role("link", name="See their changes and yours"))
    theirs_view = ConflictPage(member_browser).expect_open()
    assert "Seen again on Monday." in theirs_view.mine() and MINE in theirs_view.saved()
    member_browser.check("conflict view by the autosave link")


def test_the_section_saves_without_javascript(chromium: PlaywrightBrowser, live_server: str, seed: Seed) -> None:
    """Progressive enhancement: with scripts off there is no autosave and no status line, and Save still saves."""
    held = DecisionWorld.held(seed)
    context = chromium.new_context(base_url=live_server, java_script_enabled=False, locale="en-GB")
    try:
        b = Browser(context, InputMode.POINTER, screenshots=ARTIFACTS / "screenshots", test_name="no-javascript")
        # Signed in by hand: axe (like any script) cannot run in this context; the same pages are checked above.
        b.visit("/login")
        b.fill(b.page.locator("#email"), held.chair.email)
        b.fill(b.page.locator("#password"), held.chair.password)
        b.press(b.page.get_by_role("button", name="Continue"))
        b.fill(b.page.locator("#code"), held.chair.code())
        b.press(b.page.get_by_role("button", name="Continue"))
        TaskListPage(b).open(held).open_section("Information shared")
        page = InformationPage(b)
        page.expect_open()
        expect(page.autosave_status()).to_have_count(0)
        page.enter(Seat.POLICE, THEIRS)
        page.save()
        TaskListPage(b).expect_open()
        assert held.record().sections["information"] == {"police": THEIRS}
    finally:
        context.close()
