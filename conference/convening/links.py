"""The public personal-link pages' services: open a reply link, and apply the answer given through it.

A link works only for its own invitee and meeting, until the meeting ends; the token itself is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from conference.audit import record_event
from conference.convening import board as convening_board
from conference.convening import invitations as convening_invitations
from conference.convening import services
from conference.convening.invitation_models import InvitationLink, ReplyRecord
from conference.convening.models import Attendee, Conference, ConferenceStatus, ResponseStatus
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome


class LinkAnswer(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    TENTATIVE = "tentative"
    WRITTEN_SUBMISSION = "written_submission"
    DEPUTY = "deputy"

    @property
    def label(self) -> str:
        return {
            "accept": "I will attend",
            "decline": "I cannot attend",
            "tentative": "I might attend",
            "written_submission": "I will send a written submission instead",
            "deputy": "I will send my deputy",
        }[self.value]


_LINK_RESPONSE = {
    LinkAnswer.ACCEPT: ResponseStatus.ACCEPTED,
    LinkAnswer.DECLINE: ResponseStatus.DECLINED,
    LinkAnswer.TENTATIVE: ResponseStatus.TENTATIVE,
    LinkAnswer.WRITTEN_SUBMISSION: ResponseStatus.WRITTEN_SUBMISSION,
}


class LinkProblem(ValueError):
    """The link cannot be used; the message is shown to the person who opened it."""


@dataclass(frozen=True)
class LinkContext:
    link: InvitationLink
    attendee: Attendee
    conference: Conference


def open_link(token: str, *, now_at: datetime | None = None) -> LinkContext:
    """The invitation a token belongs to, or ``LinkProblem``. Works only for its own invitee and meeting,
    until the meeting ends."""
    if not token or len(token) > 100:
        raise LinkProblem("This link is not valid. Check you copied all of it from the invitation email.")
    link = db.session.scalars(
        select(InvitationLink).where(InvitationLink.token_hash == convening_invitations.hash_token(token))
    ).first()
    if link is None:
        raise LinkProblem(
            "This link is not valid or has been replaced by a newer one. Use the link in the latest invitation email."
        )
    attendee = db.session.get(Attendee, link.attendee_id)
    conference = db.session.get(Conference, link.conference_id)
    if attendee is None or conference is None or attendee.conference_id != conference.id:
        raise LinkProblem("This link is not valid.")
    if (now_at or utcnow()) >= link.expires_at:
        raise LinkProblem("This meeting has ended, so this link no longer works.")
    if conference.status is ConferenceStatus.CANCELLED:
        raise LinkProblem("This meeting has been cancelled. You do not need to reply.")
    if attendee.response not in services.ACTIVE_RESPONSES:
        raise LinkProblem("Someone else is now attending for your role, so you do not need to reply.")
    return LinkContext(link, attendee, conference)


def answer_by_link(context: LinkContext, answer: LinkAnswer, deputy: Person | None = None) -> str:
    """Apply a link answer to the link's own attendee only. Returns the sentence for the board.

    The actor is the link (``context``), not a user: the audit row is written with `services.PERSONAL_LINK`, so it
    names no account even when a signed-in coordinator opens someone's link."""
    attendee, conference = context.attendee, context.conference
    name = attendee.person.name
    if answer is LinkAnswer.DEPUTY:
        if deputy is None:
            raise LinkProblem("Select who will attend instead of you")
        convening_board.replace_attendee(services.PERSONAL_LINK, conference, attendee, deputy, by_deputy_choice=True)
        sentence = f"{name} is sending a deputy: {deputy.name} has been invited."
    else:
        attendee.response = _LINK_RESPONSE[answer]
        attendee.responded_at = utcnow()
        sentence = f"{name}: {attendee.response.label.lower()}."
    context.link.last_used_at = utcnow()
    db.session.add(
        ReplyRecord(
            conference_id=conference.id,
            attendee_id=attendee.id,
            source="link",
            outcome=ReplyOutcome.APPLIED,
            sentence=sentence,
        )
    )
    db.session.flush()
    record_event(
        db.session,
        "reply.link",
        object_type="attendee",
        object_id=attendee.id,
        detail={"conference_id": str(conference.id), "answer": answer.value},
        actor=services.PERSONAL_LINK,
    )
    return sentence
