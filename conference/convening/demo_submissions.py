"""Demo data for written submissions: on the demo strategy discussion (case 0001), the health invitee cannot
attend and has sent a written submission with a one-page PDF through their personal link, so the board and the
chair's "Information shared" page show one at once. Fictional; idempotent (a meeting with a submission is left
alone)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from conference.convening.invitation_models import InvitationLink
from conference.convening.models import Attendee, Conference, ResponseStatus
from conference.convening.submission_models import SubmissionFile, WrittenSubmission
from conference.db import utcnow
from conference.extensions import db
from rules.vocabulary import Seat

DEMO_TEXT = (
    "Fictional demo submission. Health has no record of A&E attendances in the last year. The GP practice notes "
    "two missed appointments in the spring. The school nurse can meet the child this week if the meeting asks."
)
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def add_demo_submission(meeting: Conference | None) -> str | None:
    """Add the demo submission to ``meeting``; returns a note for the demo summary, or None if nothing changed."""
    if (
        meeting is None
        or db.session.scalars(select(WrittenSubmission).where(WrittenSubmission.conference_id == meeting.id)).first()
    ):
        return None
    found = db.session.execute(
        select(Attendee, InvitationLink)
        .join(InvitationLink, InvitationLink.attendee_id == Attendee.id)
        .where(Attendee.conference_id == meeting.id)
    ).all()
    health = next(((a, link) for a, link in found if a.seat.role is Seat.HEALTH), None)
    if health is None:
        return None
    attendee, link = health
    attendee.response = ResponseStatus.WRITTEN_SUBMISSION
    attendee.responded_at = utcnow()
    submission = WrittenSubmission(
        conference_id=meeting.id,
        attendee_id=attendee.id,
        person_id=attendee.person_id,
        role=Seat.HEALTH.value,
        link_id=link.id,
        link_token_hash=link.token_hash,
        text=DEMO_TEXT,
        submitted_at=utcnow(),
    )
    submission.files.append(
        SubmissionFile(
            position=1, kind="pdf", size=len(DEMO_PDF), sha256=hashlib.sha256(DEMO_PDF).hexdigest(), content=DEMO_PDF
        )
    )
    db.session.add(submission)
    db.session.flush()
    return (
        f"  Health has sent a written submission for {meeting.reference}: see it on the board, and as the chair "
        "(morgan.larkspur@northbridge.example) under Record the meeting > Information shared."
    )
