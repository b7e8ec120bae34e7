"""iCalendar objects for invitations (RFC 5545) and their scheduling methods (RFC 5546).

One object per invitee: METHOD, a compact Europe/London VTIMEZONE, and ONE VEVENT that lists the organiser
and that invitee only. The UID is fixed for the meeting's life; the caller raises SEQUENCE on every change of
time, place or status (``rescheduled``, ``cancelled``, ``for_removed_attendee`` do it for you).

Pure: takes frozen dataclasses, returns bytes. No Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from conference.invitations.privacy import (
    PrivacyError,
    check_outbound_text,
    find_withheld,
    mask_addresses,
    neutral_description,
)

PRODID = "-//Convene//Multi-agency meetings 1.0//EN"
TZID = "Europe/London"
LONDON = ZoneInfo(TZID)

_ADDRESS_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]")


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class EventStatus(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


class AttendeeRole(StrEnum):
    CHAIR = "CHAIR"
    REQUIRED = "REQ-PARTICIPANT"
    OPTIONAL = "OPT-PARTICIPANT"


@dataclass(frozen=True)
class MeetingObject:
    """Everything a calendar object says about a meeting. No case data belongs here.

    ``summary`` comes from ``privacy.neutral_summary``; ``location`` is a venue or a video link (never the
    child's address); ``description_url`` is the meeting page in Convene, which needs a login.
    """

    uid: str
    sequence: int
    summary: str
    start_at: datetime
    end_at: datetime
    location: str
    description_url: str
    organizer_email: str
    organizer_name: str
    status: EventStatus = EventStatus.CONFIRMED


@dataclass(frozen=True)
class Invitee:
    """One person invited. ``role_label`` (e.g. "Police") is for Convene's screens, not the calendar object."""

    email: str
    name: str
    role_label: str
    required: bool
    is_chair: bool = False

    @property
    def attendee_role(self) -> AttendeeRole:
        if self.is_chair:
            return AttendeeRole.CHAIR
        return AttendeeRole.REQUIRED if self.required else AttendeeRole.OPTIONAL


class InvitationError(ValueError):
    """A calendar object cannot be built from these values; the message says which value and why."""


# --- changes that raise SEQUENCE -------------------------------------------------------------------


def rescheduled(
    meeting: MeetingObject, *, start_at: datetime, end_at: datetime, location: str | None = None
) -> MeetingObject:
    """The meeting at a new time or place, with SEQUENCE raised by one if anything changed."""
    changed = replace(
        meeting, start_at=start_at, end_at=end_at, location=meeting.location if location is None else location
    )
    if (changed.start_at, changed.end_at, changed.location) == (meeting.start_at, meeting.end_at, meeting.location):
        return meeting
    return replace(changed, sequence=meeting.sequence + 1)


def cancelled(meeting: MeetingObject) -> MeetingObject:
    """The whole meeting cancelled: STATUS:CANCELLED and SEQUENCE raised by one. Store this version."""
    if meeting.status is EventStatus.CANCELLED:
        return meeting
    return replace(meeting, status=EventStatus.CANCELLED, sequence=meeting.sequence + 1)


def for_removed_attendee(meeting: MeetingObject) -> MeetingObject:
    """The version to send in a CANCEL to one person replaced by a deputy: SEQUENCE one above the meeting's.

    Do not store it: the meeting itself has not changed for the others, and their replies (at the
    meeting's SEQUENCE) must not look stale.
    """
    return replace(meeting, sequence=meeting.sequence + 1)


# --- building ---------------------------------------------------------------------------------------


def build_request(
    meeting: MeetingObject, invitee: Invitee, dtstamp_at: datetime, *, withheld: Collection[str] = ()
) -> bytes:
    """A METHOD:REQUEST object inviting ``invitee`` (an invitation, an update or a re-send).

    ``withheld`` are the case's identity values (child's name, date of birth, case reference, address…);
    the object is refused if any appears. Raises ``InvitationError`` or ``PrivacyError`` (both ValueError).
    """
    if meeting.status is EventStatus.CANCELLED:
        raise InvitationError("This meeting is cancelled: send a cancellation (build_cancel), not an invitation.")
    return _build(meeting, invitee, dtstamp_at, Method.REQUEST, meeting.status, withheld)


def build_cancel(
    meeting: MeetingObject, invitee: Invitee, dtstamp_at: datetime, *, withheld: Collection[str] = ()
) -> bytes:
    """A METHOD:CANCEL object: for a cancelled meeting (``cancelled(meeting)``) with STATUS:CANCELLED; for one person
    replaced by a deputy (``for_removed_attendee(meeting)``) without STATUS, as RFC 5546 3.2.5 requires, so that
    only their copy is removed and no client reads it as the whole meeting cancelled.

    ``meeting.sequence`` must already be higher than in the last REQUEST the invitee received: pass
    ``cancelled(meeting)`` or ``for_removed_attendee(meeting)``.
    """
    if meeting.sequence < 1:
        raise InvitationError(
            "A cancellation needs a SEQUENCE higher than the invitation's: pass cancelled(meeting) or "
            "for_removed_attendee(meeting)."
        )
    # RFC 5546 section 3.2.5: STATUS:CANCELLED cancels the entire event; when uninviting one attendee (a person
    # replaced by a deputy, ``for_removed_attendee``) STATUS "MUST NOT be included".
    whole_meeting = meeting.status is EventStatus.CANCELLED
    return _build(
        meeting, invitee, dtstamp_at, Method.CANCEL, EventStatus.CANCELLED if whole_meeting else None, withheld
    )


def _build(
    meeting: MeetingObject,
    invitee: Invitee,
    dtstamp_at: datetime,
    method: Method,
    status: EventStatus | None,
    withheld: Collection[str],
) -> bytes:
    _check_meeting(meeting, withheld)
    _require_utc(dtstamp_at, "dtstamp_at")
    attendee_email = require_address(invitee.email, "invitee email")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    calendar.add_component(london_vtimezone())

    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", dtstamp_at.astimezone(UTC))
    event.add("dtstart", local_or_utc(meeting.start_at))
    event.add("dtend", local_or_utc(meeting.end_at))
    event.add("summary", meeting.summary)
    event.add("location", meeting.location)
    event.add(
        "description", neutral_description(meeting.start_at, meeting.end_at, meeting.location, meeting.description_url)
    )
    event.add("url", meeting.description_url)
    if status is not None:
        event.add("status", status.value)
    event.add("transp", "OPAQUE")
    event.add("class", "CONFIDENTIAL")  # advisory only; privacy comes from what we leave out
    event.add(
        "organizer",
        vCalAddress.new(
            require_address(meeting.organizer_email, "organiser email"), cn=safe_name(meeting.organizer_name)
        ),
    )
    event.add(
        "attendee",
        vCalAddress.new(
            attendee_email,
            cn=safe_name(invitee.name),
            cutype="INDIVIDUAL",
            role=invitee.attendee_role.value,
            partstat="NEEDS-ACTION",
            rsvp=True,
        ),
    )
    calendar.add_component(event)
    ics = bytes(calendar.to_ical())
    _check_withheld_everywhere(ics, withheld)
    return ics


def local_or_utc(moment_at: datetime) -> datetime:
    """``moment_at`` as Europe/London local time, or as UTC when local time cannot say it.

    In the hour repeated when the clocks go back, a local time means its first occurrence (RFC 5545 3.3.5), so
    an instant in the second occurrence (``fold=1``) is written in UTC instead, which every client reads.
    """
    local = moment_at.astimezone(LONDON)
    return moment_at.astimezone(UTC) if local.fold else local


def london_vtimezone() -> Timezone:
    """A compact VTIMEZONE for Europe/London: two yearly rules (last Sunday of March and of October).

    Outlook desktop has been reported to misread the RDATE lists that ``add_missing_timezones`` writes.
    """
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 1, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    daylight.add("tzoffsetfrom", timedelta(0))
    daylight.add("tzoffsetto", timedelta(hours=1))
    daylight.add("tzname", "BST")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 2, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    standard.add("tzoffsetfrom", timedelta(hours=1))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "GMT")
    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add_component(daylight)
    timezone.add_component(standard)
    return timezone


