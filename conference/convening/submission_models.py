"""Written submissions: an invitee's information for the meeting, sent through their personal link.

* ``WrittenSubmission``: one submission (text, and who sent it, when, through which link). A later submission
  from the same link is added beside the earlier ones: nothing is replaced or lost (Convene's own choice).
* ``SubmissionFile``: a file attached to a submission, stored in the database (never on disk under a name), with
  its kind found from its content. Its own name is never stored: it could identify the child.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from conference.db import Base, IdMixin, utcnow
from conference.directory.models import Person
from rules.vocabulary import Seat


class WrittenSubmission(IdMixin, Base):
    __tablename__ = "written_submissions"

    conference_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conferences.id"), index=True)
    attendee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attendees.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(40))  # the seat's value, e.g. "police"
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitation_links.id"))
    # The hash of the link's token when it was used: tells apart the links an attendee was sent over time.
    link_token_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
    files: Mapped[list[SubmissionFile]] = relationship(
        order_by="SubmissionFile.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def seat(self) -> Seat:
        return Seat(self.role)


class SubmissionFile(IdMixin, Base):
    __tablename__ = "submission_files"

    submission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("written_submissions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1..5 within the submission
    kind: Mapped[str] = mapped_column(String(10))  # a key of conference.convening.files.KINDS
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    @property
    def kind_label(self) -> str:
        from conference.convening.files import KINDS

        return KINDS[self.kind].label
