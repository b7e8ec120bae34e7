"""Issue 11: after the referral. An amendment drafts an update for the Single Competent Authority (sent through the
outbox, recorded as a disclosure, reaching an SCA outside the area); decision letters are checked; a negative
decision prompts for child protection and a reconsideration request; the pack and its evidence download as one."""

from __future__ import annotations

import email
import email.message
import email.policy
import io
import zipfile
from datetime import UTC, datetime

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from conference.auth.models import Role
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from decisions import common, documents
from decisions.models import Disclosure, NrmDecisionLetter, NrmReferral
from decisions.nrm import queries as nrm_queries
from rules.vocabulary import AgencyKind, Seat
from tests.integration.decisions import support
from tests.integration.decisions.support import (
    ATTENDANCE_ALL_PRESENT,
    OUTCOME,
    form_fields,
    make_world,
    post,
    record_everything,
    sign_off,
    url,
)

PLAIN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _today_fields(prefix: str) -> dict[str, str]:
    today = datetime.now(UTC)
    return {f"{prefix}-day": str(today.day), f"{prefix}-month": str(today.month), f"{prefix}-year": str(today.year)}


def _referred(world, number: int = 1) -> NrmReferral:
    referral = NrmReferral(
        case_id=world.case.id,
        answers={},
        referred_on=datetime.now(UTC).date(),
        reference="NRM-778899",
        referred_version=number,
        reported_version=number,
    )
    db.session.add(referral)
    db.session.commit()
    return referral


def _emails() -> list[tuple[str, email.message.EmailMessage]]:
    rows = db.session.scalars(select(OutboxMessage)).all()
    return [(m.to_email, email.message_from_bytes(m.body, policy=email.policy.default)) for m in rows]


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib").get_text(" ", strip=True)


def test_an_amendment_after_the_referral_is_sent_to_the_sca_even_outside_the_area(client, factories):
    world = make_world(factories)
    elsewhere = factories.area("RX", "Region X")
    regional_sca = factories.agency(elsewhere, AgencyKind.SINGLE_COMPETENT_AUTHORITY, name="Regional SCA")
    factories.person(regional_sca, name="SCA Lead", also_serves=[world.area.code])
    unrelated_sca = factories.agency(elsewhere, AgencyKind.SINGLE_COMPETENT_AUTHORITY, name="Other SCA")
    regional_ictg = factories.agency(elsewhere, AgencyKind.GUARDIAN_SERVICE, name="Regional ICTG service")
    factories.person(regional_ictg, name="ICTG Lead", also_serves=[world.area.code])
    sca_member = factories.user(regional_sca, Role.AGENCY_MEMBER)
    local_sca_member = factories.user(world.sca, Role.AGENCY_MEMBER)
    other_member = factories.user(unrelated_sca, Role.AGENCY_MEMBER)

    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    notices = {to for to, message in _emails() if message["Subject"].startswith("New outcome recorded")}
    assert {world.sca.secure_email, regional_sca.secure_email, regional_ictg.secure_email} <= notices
    assert unrelated_sca.secure_email not in notices  # outside the area and not serving it
    _referred(world)
    nrm_path = f"/cases/{world.case.id}/nrm"
    assert client.get(nrm_path).status_code == 200
    assert "sca-update" not in client.get(nrm_path).get_data(as_text=True)
    assert client.get(f"{nrm_path}/update").status_code == 302  # nothing to send yet

    assert post(client, url(world, "/amend"), {"reason": "Police shared new information"}).status_code == 302
    assert post(client, url(world, "/outcome"), {**OUTCOME, "rationale": "New information."}).status_code == 302
    assert sign_off(client, world).status_code == 302
    page = client.get(nrm_path)
    assert BeautifulSoup(page.get_data(as_text=True), "html5lib").select_one("#sca-update") is not None

    draft = client.get(f"{nrm_path}/update")
    assert draft.status_code == 200
    rows = [
        r.get_text(" ", strip=True)
        for r in BeautifulSoup(draft.get_data(as_text=True), "html5lib").select("#update-changes tbody tr")
    ]
    assert any(r.startswith("Outcome › Rationale") and "New information." in r for r in rows)
    unchecked = post(client, f"{nrm_path}/update", {})
    assert unchecked.status_code == 400 and "Confirm that you have checked" in _text(unchecked)
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert post(client, f"{nrm_path}/update", {"checked": "yes"}).status_code == 302

    updates = [m for m in _emails() if m[1]["Subject"] == f"Amended record: meeting {world.conference.reference}"]
    recipients = {to for to, _message in updates}
    assert recipients == {world.sca.secure_email, regional_sca.secure_email}
    assert unrelated_sca.secure_email not in recipients
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before + 2
    for _to, message in updates:
        body = message.get_body(("plain",)).get_content()
        assert "/record/versions/2" in body and "referral NRM-778899" in body
        assert world.case.child_first_name not in body and world.case.reference not in body
    disclosures = db.session.scalars(
        select(Disclosure).where(Disclosure.purpose.like("%decides on the amended record%"))
    ).all()
    assert {d.recipient_agency_id for d in disclosures} == {world.sca.id, regional_sca.id}
    assert all(d.version_number == 2 for d in disclosures)
    db.session.expire_all()
    assert db.session.scalars(select(NrmReferral)).one().reported_version == 2
    assert "sca-update" not in client.get(nrm_path).get_data(as_text=True)

    # The link works for the outside SCA's members, and for no one else outside the area.
    factories.sign_in(client, sca_member)
    assert client.get(url(world, "/versions/2")).status_code == 200
    factories.sign_in(client, local_sca_member)
    assert client.get(url(world, "/versions/2")).status_code == 200
    factories.sign_in(client, other_member)
    assert client.get(url(world, "/versions/2")).status_code == 404


