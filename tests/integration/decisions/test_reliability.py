"""REL-1..REL-3 on PostgreSQL: racing saves, conflicts keep both texts, signed versions never change, double submits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from conference.audit import AuditEvent
from conference.auth.models import User
from conference.extensions import db
from decisions import common
from decisions.models import DecisionAction, DecisionConflict, DecisionRecord, DecisionVersion
from decisions.recording import services as recording
from rules.vocabulary import Seat
from tests.integration.decisions.support import form_fields, make_world, record_everything, sign_off, url


def _open(world) -> DecisionRecord:
    record = common.open_record(world.conference, world.chair)
    db.session.commit()
    return record


@pytest.mark.committed  # two threads, two connections
def test_two_saves_racing_give_one_winner_and_one_conflict_and_lose_nothing(app, factories):
    world = make_world(factories)
    record = _open(world)
    texts = {"a": "Police: found at a cannabis farm", "b": "Police: found at a car wash"}
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(name: str) -> None:
        with app.app_context():
            user = db.session.get(User, world.chair.id)
            mine = db.session.get(DecisionRecord, record.id)
            barrier.wait()
            try:
                results[name] = recording.save_section(mine, "information", {"police": texts[name]}, 1, user)
            except common.SaveConflict as conflict:
                results[name] = conflict
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=save, args=(n,)) for n in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [n for n, r in results.items() if r == 2]
    losers = [n for n, r in results.items() if isinstance(r, common.SaveConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    db.session.expire_all()
    saved = db.session.get(DecisionRecord, record.id)
    assert saved.version == 2
    assert saved.sections["information"] == {"police": texts[winners[0]]}
    conflict = db.session.scalars(select(DecisionConflict)).one()
    assert conflict.attempted == {"police": texts[losers[0]]}
    assert (conflict.base_version, conflict.saved_version) == (1, 2)
    assert results[losers[0]].saved == {"police": texts[winners[0]]}
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "decision.save_conflict")
        )
        == 1
    )


def test_second_editor_gets_a_conflict_view_with_both_texts(client, factories, app):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    other = app.test_client()
    factories.sign_in(other, world.member)
    path = url(world, "/information")
    mine, theirs = form_fields(client, path), form_fields(other, path)
    assert mine["version"] == theirs["version"]
    assert client.post(path, data={**mine, "information-police": "First text"}).status_code == 302
    response = other.post(path, data={**theirs, "information-police": "Second text"})
    assert response.status_code == 409
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert "Second text" in soup.select_one("#conflict-mine").get_text()
    assert "First text" in soup.select_one("#conflict-saved").get_text()
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.sections["information"] == {"police": "First text"}
    assert db.session.scalars(select(DecisionConflict)).one().attempted == {"police": "Second text"}


def test_stale_form_for_another_section_merges_without_overwriting(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    stale = form_fields(client, url(world, "/child-views"))
    assert (
        client.post(
            url(world, "/information"),
            data={**form_fields(client, url(world, "/information")), "information-police": "Kept"},
        ).status_code
        == 302
    )
    response = client.post(url(world, "/child-views"), data={**stale, "sought": "no", "why_not": "Asleep"})
    assert response.status_code == 302
    record = db.session.scalars(select(DecisionRecord)).one()
    assert record.sections["information"] == {"police": "Kept"}
    assert record.sections["child_views"]["why_not"] == "Asleep"


def test_child_rows_bump_the_parent_version(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    stale = form_fields(client, url(world, "/attendance"))
    record_everything(client, world)
    record = db.session.scalars(select(DecisionRecord)).one()
    before = record.version
    action = db.session.scalars(select(DecisionAction)).one()
    page = client.post(
        url(world, f"/actions/{action.id}/status"), data={"csrf_token": stale["csrf_token"], "status": "done"}
    )
    assert page.status_code == 302
    db.session.expire_all()
    assert db.session.get(DecisionRecord, record.id).version == before + 1
    again = client.post(
        url(world, "/attendance"),
        data={**stale, "status-social_care": "apologies", "status-police": "apologies", "status-health": "apologies"},
    )
    assert again.status_code == 409  # the register was changed after this form was loaded


@pytest.mark.committed
def test_a_signed_version_never_changes(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    version = db.session.scalars(select(DecisionVersion)).one()
    content, digest = version.content, version.content_sha256
    record = db.session.scalars(select(DecisionRecord)).one()
    with pytest.raises(common.DecisionError, match="signed off"):
        recording.save_section(record, "outcome", {"rationale": "changed"}, record.version, world.chair)
    db.session.rollback()
    refused = client.post(
        url(world, "/information"),
        data={**form_fields(client, url(world, "/information")), "information-police": "Changed after signing"},
    )
    assert refused.status_code == 409
    for statement in ("UPDATE decision_versions SET content = '{}'", "DELETE FROM decision_versions"):
        with pytest.raises(DBAPIError, match="immutable"), db.engine.begin() as connection:
            connection.execute(text(statement))
    db.session.expire_all()
    kept = db.session.scalars(select(DecisionVersion)).one()
    assert (kept.content, kept.content_sha256) == (content, digest)
    assert common.version_snapshot(kept)["outcome"]["rationale"].startswith("Act and purpose")


def _action_form(client, world, key: str | None = None, description: str = "Book an interpreter") -> dict[str, str]:
    fields = form_fields(client, url(world, "/actions"))
    due = datetime.now(UTC) + timedelta(days=2)
    return {
        **fields,
        **({"idempotency_key": key} if key else {}),
        "description": description,
        "owner": str(world.people[Seat.POLICE].id),
        "due_on-day": str(due.day),
        "due_on-month": str(due.month),
        "due_on-year": str(due.year),
        "due_time": "10am",
    }


def test_double_submit_creates_one_action_and_a_changed_body_is_refused(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    data = _action_form(client, world)
    first, second = client.post(url(world, "/actions"), data=data), client.post(url(world, "/actions"), data=data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(DecisionAction)) == 1
    changed = client.post(url(world, "/actions"), data={**data, "description": "Something else"})
    assert changed.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(DecisionAction)) == 1


@pytest.mark.committed
def test_two_identical_posts_from_threads_create_one_action(factories, app):
    world = make_world(factories)
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        factories.sign_in(c, world.chair)
    forms = [_action_form(c, world, key="k" * 32) for c in clients]  # each session has its own CSRF token
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    path = url(world, "/actions")

    def submit(c, data) -> None:
        barrier.wait()
        statuses.append(c.post(path, data=data).status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(clients, forms, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) in ([302, 302], [302, 409])
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DecisionAction)) == 1
