"""The retention purge removes what the schedule says, keeps the rest, and audits itself."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from conference.audit import AuditEvent
from conference.auth.models import FormDraft, PasswordReset, UserSession
from conference.extensions import db
from conference.outbox.models import OutboxMessage, OutboxStatus
from conference.retention import purge


def test_purge_removes_expired_rows_and_keeps_current_ones(app, factories):
    user = factories.user(factories.agency(factories.area()))
    now = datetime.now(UTC)
    db.session.add_all(
        [
            UserSession(id="a" * 64, user_id=user.id, created_at=now - timedelta(hours=13), last_seen_at=now),
            UserSession(id="b" * 64, user_id=user.id, created_at=now, last_seen_at=now - timedelta(minutes=31)),
            UserSession(id="c" * 64, user_id=user.id, created_at=now, last_seen_at=now),
            FormDraft(path="/cases/new", data={}, created_at=now - timedelta(days=8)),
            FormDraft(path="/cases/new", data={}, created_at=now - timedelta(days=1)),
            PasswordReset(user_id=user.id, token_hash="1" * 64, expires_at=now - timedelta(days=2)),
            PasswordReset(user_id=user.id, token_hash="2" * 64, expires_at=now + timedelta(minutes=20)),
            OutboxMessage(
                method="REQUEST",
                to_email="a@example.test",
                from_email="m@example.test",
                body=b"old",
                status=OutboxStatus.SENT,
                sent_at=now - timedelta(days=31),
            ),
            OutboxMessage(
                method="REQUEST",
                to_email="b@example.test",
                from_email="m@example.test",
                body=b"recent",
                status=OutboxStatus.SENT,
                sent_at=now - timedelta(days=2),
            ),
            OutboxMessage(
                method="REQUEST",
                to_email="c@example.test",
                from_email="m@example.test",
                body=b"pending",
                status=OutboxStatus.PENDING,
            ),
        ]
    )
    db.session.commit()
    report = purge(now)
    db.session.commit()
    assert (report.sessions, report.form_drafts, report.password_resets, report.message_bodies) == (2, 1, 1, 1)
    assert db.session.scalars(select(UserSession.id)).all() == ["c" * 64]
    assert db.session.scalar(select(func.count()).select_from(FormDraft)) == 1
    assert db.session.scalars(select(PasswordReset.token_hash)).all() == ["2" * 64]
    bodies = sorted(db.session.scalars(select(OutboxMessage.body)).all())
    assert bodies == [b"", b"pending", b"recent"]
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")).one()
    assert audit.detail["sessions"] == 2


def test_the_purge_command(app):
    result = CliRunner().invoke(app.cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 ended sessions" in result.output


def _case_with_its_records(factories: Any, user: Any, name: str) -> Any:
    """A case with a written submission (two files), safety checks, a missing episode and fact history."""
    from conference.cases.fact_models import CaseFactChange, CaseFactConflict
    from conference.convening.invitation_models import InvitationLink
    from conference.convening.models import Attendee, ResponseStatus
    from conference.convening.submission_models import SubmissionFile, WrittenSubmission
    from conference.safety.models import MissingEpisode, SafetyCheck
    from rules.safety import PoliceRisk, SafetyItem

    case = factories.case(user, child_first_name=name)
    meeting = factories.answered_meeting(case, lambda kind: factories.agency(user.agency.local_authority, kind))
    meeting.reference = f"MTG-{name.upper()}"
    attendee = db.session.scalars(
        select(Attendee).where(
            Attendee.conference_id == meeting.id, Attendee.response == ResponseStatus.WRITTEN_SUBMISSION
        )
    ).one()
    link = InvitationLink(
        conference_id=meeting.id,
        attendee_id=attendee.id,
        token_hash=uuid.uuid4().hex * 2,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )
    db.session.add(link)
    db.session.flush()
    ten_years_ago = datetime.now(UTC) - timedelta(days=3650)
    submission = WrittenSubmission(
        conference_id=meeting.id,
        attendee_id=attendee.id,
        person_id=attendee.person_id,
        role="social_care",
        link_id=link.id,
        link_token_hash=link.token_hash,
        text="Known to services.",
        submitted_at=ten_years_ago,
    )
    submission.files = [
        SubmissionFile(position=n, kind="pdf", size=4, sha256="0" * 64, content=b"%PDF") for n in (1, 2)
    ]
    db.session.add(submission)
    if not db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id)).first():
        db.session.add(SafetyCheck(case_id=case.id, item=SafetyItem.SAFE_PLACEMENT, due_at=ten_years_ago))
    db.session.add_all(
        [
            MissingEpisode(
                case_id=case.id,
                last_seen_at=ten_years_ago,
                reported_at=ten_years_ago,
                police_reference="MP/1",
                risk=PoliceRisk.HIGH,
            ),
            CaseFactChange(case_id=case.id, fact="nationality", new_value="X", reason="Told", changed_at=ten_years_ago),
            CaseFactConflict(case_id=case.id, attempted={"reason": "r"}, conflicting=["nationality"]),
        ]
    )
    db.session.commit()
    return case


def _counts(case_id: uuid.UUID) -> dict[str, int]:
    from conference.cases.fact_models import CaseFactChange, CaseFactConflict
    from conference.convening.models import Conference
    from conference.convening.submission_models import SubmissionFile, WrittenSubmission
    from conference.safety.models import MissingEpisode, SafetyCheck

    meetings = select(Conference.id).where(Conference.case_id == case_id)
    submissions = select(WrittenSubmission.id).where(WrittenSubmission.conference_id.in_(meetings))

    def count(model: Any, *where: Any) -> int:
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return {
        "written_submissions": count(WrittenSubmission, WrittenSubmission.conference_id.in_(meetings)),
        "submission_files": count(SubmissionFile, SubmissionFile.submission_id.in_(submissions)),
        "safety_checks": count(SafetyCheck, SafetyCheck.case_id == case_id),
        "missing_episodes": count(MissingEpisode, MissingEpisode.case_id == case_id),
        "fact_changes": count(CaseFactChange, CaseFactChange.case_id == case_id),
        "fact_conflicts": count(CaseFactConflict, CaseFactConflict.case_id == case_id),
    }


def test_case_records_follow_their_case_kept_by_the_daily_purge_and_gone_with_the_case(app, factories):
    from conference.case_retention import purge_case_records

    user = factories.user(factories.agency(factories.area()))
    purged = _case_with_its_records(factories, user, "Purged")
    kept = _case_with_its_records(factories, user, "Kept")
    before = {case.id: _counts(case.id) for case in (purged, kept)}
    for counts in before.values():
        assert counts["written_submissions"] == 1 and counts["submission_files"] == 2
        assert min(counts.values()) >= 1, counts

    # The daily purge keeps them however old they are: they last as long as their case.
    purge(datetime.now(UTC))
    db.session.commit()
    assert {case.id: _counts(case.id) for case in (purged, kept)} == before

    report = purge_case_records([purged.id])
    db.session.commit()
    assert _counts(purged.id) == dict.fromkeys(before[purged.id], 0)
    assert _counts(kept.id) == before[kept.id], "another case's records are untouched"
    assert report.cases == 1
    assert {k: v for k, v in asdict(report).items() if k != "cases"} == before[purged.id]
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.case_records")).one()
    assert audit.detail == asdict(report)
    assert "Purged" not in str(audit.detail), "counts only, never the child's details"
    assert "2 files" in report.describe()
