"""Step 5 of convening and after: where, what each invitee will see, sending through the platform outbox,
rescheduling and cancelling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.services import add_case_event
from conference.convening import availability
from conference.convening.invitation_models import InvitationLink
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.convening.request import draft_required, pilot_scope
from conference.convening.services import (
    ConveningError,
    active_attendees,
    arrangement_for,
    draft_or_invited,
    open_counters,
    settings,
    withheld_for,
)
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import db
from conference.invitations import calendar as ical
from conference.invitations import imip
from conference.invitations.privacy import neutral_summary
from conference.outbox.models import OutboxMessage
from rules.notice import earliest_reply_cutoff
from rules.vocabulary import (
    CHAIR_IS_LEAD_SOCIAL_WORKER,
    MeetingType,
    Seat,
)


def set_place(conference: Conference, venue: str, video_link: str) -> None:
    draft_or_invited(conference)
    conference.venue = venue
    conference.video_link = video_link


# --- step 5: what each invitee will see ----------------------------------------------------------


def location_of(conference: Conference) -> str:
    return conference.video_link or conference.venue


def meeting_url(conference: Conference) -> str:
    return f"{settings().external_url}/conferences/{conference.id}"


def meeting_object(conference: Conference, start_at: datetime, end_at: datetime) -> ical.MeetingObject:
    organiser = ical.safe_name(arrangement_for(conference).organiser_name) or "Convene"
    return ical.MeetingObject(
        uid=conference.ical_uid,
        sequence=conference.ical_sequence,
        summary=neutral_summary(conference.reference, conference.meeting_type.invitation_label),
        start_at=start_at,
        end_at=end_at,
        location=location_of(conference),
        description_url=meeting_url(conference),
        organizer_email=settings().organiser_email,
        organizer_name=organiser,
    )


@dataclass(frozen=True)
class Planned:
    seat: ConferenceRole
    person: Person
    written: bool


def planned_invitees(conference: Conference) -> list[Planned]:
    arrangement = arrangement_for(conference)
    people = availability.people_by_id(
        [a.get("person") for a in arrangement.chosen_assignments.values() if a.get("person")]
        + [s.candidate_ids[0] for s in conference.roles if s.candidate_ids]
    )
    planned: list[Planned] = []
    for seat in conference.roles:
        assignment = arrangement.chosen_assignments.get(seat.role.value, {})
        person_id = assignment.get("person")
        written = bool(assignment.get("written_submission"))
        if written and seat.candidate_ids:
            person_id = seat.candidate_ids[0]
        person = people.get(str(person_id)) if person_id else None
        if person is not None:
            planned.append(Planned(seat, person, written))
    return planned


def _invitee(seat: ConferenceRole, person: Person, written: bool) -> ical.Invitee:
    return ical.Invitee(
        email=person.email,
        name=person.name,
        role_label=seat.role.label,
        required=seat.required and not written,
        is_chair=seat.role is Seat.CHAIR,
    )


@dataclass(frozen=True)
class Preview:
    person: Person
    role_label: str
    required: bool
    written: bool
    subject: str
    summary: str
    location: str
    text_body: str


def preview(conference: Conference) -> list[Preview]:
    """Exactly what each invitee will see, with a placeholder for their personal link (made when sending)."""
    arrangement = arrangement_for(conference)
    if arrangement.chosen_start_at is None or arrangement.chosen_end_at is None:
        return []
    meeting = meeting_object(conference, arrangement.chosen_start_at, arrangement.chosen_end_at)
    updated = conference.status is ConferenceStatus.INVITED
    previews = []
    people = planned_invitees(conference)
    if updated:
        people = [
            Planned(a.seat, a.person, a.response is ResponseStatus.WRITTEN_SUBMISSION)
            for a in active_attendees(conference)
        ]
    for plan in people:
        text = imip.invitation_text(
            start_at=meeting.start_at,
            end_at=meeting.end_at,
            location=meeting.location,
            reply_url=f"{settings().external_url}/r/(personal-link)",
            meeting_url=meeting.description_url,
            updated=updated,
        )
        previews.append(
            Preview(
                plan.person,
                plan.seat.role.label,
                plan.seat.required,
                plan.written,
                _subject(meeting, updated),
                meeting.summary,
                meeting.location,
                text,
            )
        )
    return previews


def _subject(meeting: ical.MeetingObject, updated: bool = False, cancelled: bool = False) -> str:
    if cancelled:
        return f"Cancelled: {meeting.summary}"
    return f"Updated: {meeting.summary}" if updated else meeting.summary


# --- sending -------------------------------------------------------------------------------------


def _new_link(conference: Conference, attendee: Attendee, expires_at: datetime) -> str:
    """A fresh personal link for an attendee (any older link of theirs stops working). Returns the token."""
    token = secrets.token_urlsafe(32)
    digest = hash_token(token)
    link = db.session.scalars(select(InvitationLink).where(InvitationLink.attendee_id == attendee.id)).first()
    if link is None:
        db.session.add(
            InvitationLink(
                conference_id=conference.id, attendee_id=attendee.id, token_hash=digest, expires_at=expires_at
            )
        )
    else:
        link.token_hash = digest
        link.expires_at = expires_at
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _enqueue_request(
    conference: Conference, attendee: Attendee, meeting: ical.MeetingObject, *, updated: bool = False
) -> OutboxMessage:
    token = _new_link(conference, attendee, meeting.end_at)
    invitee = _invitee(attendee.seat, attendee.person, attendee.response is ResponseStatus.WRITTEN_SUBMISSION)
    withheld = withheld_for(conference.case)
    ics = ical.build_request(meeting, invitee, utcnow(), withheld=withheld)
    text = imip.invitation_text(
        start_at=meeting.start_at,
        end_at=meeting.end_at,
        location=meeting.location,
        reply_url=f"{settings().external_url}/r/{token}",
        meeting_url=meeting.description_url,
        updated=updated,
    )
    return _enqueue(conference, attendee, ical.Method.REQUEST, ics, meeting, _subject(meeting, updated), text, withheld)


def _enqueue_cancel(
    conference: Conference, attendee: Attendee, meeting: ical.MeetingObject, *, replaced: bool
) -> OutboxMessage:
    invitee = _invitee(attendee.seat, attendee.person, False)
    withheld = withheld_for(conference.case)
    ics = ical.build_cancel(meeting, invitee, utcnow(), withheld=withheld)
    text = imip.cancellation_text(
        start_at=meeting.start_at, end_at=meeting.end_at, meeting_url=meeting.description_url, replaced=replaced
    )
    subject = f"You no longer need to attend: {meeting.summary}" if replaced else _subject(meeting, cancelled=True)
    return _enqueue(conference, attendee, ical.Method.CANCEL, ics, meeting, subject, text, withheld)


def _enqueue(
    conference: Conference,
    attendee: Attendee,
    method: ical.Method,
    ics: bytes,
    meeting: ical.MeetingObject,
    subject: str,
    text: str,
    withheld: list[str],
) -> OutboxMessage:
    message = imip.build_message(
        method=method,
        ics=ics,
        to_email=attendee.person.email,
        to_name=ical.safe_name(attendee.person.name),
        from_email=meeting.organizer_email,
        from_name=meeting.organizer_name,
        subject=subject,
        text_body=text,
        message_id_domain=settings().organiser_domain,
        withheld=withheld,
    )
    row = OutboxMessage(
        conference_id=conference.id,
        attendee_id=attendee.id,
        method=method.value,
        to_email=attendee.person.email,
        from_email=meeting.organizer_email,
        ical_uid=meeting.uid,
        ical_sequence=meeting.sequence,
        body=message.as_bytes(),
    )
    db.session.add(row)
    return row


def default_cutoff(now_at: datetime, start_at: datetime) -> datetime:
    """An hour before the meeting; for a meeting sooner than that, halfway there, so that invitees have time to
    answer before the board offers the next candidate (an immediate cut-off would flag everyone at once). Never
    earlier than sending plus the minimum reply time (rules.notice.MINIMUM_REPLY_TIME), even for a meeting
    sent at short notice."""
    return max(now_at + (start_at - now_at) / 2, start_at - timedelta(hours=1), earliest_reply_cutoff(now_at))


def send_invitations(user: User, conference: Conference) -> int:
    """Check answers -> "Send invitations": attendees, links, one outbox message each, audit and timeline."""
    if conference.status is ConferenceStatus.INVITED:
        return reschedule(user, conference)
    draft_required(conference)
    arrangement = arrangement_for(conference)
    if arrangement.chosen_start_at is None or arrangement.chosen_end_at is None:
        raise ConveningError("Choose a time for the meeting before sending invitations.")
    if not location_of(conference):
        raise ConveningError("Enter the venue or the video link before sending invitations.")
    planned = planned_invitees(conference)
    if not planned:
        raise ConveningError("Nobody would be invited. Add people to the roles first.")
    if conference.meeting_type is MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        refusals, _warnings = pilot_scope(conference.case)
        if refusals:
            raise ConveningError(refusals[0])
        chairs = {p.person.id for p in planned if p.seat.role is Seat.CHAIR}
        social_workers = {p.person.id for p in planned if p.seat.role is Seat.SOCIAL_CARE}
        if chairs & social_workers:
            raise ConveningError(CHAIR_IS_LEAD_SOCIAL_WORKER)
    conference.start_at = arrangement.chosen_start_at
    conference.end_at = arrangement.chosen_end_at
    conference.status = ConferenceStatus.INVITED
    meeting = meeting_object(conference, conference.start_at, conference.end_at)
    for plan in planned:
        rank = (
            plan.seat.candidate_ids.index(str(plan.person.id))
            if str(plan.person.id) in plan.seat.candidate_ids
            else len(plan.seat.candidate_ids)
        )
        attendee = Attendee(
            conference_id=conference.id,
            conference_role_id=plan.seat.id,
            person_id=plan.person.id,
            deputy_rank=rank,
            response=ResponseStatus.NEEDS_ACTION,
        )
        attendee.seat = plan.seat
        attendee.person = plan.person
        if plan.written:
            attendee.response = ResponseStatus.WRITTEN_SUBMISSION
        if plan.seat.role is Seat.CHAIR:
            conference.chair_person_id = plan.person.id
        db.session.add(attendee)
        db.session.flush()
        _enqueue_request(conference, attendee, meeting)
    if arrangement.reply_cutoff_at is None:
        arrangement.reply_cutoff_at = default_cutoff(utcnow(), conference.start_at)
    db.session.flush()
    record_event(
        db.session,
        "conference.invite",
        object_type="conference",
        object_id=conference.id,
        detail={"invitees": len(planned), "sequence": conference.ical_sequence},
        actor=user,
    )
    add_case_event(
        conference.case,
        "conference",
        f"Invitations sent for meeting {conference.reference} ({len(planned)} people)",
        user,
    )
    return len(planned)


def reschedule(user: User, conference: Conference) -> int:
    """A new time (or place): REQUEST with SEQUENCE+1 to everyone still invited; answers start again."""
    if conference.status is not ConferenceStatus.INVITED:
        raise ConveningError("Only a meeting whose invitations were sent can be rescheduled.")
    arrangement = arrangement_for(conference)
    assert conference.start_at is not None and conference.end_at is not None
    start_at = arrangement.chosen_start_at or conference.start_at
    end_at = arrangement.chosen_end_at or conference.end_at
    current = meeting_object(conference, conference.start_at, conference.end_at)
    changed = ical.rescheduled(current, start_at=start_at, end_at=end_at, location=location_of(conference))
    if changed.sequence == current.sequence:
        changed = _bump(changed)  # sent again on purpose: still a new version for every client
    conference.start_at, conference.end_at = start_at, end_at
    conference.ical_sequence = changed.sequence
    people = active_attendees(conference)
    for attendee in people:
        if attendee.response is not ResponseStatus.WRITTEN_SUBMISSION:
            attendee.response = ResponseStatus.NEEDS_ACTION
            attendee.responded_at = None
        _enqueue_request(conference, attendee, changed, updated=True)
    arrangement.chosen_start_at = arrangement.chosen_end_at = None
    for counter in open_counters(conference):
        counter.resolved_at = utcnow()
    record_event(
        db.session,
        "conference.reschedule",
        object_type="conference",
        object_id=conference.id,
        detail={"sequence": conference.ical_sequence, "invitees": len(people)},
        actor=user,
    )
    add_case_event(conference.case, "conference", f"Meeting {conference.reference} moved; updates sent", user)
    return len(people)


def _bump(meeting: ical.MeetingObject) -> ical.MeetingObject:
    from dataclasses import replace

    return replace(meeting, sequence=meeting.sequence + 1)


def cancel_conference(user: User, conference: Conference) -> int:
    """CANCEL (same UID, higher SEQUENCE, STATUS:CANCELLED) to everyone still invited."""
    if conference.status is not ConferenceStatus.INVITED:
        raise ConveningError("Only a meeting whose invitations were sent can be cancelled.")
    assert conference.start_at is not None and conference.end_at is not None
    meeting = ical.cancelled(meeting_object(conference, conference.start_at, conference.end_at))
    conference.ical_sequence = meeting.sequence
    conference.status = ConferenceStatus.CANCELLED
    people = active_attendees(conference)
    for attendee in people:
        _enqueue_cancel(conference, attendee, meeting, replaced=False)
    record_event(
        db.session,
        "conference.cancel",
        object_type="conference",
        object_id=conference.id,
        detail={"sequence": conference.ical_sequence, "invitees": len(people)},
        actor=user,
    )
    add_case_event(conference.case, "conference", f"Meeting {conference.reference} cancelled", user)
    return len(people)


def send_invitations_or_nothing(user: User, conference: Conference) -> int:
    """Send the invitations (or updates); when one cannot be sent, nothing of the attempt is kept."""
    with db.session.begin_nested():
        return send_invitations(user, conference)
