"""The NRM referral and tracker, autosave over JSON, overdue actions on the case and their reminders, PDF failures."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.extensions import db
from conference.outbox.models import OutboxMessage
from decisions import common, documents
from decisions.actions.services import remind_overdue_actions
from decisions.models import DecisionAction, DecisionRecord, NrmReferral
from decisions.nrm import queries as nrm_queries
from decisions.nrm.pack import missing_required
from decisions.pdf import PdfTimeout
from rules.vocabulary import Seat
from tests.integration.decisions.support import form_fields, make_world, post, record_everything, sign_off, url


def _answer(field) -> str:
    if field.kind == "radios":
        return field.options[0].key
    if field.choices:
        from decisions.nrm.pack import option_list

        return option_list(field.choices)[0]
    return {"email": "mash@area.example", "phone": "01632 960000", "list": "Leeds"}.get(field.kind, "Answer")


def _missing(world):
    db.session.expire_all()
    case = world.case
    latest = nrm_queries.find_latest_signed_version(case.id)
    pack = documents.nrm_pack(case, common.version_snapshot(latest), nrm_queries.find_referral(case.id))
    return missing_required(pack)


def test_referral_waits_for_required_fields_then_the_tracker_runs(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    nrm_path = f"/cases/{world.case.id}/nrm"
    today = datetime.now(UTC)
    referral = {
        "referred_on-day": str(today.day),
        "referred_on-month": str(today.month),
        "referred_on-year": str(today.year),
        "reference": "NRM-123456",
    }
    refused = client.post(f"{nrm_path}/submitted", data={**form_fields(client, nrm_path), **referral})
    assert refused.status_code == 400
    assert "required questions still missing" in refused.get_data(as_text=True)
    assert _missing(world)
    answers: dict[str, str] = {}
    for _round in range(6):
        missing = _missing(world)
        if not missing:
            break
        answers |= {f.key: _answer(f) for f in missing if f.kind not in ("checkboxes", "date")}
        assert post(client, f"{nrm_path}/answers", answers).status_code == 302
    assert _missing(world) == []
    done = client.post(f"{nrm_path}/submitted", data={**form_fields(client, nrm_path), **referral})
    assert done.status_code == 302
    saved = db.session.scalars(select(NrmReferral)).one()
    assert saved.reference == "NRM-123456" and saved.referred_on == today.date()

    page = BeautifulSoup(client.get(f"/cases/{world.case.id}").get_data(as_text=True), "html5lib").get_text(" ")
    assert "Reasonable grounds decision due by" in page
    decision = {
        "stage": "reasonable_grounds",
        "outcome": "rg_positive",
        "decided_on-day": str(today.day),
        "decided_on-month": str(today.month),
        "decided_on-year": str(today.year),
    }
    fields = {"csrf_token": form_fields(client, nrm_path)["csrf_token"]}
    assert client.post(f"{nrm_path}/decisions", data={**fields, **decision}).status_code == 302
    page = BeautifulSoup(client.get(f"/cases/{world.case.id}").get_data(as_text=True), "html5lib").get_text(" ")
    assert "A conclusive grounds decision can be made from" in page
    bad = client.post(
        f"{nrm_path}/decisions",
        data={**fields, **decision, "stage": "conclusive_grounds", "outcome": "cg_negative", "decided_on-year": "2000"},
    )
    assert bad.status_code == 400


def test_autosave_json(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    token = form_fields(client, url(world, "/information"))["csrf_token"]
    path = url(world, "/autosave")
    body = {"section": "child_views", "version": 1, "fields": {"sought": "no", "why_not": "Unwell"}}
    headers = {"X-CSRFToken": token}
    ok = client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)
    assert ok.status_code == 200 and ok.get_json() == {"saved": True, "version": 2}
    stale = client.post(
        path,
        data=json.dumps({**body, "fields": {"sought": "yes", "views": "Go home"}}),
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409 and stale.get_json()["theirs"]["why_not"] == "Unwell"
    invalid = client.post(
        path, data=json.dumps({**body, "version": 3, "fields": {}}), content_type="application/json", headers=headers
    )
    assert invalid.status_code == 422 and "sought" in invalid.get_json()["errors"]
    assert client.post(path, data={"section": "child_views"}, headers=headers).status_code == 415
    assert client.post(path, data=json.dumps(body), content_type="application/json").status_code == 400
    foreign = client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers={**headers, "Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.sections["child_views"]["why_not"] == "Unwell"


def test_autosave_conflict_links_to_a_page_with_both_texts_for_its_author_only(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    token = form_fields(client, url(world, "/information"))["csrf_token"]
    path = url(world, "/autosave")
    headers = {"X-CSRFToken": token}

    def save(version: int, text: str):
        body = {"section": "information", "version": version, "fields": {"information-police": text}}
        return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)

    assert save(1, "Seen at the station").status_code == 200
    lost = save(1, "Seen at the bus depot")
    assert lost.status_code == 409
    link = lost.get_json()["conflict_url"]
    assert link.startswith(url(world, "/conflicts/"))
    page = client.get(link)
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    assert "Seen at the bus depot" in soup.select_one("#conflict-mine").get_text()
    assert "Seen at the station" in soup.select_one("#conflict-saved").get_text()
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.sections["information"] == {"police": "Seen at the station"}

    factories.sign_in(client, world.member)  # another editor: the conflict is not theirs to read
    assert client.get(link).status_code == 404
    assert client.get(url(world, "/conflicts/00000000-0000-0000-0000-000000000000")).status_code == 404


def test_overdue_actions_show_on_the_case_and_are_reminded_once_without_personal_data(client, factories, app):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    action = db.session.scalars(select(DecisionAction)).one()
    action.due_at = datetime.now(UTC) - timedelta(hours=2)
    action.description = f"Visit {world.case.child_first_name} at home"
    db.session.commit()
    page = BeautifulSoup(client.get(f"/cases/{world.case.id}").get_data(as_text=True), "html5lib").get_text(" ")
    assert "Overdue" in page
    assert remind_overdue_actions() == 1
    db.session.commit()
    assert remind_overdue_actions() == 0
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "NOTICE")).one()
    parsed = email.message_from_bytes(message.body, policy=email.policy.default)
    text = parsed.get_content() + str(parsed["Subject"])
    assert message.to_email == world.people[Seat.SOCIAL_CARE].email
    assert world.conference.reference in text
    assert world.case.child_first_name not in text and world.case.reference not in text
    result = app.test_cli_runner().invoke(args=["actions", "remind"])
    assert result.exit_code == 0 and "Queued 0 reminders" in result.output


def test_pdf_failure_is_a_clean_503(client, factories, monkeypatch):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302

    def too_slow(*_args, **_kwargs):
        raise PdfTimeout("took too long")

    monkeypatch.setattr("decisions.sign_off.services.render_minutes_pdf", too_slow)
    monkeypatch.setattr("decisions.nrm.exports.render_nrm_pack_pdf", too_slow)
    for path in (url(world, "/versions/1/minutes.pdf"), f"/cases/{world.case.id}/nrm/pack.pdf"):
        response = client.get(path)
        assert response.status_code == 503
        assert "Sorry, the PDF cannot be made right now" in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "30"
