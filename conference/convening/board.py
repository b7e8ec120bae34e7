"""The live board: deputies and replacements, the reply cut-off, counter proposals and held replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from conference.audit import record_event, record_view
from conference.auth.models import User
from conference.convening import availability, queries
from conference.convening.invitation_models import ConferenceArrangement, ReplyRecord
from conference.convening.invitations import _enqueue_cancel, _enqueue_request, meeting_object
from conference.convening.models import Attendee, Conference, ConferenceStatus, ResponseStatus
from conference.convening.options import choose_time
from conference.convening.services import (
    ACTIVE_RESPONSES,
    ConveningError,
    NotAUser,
    all_attendees,
    arrangement_for,
)
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import db
from conference.invitations import calendar as ical
from conference.invitations.replies import ReplyOutcome
from conference.outbox.models import OutboxMessage, OutboxStatus
from rules.display import date_and_time
from rules.notice import MINIMUM_REPLY_TIME, earliest_reply_cutoff

# --- the board: replies, deputies, replacements, cut-off, counters, held replies ---------------


def next_candidates(conference: Conference, attendee: Attendee) -> list[Person]:
    """The role's other candidates, in order, who are not already invited to this meeting."""
    taken = {str(a.person_id) for a in all_attendees(conference)}
    people = availability.people_by_id(attendee.seat.candidate_ids)
    return [people[c] for c in attendee.seat.candidate_ids if c not in taken and c in people]


@dataclass(frozen=True)
class DeputyChoices:
    """The role's other candidates at the meeting's time: who can attend (best first) and who cannot, and why."""

    available: list[availability.Standing]
    not_available: list[availability.Standing]


def deputy_choices(conference: Conference, attendee: Attendee) -> DeputyChoices:
    """Who may be offered instead of ``attendee``: only people available at the meeting's time, by the same
    availability as the options (``availability.standings_at``); the rest with the reason."""
    candidates = next_candidates(conference, attendee)
    if conference.start_at is None or conference.end_at is None:
        return DeputyChoices(
            [], [availability.Standing(p, False, False, "has no meeting time to check") for p in candidates]
        )
    free, not_free = availability.standings_at(conference, candidates, conference.start_at, conference.end_at)
    return DeputyChoices(free, not_free)


def replace_attendee(
    user: User | NotAUser, conference: Conference, attendee: Attendee, person: Person, *, by_deputy_choice: bool
) -> Attendee:
    """REQUEST to the new person and CANCEL to the one replaced (SEQUENCE one higher, not stored). ``user`` is the
    coordinator, or `PERSONAL_LINK` when the attendee chose their deputy through their link."""
    if conference.status is not ConferenceStatus.INVITED:
        raise ConveningError("This meeting is not open for changes.")
    if attendee.response not in ACTIVE_RESPONSES:
        raise ConveningError("This person has already been replaced.")
    if str(person.id) not in attendee.seat.candidate_ids or person.id == attendee.person_id:
        raise ConveningError("Choose one of the role's other candidates.")
    if any(a.person_id == person.id for a in all_attendees(conference)):
        raise ConveningError(f"{person.name} is already invited to this meeting.")
    assert conference.start_at is not None and conference.end_at is not None
    meeting = meeting_object(conference, conference.start_at, conference.end_at)
    deputy = Attendee(
        conference_id=conference.id,
        conference_role_id=attendee.seat.id,
        person_id=person.id,
        deputy_rank=attendee.seat.candidate_ids.index(str(person.id)),
        response=ResponseStatus.NEEDS_ACTION,
    )
    deputy.seat = attendee.seat
    deputy.person = person
    db.session.add(deputy)
    db.session.flush()
    attendee.response = ResponseStatus.SENDING_DEPUTY if by_deputy_choice else ResponseStatus.REPLACED
    attendee.responded_at = utcnow()
    attendee.replaced_by_id = deputy.id
    _enqueue_request(conference, deputy, meeting)
    _enqueue_cancel(conference, attendee, ical.for_removed_attendee(meeting), replaced=True)
    record_event(
        db.session,
        "conference.replace",
        object_type="conference",
        object_id=conference.id,
        detail={"replaced": str(attendee.id), "by": str(deputy.id), "deputy_choice": by_deputy_choice},
        actor=user,
    )
    return deputy


def invitations_sent_at(conference: Conference) -> datetime | None:
    """When the meeting's invitations were last sent (queued): the newest invitation in the outbox, so that a
    deputy invited later, or everyone after a new time, also has the minimum reply time."""
    sent_at = db.session.scalar(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.conference_id == conference.id, OutboxMessage.method == "REQUEST"
        )
    )
    return sent_at.astimezone(UTC) if sent_at is not None else None


def earliest_cutoff(conference: Conference, now_at: datetime | None = None) -> datetime:
    """The earliest reply cut-off a coordinator may type: sending (or now, before anything is sent) plus the
    minimum reply time (rules.notice.MINIMUM_REPLY_TIME), to the minute, as the form is typed and shown (the
    default cut-off, saved again unchanged, is accepted)."""
    sent_at = invitations_sent_at(conference) or now_at or utcnow()
    return earliest_reply_cutoff(sent_at).replace(second=0, microsecond=0)


