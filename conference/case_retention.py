"""The records that follow their case's retention (docs/retention.md): written submissions and their files,
the immediate safety checklist, missing episodes, and the history of the case's facts (each change, and the
refused saves kept so nothing typed is lost).

They are kept exactly as long as the case: the daily ``retention purge`` (conference/retention.py) never removes
them, and they go, in one transaction, when their case is purged. The purge of a case itself is a records
officer's decision at the end of its period (the child's 75th birthday, longer under a legal hold) and is not
built yet; it must call ``purge_case_records`` first, as the tests do. Convene's own choice: these records are part
of the case record (Working Together 2023 and the council's records schedule keep the case record as one).

The files of a written submission are stored in the database beside the submission (``submission_files``), never
on disk, so deleting the rows deletes the files.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import delete, select

from conference.audit import record_event
from conference.cases.fact_models import CaseFactChange, CaseFactConflict
from conference.convening.models import Conference
from conference.convening.submission_models import SubmissionFile, WrittenSubmission
from conference.extensions import db
from conference.safety.models import MissingEpisode, SafetyCheck


@dataclass(frozen=True)
class CaseRecordsReport:
    """How many of each record went with the purged cases."""

    cases: int
    written_submissions: int
    submission_files: int
    safety_checks: int
    missing_episodes: int
    fact_changes: int
    fact_conflicts: int

    def describe(self) -> str:
        return (
            f"Removed, with {self.cases} purged cases: {self.written_submissions} written submissions and their "
            f"{self.submission_files} files, {self.safety_checks} safety checks, {self.missing_episodes} missing "
            f"episodes, {self.fact_changes} changes of case facts and {self.fact_conflicts} refused fact saves."
        )


def purge_case_records(case_ids: Collection[uuid.UUID]) -> CaseRecordsReport:
    """Delete the records that follow the cases ``case_ids``, in the caller's transaction, with one audit row
    (``retention.case_records``) that counts what went: counts only, no child's details."""
    ids = list(case_ids)
    conferences = select(Conference.id).where(Conference.case_id.in_(ids))
    submissions = select(WrittenSubmission.id).where(WrittenSubmission.conference_id.in_(conferences))
    files = db.session.execute(delete(SubmissionFile).where(SubmissionFile.submission_id.in_(submissions)))
    written = db.session.execute(delete(WrittenSubmission).where(WrittenSubmission.conference_id.in_(conferences)))
    checks = db.session.execute(delete(SafetyCheck).where(SafetyCheck.case_id.in_(ids)))
    episodes = db.session.execute(delete(MissingEpisode).where(MissingEpisode.case_id.in_(ids)))
    changes = db.session.execute(delete(CaseFactChange).where(CaseFactChange.case_id.in_(ids)))
    conflicts = db.session.execute(delete(CaseFactConflict).where(CaseFactConflict.case_id.in_(ids)))
    report = CaseRecordsReport(
        len(set(ids)),
        int(written.rowcount),  # type: ignore[attr-defined]
        int(files.rowcount),  # type: ignore[attr-defined]
        int(checks.rowcount),  # type: ignore[attr-defined]
        int(episodes.rowcount),  # type: ignore[attr-defined]
        int(changes.rowcount),  # type: ignore[attr-defined]
        int(conflicts.rowcount),  # type: ignore[attr-defined]
    )
    db.session.expire_all()  # the deleted rows are gone from the session too
    record_event(db.session, "retention.case_records", detail=asdict(report))
    return report