def test_decision_letters_are_checked_and_a_negative_decision_prompts_for_reconsideration(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    _referred(world)
    nrm_path = f"/cases/{world.case.id}/nrm"
    token = form_fields(client, nrm_path)["csrf_token"]
    decision = {
        "csrf_token": token,
        "stage": "reasonable_grounds",
        "outcome": "rg_negative",
        **_today_fields("decided_on"),
    }

    def send(data: bytes, name: str = "letter.pdf"):
        return client.post(
            f"{nrm_path}/decisions",
            data={**decision, "letter": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    hostile = PLAIN_PDF + b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    for data, message in (
        (b"", "The selected file is empty"),
        (b"GIF89a", "The selected file must be a PDF"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "The selected file must be smaller than 10 MB"),
        (hostile, "contains scripts, actions or attached files"),
    ):
        refused = send(data)
        assert refused.status_code == 400, message
        assert message in _text(refused)
        assert "There is a problem" in _text(refused)
        db.session.expire_all()
        assert db.session.scalars(select(NrmReferral)).one().rg_outcome is None  # nothing recorded half-way
    assert send(PLAIN_PDF).status_code == 302
    db.session.expire_all()
    referral = db.session.scalars(select(NrmReferral)).one()
    assert referral.rg_outcome == "rg_negative"
    letter = db.session.scalars(select(NrmDecisionLetter)).one()
    assert letter.stage == "reasonable_grounds" and letter.size == len(PLAIN_PDF)

    download = client.get(f"{nrm_path}/letters/reasonable_grounds.pdf")
    assert download.status_code == 200 and download.data == PLAIN_PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{world.case.reference}-nrm-rg-letter.pdf"'
    assert world.case.child_first_name not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    # A later bad upload loses nothing already saved.
    cg = {**decision, "stage": "conclusive_grounds", "outcome": "cg_negative"}
    refused = client.post(
        f"{nrm_path}/decisions",
        data={**cg, "letter": (io.BytesIO(hostile), "cg.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.scalars(select(NrmReferral)).one().rg_outcome == "rg_negative"
    assert db.session.scalars(select(NrmDecisionLetter)).one().content == PLAIN_PDF

    page = _text(client.get(nrm_path))
    assert "Child protection continues whatever the NRM outcome" in page
    assert "first responder or the support provider can ask the Single Competent Authority to reconsider" in page
    draft = client.get(f"{nrm_path}/reconsideration")
    assert draft.status_code == 200
    text = BeautifulSoup(draft.get_data(as_text=True), "html5lib").select_one("#text").get_text()
    assert "NRM referral NRM-778899" in text and "negative reasonable grounds decision" in text
    assert "Act and purpose shared by police and social care." in text  # the rationale, from the record
    empty = post(client, f"{nrm_path}/reconsideration", {"text": "", "status": "sent", **_today_fields("on")})
    assert empty.status_code == 400 and "Enter the request" in _text(empty)
    assert (
        post(client, f"{nrm_path}/reconsideration", {"text": text, "status": "sent", **_today_fields("on")}).status_code
        == 302
    )
    db.session.expire_all()
    referral = db.session.scalars(select(NrmReferral)).one()
    assert referral.reconsideration_status == "sent"
    assert referral.reconsideration_sent_on == referral.reconsideration_drafted_on == datetime.now(UTC).date()
    assert "Reconsideration request: sent" in _text(client.get(nrm_path))


def test_the_pack_the_minutes_and_selected_submissions_download_as_one_zip(client, factories, monkeypatch):
    world = make_world(factories, roles=(Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH, Seat.GUARDIAN))
    factories.sign_in(client, world.chair)
    attendance = {
        **ATTENDANCE_ALL_PRESENT,
        "status-guardian": "written_submission",
        "summary-guardian": "The guardian has seen the child twice.",
    }
    monkeypatch.setattr(support, "ATTENDANCE_ALL_PRESENT", attendance)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    nrm_path = f"/cases/{world.case.id}/nrm"
    answers_page = client.get(f"{nrm_path}/answers")
    assert "Written submission from" in _text(answers_page)
    assert post(client, f"{nrm_path}/answers", {"evidence": "guardian"}).status_code == 302
    db.session.expire_all()
    latest = nrm_queries.find_latest_signed_version(world.case.id)
    pack = documents.nrm_pack(world.case, common.version_snapshot(latest), nrm_queries.find_referral(world.case.id))
    evidence = pack.field("upload-evidence").value
    assert evidence == (
        f"Signed minutes of meeting {world.conference.reference} (version 1)",
        "Written submission from Independent Child Trafficking Guardian",
    )
    assert "Written submission from" in str(pack.field("what-evidence-you-will-submit").value)

    bundle = client.get(f"{nrm_path}/bundle.zip")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    assert bundle.headers["Content-Disposition"] == f'attachment; filename="{world.case.reference}-nrm-referral-v1.zip"'
    names = zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()
    reference = world.conference.reference
    assert names == [
        f"{world.case.reference}-nrm-pack-v1.pdf",
        f"{reference}-minutes-v1.pdf",
        f"{reference}-written-submission-guardian.txt",
    ]
    assert all(world.case.child_first_name not in n for n in names)
    text = zipfile.ZipFile(io.BytesIO(bundle.data)).read(names[2]).decode()
    assert "The guardian has seen the child twice." in text
