"""Issue 11, after the referral: the chair amends a signed decision after the NRM referral and sends the update to
the Single Competent Authority; then records a negative reasonable grounds decision with its letter (a letter with
JavaScript is refused first), sees the prompts, and drafts a reconsideration request.

Each test runs twice (``mode``): by pointer, and by keyboard alone. axe-core checks every page on the way.
The signed version 1 and the referral are seeded through the app (the same steps as the integration tests), so
the browser does only what this issue adds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from decisions.models import NrmDecisionLetter, NrmReferral
from rules.vocabulary import Seat
from tests.browser.conftest import BrowserFactory
from tests.browser.decisions_pages import (
    AmendPage,
    CheckPage,
    DecisionWorld,
    InformationPage,
    TaskListPage,
    VersionPage,
    sign_in,
)
from tests.browser.seed import Seed
from tests.integration.decisions.support import record_everything, sign_off
from tests.support.pages import PageCheckingClient

PLAIN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HOSTILE_PDF = PLAIN_PDF + b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"


def _signed_and_referred(seed: Seed) -> DecisionWorld:
    from conference.extensions import db

    held = DecisionWorld.held(seed)
    client = PageCheckingClient(seed.app, seed.app.response_class, use_cookies=True)
    seed.factories.sign_in(client, held.world.chair)
    record_everything(client, held.world)
    assert sign_off(client, held.world).status_code == 302
    db.session.add(
        NrmReferral(
            case_id=held.world.case.id,
            answers={},
            referred_on=date.today(),
            reference="NRM-4455",
            referred_version=1,
            reported_version=1,
        )
    )
    db.session.commit()
    seed.allow_new_code(held.chair.email)
    return held


def _referral(held: DecisionWorld) -> NrmReferral:
    from sqlalchemy import select

    from conference.extensions import db

    db.session.expire_all()
    return db.session.scalars(select(NrmReferral).where(NrmReferral.case_id == held.world.case.id)).one()


def test_amend_after_referral_then_send_the_update_then_a_negative_decision(
    browsers: BrowserFactory, seed: Seed, tmp_path: Path
) -> None:
    held = _signed_and_referred(seed)
    nrm_path = f"{held.case_path}/nrm"
    b = browsers()
    sign_in(b, held.chair)
    b.visit(nrm_path)
    expect(b.page.locator("h1")).to_have_text("NRM referral and decisions")
    expect(b.page.locator("#sca-update")).to_have_count(0)
    b.check("NRM page, referral made")
    b.press(b.page.get_by_role("button", name="Answer the referral questions"))
    expect(b.page.locator("h1")).to_have_text("Answer the NRM referral questions")
    b.check("NRM answers, with the form's lists")

    # Amend the signed decision (version 2).
    b.visit(f"{held.record_path}/versions/1")
    version = VersionPage(b).expect_open(1)
    version.amend()
    amend = AmendPage(b)
    amend.expect_open()
    amend.start("The police found a second phone")
    tasks = TaskListPage(b)
    tasks.expect_open().open_section("Information shared")
    information = InformationPage(b)
    information.expect_open()
    information.enter(Seat.POLICE, "Found in a trap house. A second phone was found.")
    information.save()
    tasks.expect_open().check_and_sign_off()
    check = CheckPage(b)
    check.expect_open()
    held.seed.allow_new_code(held.chair.email)
    check.sign_off(held.chair.password, held.chair.code())
    version.expect_open(2)

    # The NRM page offers the update; the chair checks the changes and sends it.
    b.visit(nrm_path)
    expect(b.page.locator("#sca-update")).to_contain_text("amended after the referral (version 2")
    b.check("NRM page, update to send", screenshot="60-nrm-update-due")
    b.press(b.page.get_by_role("link", name="Check and send the update to the Single Competent Authority"))
    expect(b.page.locator("h1")).to_have_text("Update for the Single Competent Authority")
    expect(b.page.locator("#update-changes")).to_contain_text("A second phone was found.")
    b.check("the update, before sending", screenshot="61-nrm-update")
    b.press(b.page.get_by_role("button", name="Send the update"))
    expect(b.page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have checked")
    b.check("the update, not confirmed")
    b.tick(b.page.get_by_label("I have checked the changes and the referral answers"))
    b.press(b.page.get_by_role("button", name="Send the update"))
    expect(b.page.locator(".govuk-notification-banner")).to_contain_text(
        "Update sent to the Single Competent Authority (1 recipient)"
    )
    expect(b.page.locator("#sca-update")).to_have_count(0)
    assert _referral(held).reported_version == 2

    # A negative reasonable grounds decision, with its letter: a letter with JavaScript is refused first.
    today = date.today()
    hostile, plain = tmp_path / "letter.pdf", tmp_path / "rg-letter.pdf"
    hostile.write_bytes(HOSTILE_PDF)
    plain.write_bytes(PLAIN_PDF)

    def record_decision(letter: Path) -> None:
        b.choose("stage", "reasonable_grounds")
        b.choose("outcome", "rg_negative")
        b.fill(b.page.locator("#decided_on-day"), str(today.day))
        b.fill(b.page.locator("#decided_on-month"), str(today.month))
        b.fill(b.page.locator("#decided_on-year"), str(today.year))
        b.page.locator("#letter").set_input_files(str(letter))
        b.press(b.page.get_by_role("button", name="Record the decision"))

    record_decision(hostile)
    expect(b.page.locator(".govuk-error-summary")).to_contain_text("contains scripts, actions or attached files")
    b.check("decision letter refused", screenshot="62-nrm-letter-refused")
    assert _referral(held).rg_outcome is None
    record_decision(plain)
    expect(b.page.locator(".govuk-notification-banner").first).to_contain_text("NRM decision recorded with its letter")
    prompt = b.page.locator("#negative-decision")
    expect(prompt).to_contain_text("Child protection continues whatever the NRM outcome.")
    expect(prompt).to_contain_text("The first responder or the support provider can ask")
    expect(b.page.locator("#decision-letters")).to_contain_text("Download the reasonable grounds decision letter")
    b.check("negative decision prompts", screenshot="63-nrm-negative")
    assert held.count(NrmDecisionLetter) == 1

    b.press(b.page.get_by_role("link", name="Draft a reconsideration request"))
    expect(b.page.locator("h1")).to_have_text("Reconsideration request")
    expect(b.page.locator("#text")).to_contain_text("negative reasonable grounds decision")
    b.check("reconsideration request, drafted", screenshot="64-nrm-reconsideration")
    b.choose("status", "sent")
    b.fill(b.page.locator("#on-day"), str(today.day))
    b.fill(b.page.locator("#on-month"), str(today.month))
    b.fill(b.page.locator("#on-year"), str(today.year))
    b.press(b.page.get_by_role("button", name="Save the request"))
    expect(b.page.locator("#reconsideration-status")).to_contain_text("Reconsideration request: sent")
    b.check("NRM page, reconsideration sent")
    referral = _referral(held)
    assert referral.reconsideration_status == "sent" and referral.reconsideration_sent_on == today
