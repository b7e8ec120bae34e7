"""Issue 13: the recording services name the user they are given on their audit rows, never the signed-in user the
audit context holds. Each test signs someone else into the context, so a row that fell back to the context would
name the wrong person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from conference.audit import AuditContext, AuditEvent, enter_context, leave_context, run_kept
from conference.auth.models import Role, User
from conference.extensions import db
from decisions import common
from decisions.recording import services as recording
from decisions.recording import submissions as record_submissions
from rules.quorum import AttendanceStatus
from rules.vocabulary import Seat
from tests.integration.decisions.support import make_world
from tests.integration.decisions.test_written_submissions_in_record import _submission


@contextmanager
def signed_in(user: User) -> Iterator[AuditContext]:
    """A request's audit context with ``user`` as its signed-in user."""
    context = AuditContext(request_id="r5-audit-test", ip="192.0.2.1", user=user)
    token = enter_context(context)
    try:
        yield context
    finally:
        leave_context(token)


def _rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _names(row: AuditEvent, user: User) -> bool:
    return (row.actor_user_id, row.actor_agency_id, row.actor_role) == (user.id, user.agency_id, str(user.role))


def test_a_recording_save_names_the_user_passed_not_the_signed_in_one(factories):
    world = make_world(factories)
    with signed_in(world.member) as context:
        record = common.open_record(world.conference, world.chair)
        version = recording.save_section(record, "child_views", {"sought": "no", "why_not": "Asleep"}, 1, world.chair)
    assert version == 2
    (opened,) = _rows("decision.open")
    (saved,) = _rows("decision.save")
    assert _names(opened, world.chair) and _names(saved, world.chair)
    assert not _names(saved, world.member)
    assert saved.actor_role == Role.CHAIR.value
    assert saved.detail == {"section": "child_views", "version": 2}
    assert saved.request_id == context.request_id  # the request still comes from the context


def test_attendance_quorum_override_and_naming_the_recorder_name_the_user_passed(factories):
    world = make_world(factories)
    recorder = factories.user(world.social_care, Role.COORDINATOR)
    with signed_in(world.member):
        record = common.open_record(world.conference, world.chair)
        lines = [recording.AttendanceLine(Seat.POLICE, AttendanceStatus.APOLOGIES)]
        after_attendance = recording.save_attendance(record, lines, record.version, world.chair)
        recording.save_quorum_override(record, {"override": "yes"}, [Seat.POLICE], after_attendance, world.chair)
        recording.name_recorder(record, recorder, world.chair)
    rows = _rows("decision.save") + _rows("decision.quorum_override") + _rows("decision.recorder_named")
    assert [r.detail.get("section") for r in _rows("decision.save")] == ["attendance", "quorum"]
    assert len(rows) == 4
    assert all(_names(row, world.chair) for row in rows), [(r.action, r.actor_user_id) for r in rows]


def test_the_conflict_kept_after_a_refused_save_names_the_loser(factories):
    world = make_world(factories)
    record = common.open_record(world.conference, world.chair)
    recording.save_section(record, "information", {"police": "First text"}, 1, world.chair)
    with signed_in(world.chair):  # the signed-in user is the winner; the loser is passed in
        with pytest.raises(common.SaveConflict):
            recording.save_section(record, "information", {"police": "Second text"}, 1, world.member)
        assert _rows("decision.save_conflict") == []  # kept until the request ends
        assert run_kept(db.session)
    (row,) = _rows("decision.save_conflict")
    assert row.outcome == "conflict"
    assert _names(row, world.member)


def test_copying_a_written_submission_names_the_user_passed(factories):
    world = make_world(factories)
    submission = _submission(world, "Police hold two missing episodes.")
    with signed_in(world.member):
        record = common.open_record(world.conference, world.chair)
        seat = record_submissions.copy_submission_into_record(
            world.conference, record, submission.id, {"police": "Found in a trap house"}, record.version, world.chair
        )
    assert seat is Seat.POLICE
    (copied,) = _rows("submission.copy")
    assert copied.object_id == str(submission.id)
    assert _names(copied, world.chair)
    assert all(_names(row, world.chair) for row in _rows("decision.save"))