# --- checks -----------------------------------------------------------------------------------------


def require_address(value: str, field: str) -> str:
    """A plain email address (no display name, no spaces, no CR/LF), lower-cased; else ``InvitationError``."""
    address = value.strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:") :]
    if not _ADDRESS_RE.fullmatch(address) or ".." in address:
        raise InvitationError(f"The {field} is not a valid email address: {_printable(value)!r}")
    return address.lower()


def safe_name(name: str) -> str:
    """A display name with line breaks and control characters turned into spaces, and double quotes removed."""
    cleaned = _CONTROL_RE.sub(" ", name).replace('"', "")
    return " ".join(cleaned.split())


def _printable(value: str) -> str:
    return _CONTROL_RE.sub("?", value)[:80]


def _check_meeting(meeting: MeetingObject, withheld: Collection[str]) -> None:
    if not meeting.uid or _CONTROL_RE.search(meeting.uid) or len(meeting.uid) > 255:
        raise InvitationError("The meeting UID must be a non-empty single line; use privacy.new_uid().")
    if meeting.sequence < 0:
        raise InvitationError("SEQUENCE cannot be negative.")
    for field, value in (("title", meeting.summary), ("location", meeting.location)):
        if not value.strip():
            raise InvitationError(f"The {field} is empty.")
        if _CONTROL_RE.search(value):
            raise InvitationError(f"The {field} must be a single line: it contains a line break or control character.")
        check_outbound_text(field, value, withheld)
    if _CONTROL_RE.search(meeting.description_url) or not meeting.description_url.startswith(("https://", "http://")):
        raise InvitationError("The meeting page link must be a single-line http(s) URL.")
    check_outbound_text("meeting page link", meeting.description_url, withheld)
    _require_utc(meeting.start_at, "start_at")
    _require_utc(meeting.end_at, "end_at")
    if meeting.end_at <= meeting.start_at:
        raise InvitationError("The meeting must end after it starts.")


def _check_withheld_everywhere(ics: bytes, withheld: Collection[str]) -> None:
    if not withheld:
        return
    unfolded = ics.decode("utf-8").replace("\r\n ", "").replace("\\n", " ").replace("\\", "")
    if find_withheld(mask_addresses(unfolded), withheld):
        raise PrivacyError(
            "The invitation contains details that identify the child or the case (in a name, the venue or a link). "
            "Remove them: invitations are forwarded and shared."
        )


def _require_utc(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() != timedelta(0):
        raise InvitationError(f"{name} must be an aware UTC datetime, got {value!r}")
