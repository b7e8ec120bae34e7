"""Written submissions in the record: the chair sees each one under its agency's information with its source and
files, copies its text into the record, and the minutes (HTML and PDF) list the submissions received."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pypdf
from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.convening import invitations as convening_invitations
from conference.convening.invitation_models import InvitationLink
from conference.convening.models import Attendee
from conference.convening.submission_models import SubmissionFile, WrittenSubmission
from conference.extensions import db
from decisions.models import DecisionRecord
from rules.vocabulary import Seat
from tests.integration.decisions.support import form_fields, make_world, record_everything, sign_off, url
from tests.support import submission_files as samples


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib").get_text(" ", strip=True)


def _submission(world, text: str, files: tuple[bytes, ...] = ()) -> WrittenSubmission:
    """A submission as the police invitee's link leaves it (the link works until the meeting ends)."""
    attendee = db.session.scalars(
        select(Attendee).where(
            Attendee.conference_id == world.conference.id, Attendee.person_id == world.people[Seat.POLICE].id
        )
    ).one()
    link = InvitationLink(
        conference_id=world.conference.id,
        attendee_id=attendee.id,
        token_hash=convening_invitations.hash_token(f"t-{attendee.id}"),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    db.session.add(link)
    db.session.flush()
    submission = WrittenSubmission(
        conference_id=world.conference.id,
        attendee_id=attendee.id,
        person_id=attendee.person_id,
        role="police",
        link_id=link.id,
        link_token_hash=link.token_hash,
        text=text,
        submitted_at=datetime.now(UTC) - timedelta(hours=3),
    )
    for position, data in enumerate(files, start=1):
        submission.files.append(
            SubmissionFile(
                position=position, kind="pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest(), content=data
            )
        )
    db.session.add(submission)
    db.session.commit()
    return submission


def _copy(client, world, submission, extra=None):
    fields = form_fields(client, url(world, "/information"))
    texts = {"information-police": "Found in a trap house", "information-social_care": "Known to services"}
    data = {**fields, **texts, f"copy-{submission.id}": "Copy", **(extra or {})}
    return client.post(url(world, "/information/copy"), data=data)


def test_the_chair_sees_copies_and_the_minutes_list_the_submission(client, factories):
    world = make_world(factories)
    submission = _submission(world, "Police hold two missing episodes.", (samples.PDF,))
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    page = client.get(url(world, "/information"))
    text = _text(page)
    assert "Written submission from Police Person" in text and "personal invitation link" in text
    assert "Police hold two missing episodes." in text and "Download file 1" in text
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    assert soup.select_one(f"input[name='copy-{submission.id}']")["formaction"].endswith("/information/copy")

    response = _copy(client, world, submission)
    assert response.status_code == 302, _text(response)[:1500]
    after = client.get(response.headers["Location"])
    assert "Written submission copied into the information from Police" in _text(after)
    record = db.session.scalars(select(DecisionRecord)).one()
    police = record.sections["information"]["police"]
    assert police.startswith("Found in a trap house\n\nWritten submission from Police Person (Police), received ")
    assert police.endswith("Police hold two missing episodes.")
    assert record.sections["information"]["social_care"] == "Known to services"
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submission.copy")).one()

    assert sign_off(client, world).status_code == 302
    html = _text(client.get(url(world, "/versions/1")))
    assert "Written submission received: Police" in html and "1 file (PDF)" in html
    minutes = client.get(url(world, "/versions/1/minutes.pdf"))
    pdf = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(minutes.data)).pages)
    assert "Written submissions received" in pdf and "Police Person" in pdf


def test_a_copy_too_long_for_the_record_is_refused_and_nothing_is_lost(client, factories):
    world = make_world(factories)
    submission = _submission(world, "y" * 15_000)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    response = _copy(client, world, submission, {"information-health": "Typed but not saved yet"})
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert "would be more than 15,000 characters" in page.select_one("#information-police-error").get_text()
    assert page.select_one("textarea#information-health").get_text() == "Typed but not saved yet"
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.sections["information"]["police"] == "Found in a trap house"


def test_an_agency_member_sees_no_copy_button_and_cannot_copy(client, factories):
    world = make_world(factories)
    submission = _submission(world, "Text")
    factories.sign_in(client, world.member)
    page = client.get(url(world, "/information"))
    assert page.status_code == 200
    assert f"copy-{submission.id}" not in page.get_data(as_text=True)
    fields = form_fields(client, url(world, "/information"))
    response = client.post(url(world, "/information/copy"), data={**fields, f"copy-{submission.id}": "Copy"})
    assert response.status_code == 403
