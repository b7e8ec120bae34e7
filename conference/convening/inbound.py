"""Replies: from personal links, and from calendar clients (iTIP REPLY and COUNTER, raw or inside an email).

Calendar replies reach Convene through ``flask --app wsgi replies import FILE`` or the machine endpoint
``POST /conferences/replies`` (shared-secret header). Each reply is matched on the meeting's UID and the
attendee's normalised address, and ends as one ``ReplyRecord`` the board shows in words: applied, stale
(an older SEQUENCE: the current version is sent to them again), held (an address we did not invite), a
COUNTER proposal, or refused with a sentence the coordinator can act on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from conference.audit import keep_after_rollback, record_event, record_refusal
from conference.convening import invitations as convening_invitations
from conference.convening import services
from conference.convening.invitation_models import ReplyRecord
from conference.convening.models import Attendee, Conference, ConferenceStatus, ResponseStatus
from conference.db import utcnow
from conference.extensions import db
from conference.invitations.replies import (
    ParsedReply,
    PartStat,
    ReplyError,
    ReplyOutcome,
    decide_reply,
    parse_itip,
)

log = logging.getLogger(__name__)

_PARTSTAT_RESPONSE = {
    PartStat.ACCEPTED: ResponseStatus.ACCEPTED,
    PartStat.DECLINED: ResponseStatus.DECLINED,
    PartStat.TENTATIVE: ResponseStatus.TENTATIVE,
}


@dataclass(frozen=True)
class InboundResult:
    outcome: ReplyOutcome
    sentence: str
    conference_id: str | None = None


MAX_UNVERIFIED_TEXT = 500


def _sender_is_attendee(parsed: ParsedReply) -> bool:
    """The email's sender is the attendee the reply speaks for. A bare .ics has no sender: unknown, not verified."""
    return parsed.sender_address is not None and parsed.sender_address == parsed.attendee_address


def _unverified_note(parsed: ParsedReply) -> str:
    """The sender's own words (COMMENT), cut short and labelled: nobody has checked who wrote them."""
    if not parsed.comment:
        return ""
    text = " ".join(parsed.comment.split())
    if len(text) > MAX_UNVERIFIED_TEXT:
        text = text[:MAX_UNVERIFIED_TEXT] + "… (cut short)"
    return f' Their note, unverified: "{text}"'


def _keep_record(record: ReplyRecord, *, verified: bool) -> None:
    """Store the reply's record with its audit row. A refused reply is kept although its request answers 422."""
    detail = {
        "source": record.source,
        "outcome": record.outcome.value,
        "sender_verified": verified,
        "conference_id": str(record.conference_id or ""),
    }

    def keep() -> None:
        db.session.add(record)
        db.session.flush()
        record_event(
            db.session,
            f"reply.{record.outcome.value}",
            object_type="reply",
            object_id=record.id,
            outcome="refused" if record.outcome is ReplyOutcome.REFUSED else "success",
            detail=detail,
            actor=services.CALENDAR_REPLY,
        )

    if record.outcome is ReplyOutcome.REFUSED:
        keep_after_rollback(keep)
    else:
        keep()


def import_calendar_reply(raw: bytes) -> InboundResult:
    """Read one calendar reply and apply it, hold it or refuse it. Never raises for bad input.

    A reply is applied only when the email's sender is the attendee it speaks for. Otherwise (another sender, or a
    bare .ics with no sender) it is held for the coordinator, marked unverified, with any text in it cut short.
    """
    try:
        parsed = parse_itip(raw)
    except ReplyError as error:
        record_refusal(
            db.session,
            "reply.refused",
            object_type="reply",
            detail={"source": "calendar"},
            actor=services.CALENDAR_REPLY,
        )
        return InboundResult(ReplyOutcome.REFUSED, f"The reply was not applied: {error.message}")
    conference = db.session.scalars(select(Conference).where(Conference.ical_uid == parsed.uid)).first()
    verified = _sender_is_attendee(parsed)
    if conference is None:
        sentence = "The reply is for a meeting Convene does not know (its UID matches no meeting). It was not applied."
        _keep_record(
            ReplyRecord(
                source="calendar",
                outcome=ReplyOutcome.REFUSED,
                sentence=sentence,
                address=parsed.attendee_address,
                sender_verified=verified,
            ),
            verified=verified,
        )
        return InboundResult(ReplyOutcome.REFUSED, sentence)
    invited = {a.person.email: str(a.id) for a in services.active_attendees(conference)}
    decision = decide_reply(parsed, conference.ical_sequence, invited, expected_uid=conference.ical_uid)
    attendee = db.session.get(Attendee, _uuid(decision.attendee_key)) if decision.attendee_key else None
    record = ReplyRecord(
        conference_id=conference.id,
        attendee_id=attendee.id if attendee else None,
        source="calendar",
        outcome=ReplyOutcome.REFUSED,
        sentence=decision.sentence,
        address=parsed.attendee_address,
        sender_verified=verified,
    )
    if conference.status is not ConferenceStatus.INVITED:
        record.sentence = f"A reply arrived after the meeting was {conference.status.label.lower()}; not applied."
    elif decision.outcome is ReplyOutcome.APPLIED and not verified:
        record.outcome = ReplyOutcome.HELD
        sender = parsed.sender_address or "an unknown sender (a calendar file with no email around it)"
        record.sentence = (
            f"A reply for {parsed.attendee_address} came from {sender}, not from their own address, so it was not "
            f"applied. Check with them before you change their answer.{_unverified_note(parsed)}"
        )
    elif (
        decision.outcome is ReplyOutcome.APPLIED and attendee is not None and decision.new_status in _PARTSTAT_RESPONSE
    ):
        attendee.response = _PARTSTAT_RESPONSE[decision.new_status]
        attendee.responded_at = utcnow()
        record.outcome = ReplyOutcome.APPLIED
    elif decision.outcome is ReplyOutcome.APPLIED:  # DELEGATED: the coordinator decides
        record.outcome = ReplyOutcome.HELD
    elif decision.outcome is ReplyOutcome.STALE:
        record.outcome = ReplyOutcome.STALE
        if attendee is not None and conference.start_at and conference.end_at:
            meeting = convening_invitations.meeting_object(conference, conference.start_at, conference.end_at)
            convening_invitations._enqueue_request(conference, attendee, meeting, updated=True)
    elif decision.outcome is ReplyOutcome.HELD:
        record.outcome = ReplyOutcome.HELD
        record.sender_verified = False
        record.sentence += _unverified_note(parsed)
    elif decision.outcome is ReplyOutcome.COUNTER:
        record.outcome = ReplyOutcome.COUNTER
        record.proposed_start_at = decision.proposed_start_at
        record.proposed_end_at = decision.proposed_end_at
        if not verified:
            record.sentence += " The proposal did not come from their own address."
    _keep_record(record, verified=record.sender_verified)
    log.info("calendar reply %s for conference %s", record.outcome.value, conference.id)
    return InboundResult(record.outcome, record.sentence, str(conference.id))


def _uuid(value: str | None) -> object:
    import uuid

    return uuid.UUID(str(value))


def refuse_reply_secret(*, secret_given: bool, secret_configured: bool) -> None:
    """Record a calendar reply refused for want of the shared secret (the row survives the 403's rollback)."""
    record_refusal(
        db.session,
        "reply.secret_refused",
        object_type="reply",
        outcome="refused",
        detail={"secret_given": secret_given, "secret_configured": secret_configured},
        actor=services.CALENDAR_REPLY,
    )
