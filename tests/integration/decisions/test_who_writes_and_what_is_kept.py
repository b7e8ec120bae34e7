"""Issue 12, findings 8, 9 and 10 for the decision record: who may write which section, reads that are audited,
GETs that create nothing, and refusals that change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import Role
from conference.extensions import db
from decisions.models import DecisionConflict, DecisionRecord, DecisionVersion
from tests.integration.decisions.support import (
    OUTCOME,
    form_fields,
    make_world,
    post,
    record_everything,
    sign_off,
    url,
)
from tests.support.factories import csrf_token


def _count(model, *where) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _audited(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def _record() -> DecisionRecord:
    db.session.expire_all()
    return db.session.scalars(select(DecisionRecord)).one()


def test_a_police_member_cannot_rewrite_the_outcome_but_adds_their_agencys_information(client, factories, app):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    assert post(client, url(world, "/outcome"), OUTCOME).status_code == 302
    rationale = _record().sections["outcome"]["rationale"]
    member = app.test_client()
    factories.sign_in(member, world.member)
    fields = form_fields(client, url(world, "/outcome"))  # the chair's page: a valid version and token shape
    token = csrf_token(member, "/cases")
    for tail in ("/outcome", "/elements", "/attendance", "/quorum", "/child-views", "/indicators", "/actions"):
        data = {**fields, **OUTCOME, "rationale": "Rewritten by police", "csrf_token": token}
        assert member.post(url(world, tail), data=data).status_code == 403, tail
    assert member.get(url(world, "/outcome")).status_code == 403
    assert _record().sections["outcome"]["rationale"] == rationale
    # Their own agency's information saves; another agency's text in the same form is ignored.
    page = member.get(url(world, "/information"))
    assert page.status_code == 200
    saved = post(
        member,
        url(world, "/information"),
        {"information-police": "Found in a trap house", "information-health": "Written by police"},
    )
    assert saved.status_code == 302
    assert _record().sections["information"] == {"police": "Found in a trap house"}
    # The chair's own information for social care is kept when police save theirs again.
    assert (
        post(
            client,
            url(world, "/information"),
            {"information-police": "Found in a trap house", "information-social_care": "Known"},
        ).status_code
        == 302
    )
    assert post(member, url(world, "/information"), {"information-police": "Updated"}).status_code == 302
    assert _record().sections["information"] == {"police": "Updated", "social_care": "Known"}


def test_a_coordinator_writes_the_record_only_when_the_chair_names_them(client, factories, app):
    world = make_world(factories)
    coordinator = factories.user(world.social_care, Role.COORDINATOR)
    factories.sign_in(client, world.chair)
    assert post(client, url(world, "/outcome"), OUTCOME).status_code == 302
    other = app.test_client()
    factories.sign_in(other, coordinator)
    data = {
        "csrf_token": csrf_token(other, "/cases"),
        **OUTCOME,
        "version": str(_record().version),
        "rationale": "Mine",
    }
    assert other.post(url(world, "/outcome"), data=data).status_code == 403
    page = client.get(url(world)).get_data(as_text=True)
    assert "Who writes the record" in page and coordinator.display_name in page
    named = client.post(
        url(world, "/recorder"), data={"csrf_token": csrf_token(client, url(world)), "recorder": str(coordinator.id)}
    )
    assert named.status_code == 302
    assert _record().recorder_user_id == coordinator.id and _audited("decision.recorder_named") == 1
    assert post(other, url(world, "/outcome"), {**OUTCOME, "rationale": "Written by the recorder"}).status_code == 302
    assert _record().sections["outcome"]["rationale"] == "Written by the recorder"
    assert other.get(url(world, "/check")).status_code == 403  # the chair signs off


def test_opening_the_task_list_creates_no_record(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    assert client.get(url(world)).status_code == 200
    assert client.get(url(world, "/outcome")).status_code == 200
    assert _count(DecisionRecord) == 0 and _audited("decision.open") == 0
    assert post(client, url(world, "/outcome"), OUTCOME).status_code == 302
    assert _count(DecisionRecord) == 1


def test_a_refused_quorum_override_leaves_no_audit_row_and_a_conflict_keeps_the_losers_text(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    attendance = {
        "status-social_care": "present_in_room",
        "status-police": "present_in_room",
        "status-health": "written_submission",
        "summary-health": "No concerns",
    }
    assert post(client, url(world, "/attendance"), attendance).status_code == 302
    stale = form_fields(client, url(world, "/quorum"))
    assert post(client, url(world, "/outcome"), OUTCOME).status_code == 302  # the record moves on
    db.session.execute(
        DecisionRecord.__table__.update().values(sections={**_record().sections, "_changed": {"quorum": 99}})
    )
    db.session.commit()
    refused = client.post(
        url(world, "/quorum"), data={**stale, "continue_without_quorum": "yes", "quorum_reason": "Child at risk"}
    )
    assert refused.status_code == 409
    assert _audited("decision.quorum_override") == 0  # refused: the override did not happen
    assert _audited("decision.save_conflict") == 1 and _count(DecisionConflict) == 1  # what they typed is kept


def test_a_refused_sign_off_keeps_its_audit_row_and_signs_nothing(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    version = _record().version
    refused = post(client, url(world, "/check"), {"password": "not-the-password", "code": "123456"})
    assert refused.status_code == 400
    assert _audited("decision.reauth_failed") == 1
    assert _count(DecisionVersion) == 0 and _record().version == version


def test_reads_of_versions_nrm_and_case_list_are_audited(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    assert client.get(url(world, "/versions/1")).status_code == 200
    assert client.get(f"/cases/{world.case.id}/nrm").status_code == 200
    assert client.get("/cases").status_code == 200
    assert client.get(f"/conferences/{world.conference.id}").status_code == 200
    assert _audited("decision.version.view") == 1
    assert _audited("nrm.view") == 1
    assert _audited("case.list.view") == 1
    assert _audited("conference.board.view") == 1


def test_request_ids_are_made_by_the_server(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    client.get("/cases", headers={"X-Request-Id": "forged-request-id"})
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.list.view")).one()
    assert row.request_id and row.request_id != "forged-request-id"
