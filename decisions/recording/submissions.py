"""Written submissions in the record: the chair copies a submission's text into its agency's information.

The copy is added after what the information already says (nothing typed is lost), with a line saying whose
submission it is and when it arrived, and is saved like any save of the section (conflicts included).
"""

from __future__ import annotations

import uuid

from conference.audit import record_event
from conference.auth.models import User
from conference.convening.models import Conference
from conference.convening.submissions import get_submission
from conference.extensions import db
from decisions.common import DecisionError
from decisions.models import DecisionRecord
from decisions.recording.services import save_section
from rules.display import date_and_time
from rules.outcomes import TEXT_MAX_LENGTH
from rules.vocabulary import Seat


class CopyTooLong(DecisionError):
    """The copy would make the agency's information longer than the record allows."""

    def __init__(self, seat: Seat, message: str) -> None:
        super().__init__(message)
        self.seat = seat


def copied_text(existing: str, source: str, text: str) -> str:
    """The information after the copy: what it said, a blank line, the source line, and the submission."""
    addition = f"{source}\n{text}"
    return f"{existing.rstrip()}\n\n{addition}" if existing.strip() else addition


def copy_submission_into_record(
    conference: Conference,
    record: DecisionRecord,
    submission_id: uuid.UUID,
    information: dict[str, str],
    base_version: int,
    user: User,
) -> Seat:
    """Save the information section as posted (``information``: role value -> text) with the submission's text
    added to its agency's information. Returns the seat. Raises `CopyTooLong` or `DecisionError` (nothing saved) or
    `SaveConflict`."""
    submission = get_submission(conference, submission_id)
    seat = submission.seat
    label = seat.label
    source = (
        f"Written submission from {submission.person.name} ({label}), received "
        f"{date_and_time(submission.submitted_at)}:"
    )
    value = dict(information)
    value[seat.value] = copied_text(value.get(seat.value, ""), source, submission.text)
    if len(value[seat.value]) > TEXT_MAX_LENGTH:
        raise CopyTooLong(
            seat,
            f"The information from {label} would be more than {TEXT_MAX_LENGTH:,} characters with this submission "
            "copied in. Copy the parts the record needs by hand, or shorten what is there first",
        )
    save_section(record, "information", value, base_version, user)
    record_event(
        db.session,
        "submission.copy",
        object_type="written_submission",
        object_id=submission.id,
        detail={"conference_id": str(conference.id), "decision_id": str(record.id)},
        actor=user,
    )
    return seat
