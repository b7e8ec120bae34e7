"""A police invitee who cannot attend opens their personal link, sees the meeting page (time, joining, agenda,
answer, written submission, deputy; nothing about the child), and sends a written report with a PDF after a
wrong file is refused. The chair sees it under "Information shared" with its source and file, copies its text
into the record, signs off, and the minutes (HTML and PDF) list it. axe on every page and error state.

Each test runs twice (``mode``): by pointer, and by keyboard alone. Files are chosen with Playwright's
``set_input_files`` in both runs (a native file dialog cannot be driven from the page); everything else is pressed
or typed as a person would.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from conference.convening import invitations as convening_invitations
from conference.convening.invitation_models import InvitationLink
from conference.convening.models import Attendee, ResponseStatus
from conference.convening.submission_models import WrittenSubmission
from conference.extensions import db
from rules.vocabulary import Seat
from tests.browser.conftest import BrowserFactory
from tests.browser.decisions_pages import CheckPage, DecisionWorld, InformationPage, TaskListPage, VersionPage, sign_in
from tests.browser.seed import Seed
from tests.integration.decisions.support import record_everything
from tests.support import submission_files as samples
from tests.support.pages import PageCheckingClient

REPORT = "Police hold two missing episodes and an address linked to a county line."


def _police_link(held: DecisionWorld) -> str:
    """The police invitee said they cannot attend; their link works for another hour. Returns its path."""
    world = held.world
    attendee = db.session.scalars(
        select(Attendee).where(
            Attendee.conference_id == world.conference.id, Attendee.person_id == world.people[Seat.POLICE].id
        )
    ).one()
    attendee.response = ResponseStatus.DECLINED
    token = f"browser-{attendee.id.hex}"
    db.session.add(
        InvitationLink(
            conference_id=world.conference.id,
            attendee_id=attendee.id,
            token_hash=convening_invitations.hash_token(token),
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    )
    db.session.commit()
    return f"/r/{token}"


def test_a_written_submission_reaches_the_record_and_the_minutes(
    browsers: BrowserFactory, seed: Seed, live_app: Flask, tmp_path: Path
) -> None:
    held = DecisionWorld.held(seed)
    conference, case = held.world.conference, held.world.case
    link = _police_link(held)

    # The invitee's meeting page and submission form.
    invitee = browsers()
    invitee.visit(link)
    expect(invitee.page.locator("h1")).to_have_text(f"Multi-agency meeting {conference.reference}")
    main = invitee.page.locator("main")
    expect(main).to_contain_text("Agenda")
    expect(main).to_contain_text("If someone else will attend for you")
    invitee.check("meeting page for an outside agency", screenshot="60-link-meeting-page")
    invitee.press(invitee.page.get_by_role("link", name="Send a written submission"))
    expect(invitee.page.locator("h1")).to_have_text("Send a written submission")
    invitee.check("written submission form", screenshot="61-link-submission-form")

    bad = tmp_path / "report.pdf"
    bad.write_bytes(samples.EXE)
    invitee.fill(invitee.page.locator("#text"), REPORT)
    invitee.page.locator("#files").set_input_files(str(bad))
    invitee.press(invitee.page.get_by_role("button", name="Send written submission"))
    summary = invitee.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file must be a PDF, Word (DOCX)")
    expect(invitee.page.locator("#text")).to_have_value(REPORT)
    invitee.check("written submission form, a file of the wrong type", screenshot="62-link-submission-error")

    good = tmp_path / "police-report.pdf"
    good.write_bytes(samples.PDF)
    invitee.page.locator("#files").set_input_files(str(good))
    invitee.press(invitee.page.get_by_role("button", name="Send written submission"))
    expect(invitee.page.locator(".govuk-notification-banner")).to_contain_text("Your written submission has been sent")
    expect(invitee.page.locator("main")).to_contain_text("You have sent 1 written submission")
    invitee.check("meeting page after a written submission")
    for name in (case.child_first_name, case.child_last_name, case.reference):
        assert name not in invitee.page.content()
    db.session.expire_all()
    assert db.session.scalars(select(WrittenSubmission)).one().text == REPORT

    # The rest of the record, as the decisions journey records it (tested there, page by page).
    client = PageCheckingClient(live_app, live_app.response_class, use_cookies=True)
    held.seed.factories.sign_in(client, held.world.chair)
    record_everything(client, held.world)
    held.seed.allow_new_code(held.chair.email)

    # The chair sees the submission with its source and file, and copies its text into the record.
    chair = browsers()
    sign_in(chair, held.chair)
    chair.visit(f"{held.record_path}/information")
    information = InformationPage(chair)
    information.expect_open()
    block = chair.page.locator(".app-submission")
    expect(block).to_contain_text("Written submission from Police Person")
    expect(block).to_contain_text("Sent through their personal invitation link")
    expect(block).to_contain_text(REPORT)
    chair.check("information shared with a written submission", screenshot="63-information-with-submission")

    with chair.page.expect_download() as info:
        chair.press(chair.page.get_by_role("link", name="Download file 1"), navigates=False)
    download = info.value
    assert download.suggested_filename == f"{conference.reference}-police-submission-1.pdf"
    headers = chair.page.request.get(chair.page.get_by_role("link", name="Download file 1").get_attribute("href"))
    assert headers.headers["content-disposition"].startswith("attachment;")
    assert headers.headers["x-content-type-options"] == "nosniff"

    chair.press(chair.page.get_by_role("button", name="Copy its text into the record: the information from Police"))
    expect(chair.page.locator(".govuk-notification-banner")).to_contain_text(
        "Written submission copied into the information from Police"
    )
    expect(information.field(Seat.POLICE)).to_have_value(
        re.compile(r"^Found in a trap house\n\nWritten submission from Police Person \(Police\).*" + REPORT + "$", re.S)
    )
    chair.check("information shared after copying a submission")

    chair.visit(held.record_path)
    tasks = TaskListPage(chair).expect_open()
    tasks.check_and_sign_off()
    check = CheckPage(chair)
    check.expect_open()
    expect(chair.page.locator("main")).to_contain_text("Written submission received: Police")
    held.seed.allow_new_code(held.chair.email)
    check.sign_off(held.chair.password, held.chair.code())
    version = VersionPage(chair).expect_open(1)
    expect(chair.page.locator("main")).to_contain_text("Written submission received: Police")
    expect(chair.page.locator("main")).to_contain_text("Police Person")
    minutes = version.download("Download the minutes (PDF)")
    path = tmp_path / minutes.suggested_filename
    minutes.save_as(path)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Written submissions received" in text and "Police Person" in text and REPORT[:30] in text.replace("\n", " ")


def test_every_error_state_of_the_submission_form_is_clear_and_accessible(
    browsers: BrowserFactory, seed: Seed, tmp_path: Path
) -> None:
    held = DecisionWorld.held(seed)
    link = _police_link(held)
    files = {
        "empty.pdf": b"",
        "big.pdf": samples.PDF + b"%" + b"x" * (10 * 1024 * 1024),
        "bomb.docx": samples.zip_bomb("docx"),
        "script.pdf": samples.PDF_JS,
        **{f"page{i}.pdf": samples.PDF for i in range(6)},
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    cases = [
        ([], "Enter your agency's information, or choose a file to upload"),
        (["empty.pdf"], "The selected file is empty"),
        (["big.pdf"], "The selected file must be smaller than 10MB"),
        (["bomb.docx"], "expands to far more than its size"),
        (["script.pdf"], "contains scripts, actions or attached files"),
        ([f"page{i}.pdf" for i in range(6)], "You can only select up to 5 files at the same time"),
    ]
    invitee = browsers()
    invitee.visit(f"{link}/submission")
    for chosen, message in cases:
        if chosen:
            invitee.page.locator("#files").set_input_files([str(tmp_path / n) for n in chosen])
        invitee.press(invitee.page.get_by_role("button", name="Send written submission"))
        summary = invitee.page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(message)
        expect(invitee.page).to_have_title(re.compile(r"^Error: "))
        invitee.check(f"written submission form: {message}")
    db.session.expire_all()
    assert db.session.scalars(select(WrittenSubmission)).first() is None
