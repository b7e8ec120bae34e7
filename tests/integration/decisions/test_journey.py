"""The chair records a strategy discussion, signs it off, downloads both PDFs, amends it and compares versions."""

from __future__ import annotations

import email
import email.policy
import io

import pypdf
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.cases.models import CaseEvent
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from decisions.models import DecisionRecord, DecisionVersion, Disclosure, RecordStatus
from decisions.pdf import MINUTES_HEADINGS
from tests.integration.decisions.support import OUTCOME, fresh_code, make_world, post, record_everything, sign_off, url
from tests.support.factories import PASSWORD


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib").get_text(" ", strip=True)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_chair_records_signs_downloads_amends_and_compares(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    page = client.get(url(world))
    assert page.status_code == 200
    assert "Record the meeting" in _text(page)
    record_everything(client, world)

    tasks = _text(client.get(url(world)))
    assert "Quorum is met" in tasks
    assert "meets the definition of trafficking" in tasks
    assert "the decision remains the meeting's" in tasks

    check = client.get(url(world, "/check"))
    assert check.status_code == 200
    assert "Check your answers before signing off" in _text(check)
    wrong = post(client, url(world, "/check"), {"password": "not-my-password", "code": fresh_code(world.chair)})
    assert wrong.status_code == 400
    assert "Enter your password and the code from your authenticator app correctly" in _text(wrong)
    assert db.session.scalar(select(func.count()).select_from(DecisionVersion)) == 0

    signed = sign_off(client, world)
    assert signed.status_code == 302, _text(signed)[:800]
    version_page = client.get(signed.headers["Location"])
    assert "Decision signed off: version 1" in _text(version_page)
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.status == RecordStatus.SIGNED
    version = db.session.scalars(select(DecisionVersion)).one()
    assert len(version.content_sha256) == 64

    # Minutes PDF: attachment, reference file name, no-store, every section, no child name.
    minutes = client.get(url(world, "/versions/1/minutes.pdf"))
    assert minutes.status_code == 200
    assert (
        minutes.headers["Content-Disposition"] == f'attachment; filename="{world.conference.reference}-minutes-v1.pdf"'
    )
    assert minutes.headers["Cache-Control"] == "no-store"
    text = _pdf_text(minutes.data)
    for heading in MINUTES_HEADINGS:
        assert heading in text
    assert "Found in a trap house" in text and "Make the NRM referral" in text
    assert world.case.child_first_name not in text
    metadata = pypdf.PdfReader(io.BytesIO(minutes.data)).metadata
    assert world.conference.reference in str(metadata.title)
    assert world.case.child_first_name not in str(dict(metadata))

    pack = client.get(f"/cases/{world.case.id}/nrm/pack.pdf")
    assert pack.status_code == 200
    assert pack.headers["Content-Disposition"] == f'attachment; filename="{world.case.reference}-nrm-pack-v1.pdf"'
    pack_text = _pdf_text(pack.data)
    assert "Which local authority have you contacted about the child?" in pack_text
    assert "Missing required information" in pack_text
    exports = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("export.%"))).all()
    assert sorted(exports) == ["export.minutes", "export.nrm_pack"]

    # Outcome notices: SCA and guardian service, through the outbox, no personal data, recorded as disclosures.
    disclosures = db.session.scalars(select(Disclosure)).all()
    assert {d.recipient_agency_id for d in disclosures} == {world.sca.id, world.guardian.id}
    assert all(d.lawful_basis and d.purpose and d.what_shared for d in disclosures)
    outbox = db.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "NOTICE")).all()
    assert {m.to_email for m in outbox} == {world.sca.secure_email, world.guardian.secure_email}
    for message in outbox:
        parsed = email.message_from_bytes(message.body, policy=email.policy.default)
        body = parsed.get_content() + str(parsed["Subject"])
        assert world.conference.reference in body and "/record/versions/1" in body
        assert world.case.child_first_name not in body and world.case.reference not in body

    # Amend: a reason, a change, a new version; version 1 is untouched.
    assert post(client, url(world, "/amend"), {"reason": ""}).status_code == 400
    assert post(client, url(world, "/amend"), {"reason": "Police shared new information"}).status_code == 302
    changed = {**OUTCOME, "rationale": "New information confirms exploitation."}
    assert post(client, url(world, "/outcome"), changed).status_code == 302
    assert sign_off(client, world).status_code == 302
    versions = db.session.scalars(select(DecisionVersion).order_by(DecisionVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content == version.content and versions[0].content_sha256 == version.content_sha256
    assert versions[1].kind == "amendment" and versions[1].reason == "Police shared new information"

    compare = client.get(url(world, "/versions/compare?from=1&to=2"))
    assert compare.status_code == 200
    rows = BeautifulSoup(compare.get_data(as_text=True), "html5lib").select("#changes tbody tr")
    changed_rows = [r.get_text(" ", strip=True) for r in rows]
    assert any(r.startswith("Outcome › Rationale") and "New information confirms" in r for r in changed_rows)
    assert not any(r.startswith("Attendance") for r in changed_rows)
    assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "decision")) == 2


def test_agency_member_can_read_and_download_minutes_but_not_sign_or_get_the_pack(client, factories, app):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    member = app.test_client()
    factories.sign_in(member, world.member)
    assert member.get(url(world)).status_code == 200
    assert member.get(url(world, "/versions/1/minutes.pdf")).status_code == 200
    assert member.get(url(world, "/check")).status_code == 403
    assert member.get(f"/cases/{world.case.id}/nrm/pack.pdf").status_code == 403


def test_quorum_not_met_warns_and_the_override_is_recorded(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    attendance = {
        "status-social_care": "present_in_room",
        "status-police": "present_in_room",
        "status-health": "written_submission",
        "summary-health": "No concerns from the GP",
    }
    assert post(client, url(world, "/attendance"), attendance).status_code == 302
    page = client.get(url(world, "/quorum"))
    assert "Quorum is not met: health is not present" in _text(page)
    assert "did not count towards quorum" in _text(page)
    refused = post(client, url(world, "/quorum"), {"quorum_reason": "Urgent"})
    assert refused.status_code == 400
    assert "Confirm that the meeting continued without quorum" in _text(refused)
    assert (
        post(
            client,
            url(world, "/quorum"),
            {"continue_without_quorum": "yes", "quorum_reason": "Child at immediate risk"},
        ).status_code
        == 302
    )
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.sections["quorum"]["reason"] == "Child at immediate risk"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decision.quorum_override")
        )
        == 1
    )
    assert PASSWORD
