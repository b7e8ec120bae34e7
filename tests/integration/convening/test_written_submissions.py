"""Written submissions through a personal link: the outside agency's meeting page, the submission form, bad files
(each refused with a clear message, nothing already sent lost), the download, and the privacy canaries."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.cases.models import Case
from conference.convening import invitations as convening_invitations
from conference.convening.invitation_models import InvitationLink
from conference.convening.models import Attendee
from conference.convening.submission_models import SubmissionFile, WrittenSubmission
from conference.extensions import db
from tests.integration.convening.conftest import build_area, soup
from tests.support import submission_files as samples
from tests.support.factories import csrf_token

CANARIES = {"child_first_name": "Zephyrinecanary", "child_last_name": "Quillfeathercanary"}


def _meeting(factories, **case_fields):
    """An invited meeting; returns (area, conference, {person key: token}) with known tokens for every link."""
    area = build_area(factories, case_fields=case_fields or None)
    conference = factories.invited_meeting(area.coordinator, area.case)
    tokens = {}
    for attendee in db.session.scalars(select(Attendee).where(Attendee.conference_id == conference.id)):
        key = next(k for k, p in area.people.items() if p.id == attendee.person_id)
        tokens[key] = f"token-{key}-{attendee.id.hex}"
        link = db.session.scalars(select(InvitationLink).where(InvitationLink.attendee_id == attendee.id)).one()
        link.token_hash = convening_invitations.hash_token(tokens[key])
    db.session.commit()
    return area, conference, tokens


def _answer(client, token, answer):
    path = f"/r/{token}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "answer": answer})
    assert response.status_code == 302


def _submit(client, token, text="", files=()):
    path = f"/r/{token}/submission"
    data = {"csrf_token": csrf_token(client, path), "text": text}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(path, data=data, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_meeting_page_shows_time_joining_agenda_answer_submission_and_deputy(client, factories):
    _area, conference, tokens = _meeting(factories)
    page = soup(client.get(f"/r/{tokens['police']}"))
    text = page.get_text(" ")
    assert conference.reference in text and "Venue: Room 4, Civic Centre" in text
    assert "Agenda" in text and "Information from each agency" in text
    assert "I will send my deputy" in text and "If someone else will attend for you" in text
    # Police must attend: a submission is offered once they say they cannot.
    assert page.find("a", string="Send a written submission") is None
    _answer(client, tokens["police"], "written_submission")
    page = soup(client.get(f"/r/{tokens['police']}"))
    assert page.find("a", string="Send a written submission") is not None


def test_a_submission_with_files_is_stored_with_who_when_and_which_link(client, factories):
    area, conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "decline")
    response = _submit(
        client,
        tokens["police"],
        "Police hold two missing episodes.",
        [("a.pdf", samples.PDF), ("b.docx", samples.docx()), ("c.odt", samples.odt()), ("d.png", samples.PNG)],
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = soup(client.get(response.headers["Location"]))
    assert "Your written submission has been sent" in page.get_text(" ")
    submission = db.session.scalars(select(WrittenSubmission)).one()
    link = db.session.scalars(select(InvitationLink).where(InvitationLink.attendee_id == submission.attendee_id)).one()
    assert submission.person_id == area.people["police"].id and submission.role == "police"
    assert submission.link_id == link.id and submission.link_token_hash == link.token_hash
    assert abs(submission.submitted_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert [f.kind for f in submission.files] == ["pdf", "docx", "odt", "png"]
    assert submission.files[0].content == samples.PDF
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submission.create")).one()
    assert audit.detail["link_id"] == str(link.id) and audit.detail["files"] == 4
    board = soup(client.get(f"/conferences/{conference.id}"))  # not signed in: the board is not shown
    assert "Written submissions" not in board.get_text(" ")


def test_a_second_submission_is_added_and_the_first_is_kept(client, factories):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "written_submission")
    assert _submit(client, tokens["police"], "First.", [("a.pdf", samples.PDF)]).status_code == 302
    assert _submit(client, tokens["police"], "Second.").status_code == 302
    texts = [s.text for s in db.session.scalars(select(WrittenSubmission).order_by(WrittenSubmission.submitted_at))]
    assert texts == ["First.", "Second."] and _count(SubmissionFile) == 1
    page = soup(client.get(f"/r/{tokens['police']}")).get_text(" ")
    assert "You have sent 2 written submissions" in page and "nothing is replaced" in page


BAD = [
    ([("report.pdf", samples.EXE)], "The selected file must be a PDF, Word (DOCX)"),
    ([("big.pdf", b"%PDF-" + b"x" * (10 * 1024 * 1024))], "The selected file must be smaller than 10MB"),
    ([("empty.pdf", b"")], "The selected file is empty"),
    ([(f"f{i}.pdf", samples.PDF) for i in range(6)], "You can only select up to 5 files at the same time"),
    ([("bomb.docx", samples.zip_bomb("docx"))], "expands to far more than its size"),
    ([("bomb.odt", samples.zip_bomb("odt"))], "expands to far more than its size"),
    ([("js.pdf", samples.PDF_JS)], "contains scripts"),
    ([("js.pdf", samples.pdf_with_hidden_js())], "contains scripts"),
    ([("ok.pdf", samples.PDF), ("bad.pdf", samples.EXE)], "File 2 of 2 must be a PDF"),
]


@pytest.mark.parametrize(("files", "message"), BAD)
def test_a_bad_file_gets_a_clear_message_and_what_was_sent_before_stays(client, factories, files, message):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "written_submission")
    assert _submit(client, tokens["police"], "Kept.", [("first.pdf", samples.PDF)]).status_code == 302
    response = _submit(client, tokens["police"], "The second try.", files)
    assert response.status_code == 400
    page = soup(response)
    assert message in page.select_one(".govuk-error-summary").get_text(" ")
    assert message in page.select_one("#files-error").get_text(" ")
    assert page.select_one("textarea#text").get_text() == "The second try."
    db.session.expire_all()
    kept = db.session.scalars(select(WrittenSubmission)).one()
    assert kept.text == "Kept." and [f.content for f in kept.files] == [samples.PDF]


def test_text_over_20000_characters_or_nothing_at_all_is_refused(client, factories):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "decline")
    response = _submit(client, tokens["police"], "x" * 20_001)
    assert response.status_code == 400
    assert "must be 20,000 characters or fewer" in soup(response).select_one("#text-error").get_text()
    response = _submit(client, tokens["police"], "   ")
    assert response.status_code == 400 and "Enter your agency's information" in soup(response).get_text()
    assert _submit(client, tokens["police"], "x" * 20_000).status_code == 302
    assert _count(WrittenSubmission) == 1


def test_an_invitee_who_will_attend_on_a_required_seat_cannot_submit(client, factories):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "accept")
    page = soup(client.get(f"/r/{tokens['police']}/submission")).get_text(" ")
    assert "First answer that you cannot attend" in page
    path = f"/r/{tokens['police']}/submission"
    data = {"csrf_token": csrf_token(client, f"/r/{tokens['police']}"), "text": "Info"}
    response = client.post(path, data=data)
    assert response.status_code == 400 and "Answer that you cannot attend" in soup(response).get_text()
    assert _count(WrittenSubmission) == 0


def test_the_request_limit_allows_five_files_of_10_mb_and_says_clearly_when_over(client, factories):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "decline")
    almost = samples.PDF + b"%" + b"x" * (10 * 1024 * 1024 - len(samples.PDF) - 2) + b"\n"
    files = [(f"f{i}.pdf", almost) for i in range(5)]
    response = _submit(client, tokens["police"], "y" * 20_000, files)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    response = _submit(client, tokens["police"], "Too much", [*files, ("f6.pdf", almost)])
    assert response.status_code == 413
    assert "Convene accepts at most 51 MB in one go" in response.get_data(as_text=True)
    assert _count(WrittenSubmission) == 1


def test_expired_or_replaced_links_give_the_link_problem_page(client, factories):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "decline")
    link = db.session.scalars(select(InvitationLink)).first()
    link.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    expired = next(t for t in tokens.values() if convening_invitations.hash_token(t) == link.token_hash)
    police = db.session.scalars(
        select(InvitationLink).where(InvitationLink.token_hash == convening_invitations.hash_token(tokens["police"]))
    ).one()
    police.token_hash = convening_invitations.hash_token("a-newer-invitation")  # a new invitation replaced it
    db.session.commit()
    for path in (f"/r/{expired}/submission", f"/r/{tokens['police']}/submission", "/r/not-a-real-token/submission"):
        response = client.get(path)
        assert response.status_code == 410 and "This link cannot be used" in response.get_data(as_text=True)
    response = client.post("/r/not-a-real-token/submission", data={"text": "x"})
    assert response.status_code in (400, 410)


def test_downloads_are_attachments_with_a_neutral_name_only_in_scope(client, factories):
    area, conference, tokens = _meeting(factories, **CANARIES)
    _answer(client, tokens["police"], "decline")
    assert _submit(client, tokens["police"], "Text", [("Zephyrinecanary.pdf", samples.PDF)]).status_code == 302
    submission = db.session.scalars(select(WrittenSubmission)).one()
    path = f"/conferences/{conference.id}/submissions/{submission.id}/files/{submission.files[0].id}"
    assert client.get(path).status_code in (302, 401)  # not signed in
    factories.sign_in(client, area.coordinator)
    response = client.get(path)
    assert response.status_code == 200 and response.data == samples.PDF
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="{conference.reference}-police-submission-1.pdf"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The file's own policy, not the pages' one: nothing in an uploaded file may run or load anything.
    assert response.headers.getlist("Content-Security-Policy") == ["sandbox; default-src 'none'"]
    assert response.mimetype == "application/pdf"
    board = soup(client.get(f"/conferences/{conference.id}")).get_text(" ")
    assert "Written submissions received" in board and "Rowan Police" in board
    other = factories.user(factories.agency(factories.area("OT", "Otherton")))
    factories.sign_in(client, other)
    assert client.get(path).status_code == 404


@pytest.mark.committed
def test_no_canary_on_the_meeting_page_submission_form_file_names_or_logs(client, factories, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    area, conference, tokens = _meeting(factories, **CANARIES)
    case = db.session.get(Case, area.case.id)
    canaries = [*CANARIES.values(), case.reference]
    pages = [client.get(f"/r/{tokens['police']}").get_data(as_text=True)]
    _answer(client, tokens["police"], "written_submission")
    pages.append(client.get(f"/r/{tokens['police']}/submission").get_data(as_text=True))
    # The text may name the child (it is for the chair), but the meeting page never shows it back.
    response = _submit(
        client, tokens["police"], f"Notes on {CANARIES['child_first_name']}", [("notes.pdf", samples.PDF)]
    )
    pages.append(client.get(response.headers["Location"]).get_data(as_text=True))
    pages.append(
        _submit(client, tokens["police"], "x", [("Zephyrinecanary.exe.pdf", samples.EXE)]).get_data(as_text=True)
    )
    submission = db.session.scalars(select(WrittenSubmission)).one()
    assert CANARIES["child_first_name"] in submission.text
    factories.sign_in(client, area.coordinator)
    download = client.get(f"/conferences/{conference.id}/submissions/{submission.id}/files/{submission.files[0].id}")
    names = [download.headers["Content-Disposition"]]
    stored = [
        f"{c.name}={getattr(f, c.name)}"
        for f in submission.files
        for c in SubmissionFile.__table__.columns
        if c.name != "content"
    ]
    out, err = capfd.readouterr()
    for canary in canaries:
        for haystack in [*pages, *names, *stored, caplog.text, out, err]:
            assert canary.lower() not in haystack.lower(), canary


def test_submissions_through_one_link_are_rate_limited(client, factories):
    _area, _conference, tokens = _meeting(factories)
    _answer(client, tokens["police"], "decline")
    statuses = [_submit(client, tokens["police"], f"Correction {n}").status_code for n in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert _count(WrittenSubmission) == 10


def test_the_demo_submission_is_added_once_to_the_health_seat(factories):
    from conference.convening.demo_submissions import add_demo_submission

    _area, conference, _tokens = _meeting(factories)
    assert add_demo_submission(conference) is not None
    assert add_demo_submission(conference) is None
    submission = db.session.scalars(select(WrittenSubmission)).one()
    assert submission.role == "health" and [f.kind for f in submission.files] == ["pdf"]
    assert db.session.get(Attendee, submission.attendee_id).response.value == "written_submission"