class CutoffError(ConveningError):
    """A typed reply cut-off that gives invitees less than the minimum time to answer."""


def set_cutoff(user: User, conference: Conference, cutoff_at: datetime) -> None:
    """Save the reply cut-off typed on the board; refused (``CutoffError``) when it is earlier than sending plus
    the minimum reply time."""
    earliest = earliest_cutoff(conference)
    if cutoff_at < earliest:
        minutes = int(MINIMUM_REPLY_TIME.total_seconds() // 60)
        raise CutoffError(
            f"The cut-off must be the same as or after {date_and_time(earliest)}, so that people have at least "
            f"{minutes} minutes to reply after the invitations are sent"
        )
    arrangement_for(conference).reply_cutoff_at = cutoff_at
    record_event(db.session, "conference.cutoff", object_type="conference", object_id=conference.id, actor=user)


def accept_counter(conference: Conference, record: ReplyRecord) -> None:
    """Take a proposed time: it becomes the chosen time, confirmed on the check answers page."""
    if record.proposed_start_at is None or record.proposed_end_at is None:
        raise ConveningError("This proposal has no complete time.")
    choose_time(conference, record.proposed_start_at)
    arrangement = arrangement_for(conference)
    arrangement.chosen_end_at = record.proposed_end_at


def needs_attention(conference: Conference, attendee: Attendee) -> bool:
    """A required role that declined, or has not answered by the cut-off."""
    if not attendee.seat.required:
        return False
    if attendee.response is ResponseStatus.DECLINED:
        return True
    if attendee.response is ResponseStatus.WRITTEN_SUBMISSION and not attendee.seat.written_submission_allowed:
        return True
    cutoff = arrangement_for(conference).reply_cutoff_at
    return attendee.response is ResponseStatus.NEEDS_ACTION and cutoff is not None and utcnow() >= cutoff


_SENT_WORDS = {
    OutboxStatus.PENDING: "waiting to be sent",
    OutboxStatus.SENDING: "being sent",
    OutboxStatus.SENT: "sent",
    OutboxStatus.DEAD: "could not be sent",
}


def invitation_words(conference: Conference, attendees: list[Attendee]) -> dict[uuid.UUID, str]:
    """What was last sent to each attendee, in words, so that each row agrees with the banner: "Invitation
    sent", "Update waiting to be sent", and for a person replaced (or a cancelled meeting) their cancellation,
    "Cancellation sent"."""
    latest: dict[tuple[uuid.UUID, str], OutboxMessage] = {}
    requests: dict[uuid.UUID, int] = {}
    for sent in queries.find_outbox(conference):
        if sent.attendee_id is not None:
            latest[(sent.attendee_id, sent.method)] = sent
            requests[sent.attendee_id] = requests.get(sent.attendee_id, 0) + (sent.method == "REQUEST")
    words: dict[uuid.UUID, str] = {}
    for attendee in attendees:
        cancelled = attendee.response not in ACTIVE_RESPONSES or conference.status is ConferenceStatus.CANCELLED
        message: OutboxMessage | None = latest.get((attendee.id, "CANCEL")) if cancelled else None
        if message is None:
            message = latest.get((attendee.id, "REQUEST"))
        if message is None:
            continue
        noun = (
            "Cancellation" if message.method == "CANCEL" else ("Update" if requests[attendee.id] > 1 else "Invitation")
        )
        words[attendee.id] = f"{noun} {_SENT_WORDS[message.status]}"
    return words


@dataclass(frozen=True)
class BoardPage:
    arrangement: ConferenceArrangement
    attendees: list[Attendee]
    offers: dict[uuid.UUID, DeputyChoices]
    outbox: dict[uuid.UUID, str]
    counters: list[ReplyRecord]
    held: list[ReplyRecord]
    replies: list[ReplyRecord]


def show_board(user: User, conference: Conference) -> BoardPage:
    """What the live board shows; the viewing is audited."""
    arrangement = arrangement_for(conference)
    attendees = all_attendees(conference) if conference.status is not ConferenceStatus.DRAFT else []
    offers = {a.id: deputy_choices(conference, a) for a in attendees if needs_attention(conference, a)}
    outbox = invitation_words(conference, attendees)
    record_view(
        db.session,
        "conference.board.view",
        object_type="conference",
        object_id=conference.id,
        detail={"case_id": str(conference.case_id)},
        actor=user,
    )
    return BoardPage(
        arrangement=arrangement,
        attendees=attendees,
        offers=offers,
        outbox=outbox,
        counters=list(queries.find_open(conference, ReplyOutcome.COUNTER)),
        held=list(queries.find_open(conference, ReplyOutcome.HELD)),
        replies=list(queries.find_replies(conference, 20)),
    )


def dismiss_reply(user: User, conference: Conference, reply_id: uuid.UUID) -> None:
    """Take a held or counter reply off the board."""
    queries.get_reply(conference, reply_id).resolved_at = utcnow()
