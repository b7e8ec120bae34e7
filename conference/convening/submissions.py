"""Written submissions through a personal link: who may send one, sending it, and reading them back.

An invitee who cannot attend (they declined, or said they will send a written submission), or whose seat allows
a written submission, sends their agency's information: a text of up to 20,000 characters and up to five files
(conference.convening.files checks each by its content). Every submission is kept: a second one from the same
link is added beside the first, never replacing it (Convene's own choice, so that nothing sent is lost).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.audit import record_event
from conference.auth.models import User
from conference.convening import links
from conference.convening.files import (
    KINDS,
    MAX_FILES,
    MAX_TEXT_LENGTH,
    FileKind,
    FileRefused,
    check_file,
    file_label,
)
from conference.convening.invitation_models import ReplyRecord
from conference.convening.models import Conference, ResponseStatus
from conference.convening.submission_models import SubmissionFile, WrittenSubmission
from conference.db import utcnow
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome

# The agenda an outside agency sees on its meeting page: the same for every meeting, in neutral words, with
# nothing about the child (Convene's own choice, after the strategy discussion's purpose in Working Together to
# Safeguard Children 2023, paragraphs 188-191: share information, decide whether to start enquiries, agree actions).
AGENDA = (
    "Introductions and who is present",
    "Information from each agency, including written submissions",
    "Risks, needs and the child's views",
    "The decision and the reasons for it",
    "Actions: who does what, and by when",
)

_MAY_SUBMIT_RESPONSES = {ResponseStatus.DECLINED, ResponseStatus.WRITTEN_SUBMISSION}


class SubmissionRefused(ValueError):
    """The submission cannot be accepted. ``field`` is the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes (read up to one byte over the limit), nothing about its name."""

    data: bytes


def may_submit(context: links.LinkContext) -> bool:
    """Whether this invitee may send a written submission: they cannot attend, or their seat allows one."""
    return context.attendee.seat.written_submission_allowed or context.attendee.response in _MAY_SUBMIT_RESPONSES


def check_submission(text: str, uploads: Sequence[Upload]) -> tuple[list[tuple[str, str]], list[FileKind]]:
    """Every problem with a submission, as (field, message), and the kind of each file. No problems: accepted."""
    problems: list[tuple[str, str]] = []
    kinds: list[FileKind] = []
    if len(text) > MAX_TEXT_LENGTH:
        problems.append(("text", f"Your information must be {MAX_TEXT_LENGTH:,} characters or fewer"))
    if len(uploads) > MAX_FILES:
        problems.append(("files", f"You can only select up to {MAX_FILES} files at the same time"))
    else:
        for position, upload in enumerate(uploads, start=1):
            try:
                kinds.append(check_file(upload.data, file_label(position, len(uploads))))
            except FileRefused as refused:
                problems.append(("files", str(refused)))
    if not text.strip() and not uploads and not problems:
        problems.append(("text", "Enter your agency's information, or choose a file to upload"))
    return problems, kinds


def submit_written_submission(context: links.LinkContext, text: str, uploads: Sequence[Upload]) -> WrittenSubmission:
    """Store a submission from the link's own invitee, with a line on the board and its audit row.
    Raises `SubmissionRefused` (nothing is stored) or `links.LinkProblem`."""
    if not may_submit(context):
        raise SubmissionRefused(
            "answer", "Answer that you cannot attend, or that you will send a written submission, before you send one"
        )
    problems, kinds = check_submission(text, uploads)
    if problems:
        raise SubmissionRefused(*problems[0])
    attendee, conference = context.attendee, context.conference
    submission = WrittenSubmission(
        conference_id=conference.id,
        attendee_id=attendee.id,
        person_id=attendee.person_id,
        role=attendee.seat.role.value,
        link_id=context.link.id,
        link_token_hash=context.link.token_hash,
        text=text.strip(),
        submitted_at=utcnow(),
    )
    for position, (upload, kind) in enumerate(zip(uploads, kinds, strict=True), start=1):
        submission.files.append(
            SubmissionFile(
                position=position,
                kind=kind.key,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                content=upload.data,
            )
        )
    db.session.add(submission)
    context.link.last_used_at = utcnow()
    files = f" with {len(uploads)} file{'s' if len(uploads) != 1 else ''}" if uploads else ""
    db.session.add(
        ReplyRecord(
            conference_id=conference.id,
            attendee_id=attendee.id,
            source="link",
            outcome=ReplyOutcome.APPLIED,
            sentence=f"{attendee.person.name} sent a written submission{files}.",
        )
    )
    db.session.flush()
    record_event(
        db.session,
        "submission.create",
        object_type="written_submission",
        object_id=submission.id,
        detail={
            "conference_id": str(conference.id),
            "attendee_id": str(attendee.id),
            "link_id": str(context.link.id),
            "files": len(uploads),
        },
    )
    return submission


# --- reading ---------------------------------------------------------------------------------------------


def find_submissions(conference_id: uuid.UUID) -> list[WrittenSubmission]:
    """Every submission for a meeting, oldest first. The caller has checked the meeting is in scope."""
    return list(
        db.session.scalars(
            select(WrittenSubmission)
            .where(WrittenSubmission.conference_id == conference_id)
            .order_by(WrittenSubmission.submitted_at, WrittenSubmission.id)
        )
    )


def find_own_submissions(context: links.LinkContext) -> list[WrittenSubmission]:
    return [s for s in find_submissions(context.conference.id) if s.attendee_id == context.attendee.id]


def get_submission(conference: Conference, submission_id: uuid.UUID) -> WrittenSubmission:
    found = db.session.scalars(
        select(WrittenSubmission).where(
            WrittenSubmission.id == submission_id, WrittenSubmission.conference_id == conference.id
        )
    ).first()
    if found is None:
        raise NotFound("submission not found")
    return found


def file_name(conference: Conference, submission: WrittenSubmission, upload: SubmissionFile) -> str:
    """A neutral download name: the meeting reference, the seat and the file's number. Never a person's name."""
    seat = submission.role.replace("_", "-")
    return f"{conference.reference}-{seat}-submission-{upload.position}.{KINDS[upload.kind].extension}"


@dataclass(frozen=True)
class Download:
    name: str
    mimetype: str
    content: bytes


def download_submission_file(
    user: User, conference: Conference, submission_id: uuid.UUID, file_id: uuid.UUID
) -> Download:
    """A file of a submission, for a signed-in user whose scope holds the meeting (the caller loaded it through
    the scoped query). Audited: a GET changes nothing but the audit."""
    submission = get_submission(conference, submission_id)
    upload = next((f for f in submission.files if f.id == file_id), None)
    if upload is None:
        raise NotFound("file not found")
    record_event(
        db.session,
        "submission.file.download",
        object_type="submission_file",
        object_id=upload.id,
        detail={"conference_id": str(conference.id), "user_id": str(user.id)},
        actor=user,
    )
    return Download(file_name(conference, submission, upload), KINDS[upload.kind].mimetype, upload.content)
