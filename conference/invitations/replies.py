"""Replies from calendar clients: iTIP REPLY and COUNTER (RFC 5546), raw or inside an email (RFC 6047).

Real clients differ: Outlook/Exchange replies omit ORGANIZER, carry X-MICROSOFT-CDO-* fields and Windows time
zone names (``GMT Standard Time``) with their own VTIMEZONE; Google sends the reply inline and again as an
``invite.ics`` attachment; Apple attaches ``iCal-….ics`` and writes ``EMAIL=`` parameters; addresses come as
``MAILTO:`` in any case. ``parse_itip`` reads all of these; ``decide_reply`` (a pure function) says what to do
with one, in words a coordinator understands.

Pure: no Flask, no SQLAlchemy.

Why this module is long: reading iTIP replies means tolerating each real client's quirks (Outlook, Google,
Apple, raw or inside an email), and :func:`decide_reply` is the one pure function that interprets what was read;
the reading helpers are private to each other, and the reply types are shared by both halves and imported from
here across convening, so the module is left whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from enum import StrEnum
from typing import Any

from icalendar import Calendar, Component

from conference.invitations.privacy import describe_time
from rules.clock import LONDON

_MAILTO = re.compile(r"^\s*mailto:", re.IGNORECASE)
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+$")
_MAX_BYTES = 2_000_000
MAX_ADDRESS_LENGTH = 254  # RFC 5321; the address columns are VARCHAR(254)
MAX_NAME_LENGTH = 160


class ReplyError(ValueError):
    """A reply cannot be read. ``message`` is a sentence a coordinator can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PartStat(StrEnum):
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"
    DELEGATED = "DELEGATED"
    NEEDS_ACTION = "NEEDS-ACTION"


class ReplyMethod(StrEnum):
    REPLY = "REPLY"
    COUNTER = "COUNTER"


@dataclass(frozen=True)
class ParsedReply:
    """What a calendar reply says. Addresses are normalised (``normalise_address``); times are aware UTC."""

    method: ReplyMethod
    uid: str
    sequence: int
    attendee_address: str
    attendee_name: str | None
    partstat: PartStat | None
    proposed_start_at: datetime | None = None
    proposed_end_at: datetime | None = None
    comment: str | None = None
    organizer_address: str | None = None
    delegated_to: tuple[str, ...] = ()
    sent_by: str | None = None
    dtstamp_at: datetime | None = None
    sender_address: str | None = None
    notes: tuple[str, ...] = ()


def normalise_address(value: str) -> str:
    """``"MAILTO:Jo.Smith@Police.Example "`` -> ``"jo.smith@police.example"``.

    Strips spaces, quotes, angle brackets and a ``mailto:`` prefix in any case. Raises ``ReplyError`` if what is
    left is not an email address.
    """
    text = str(value).strip().strip('"').strip()
    text = _MAILTO.sub("", text).strip().strip("<>").strip()
    if len(text) > MAX_ADDRESS_LENGTH:
        raise ReplyError(
            f"{_short(value)}… is not an email address: it is longer than {MAX_ADDRESS_LENGTH} characters."
        )
    if not _ADDRESS.fullmatch(text):
        raise ReplyError(f"{_short(value)!r} is not an email address.")
    return text.lower()


# --- parsing ----------------------------------------------------------------------------------------


def parse_itip(data: bytes | str) -> ParsedReply:
    """Read a REPLY or COUNTER from an iCalendar object, or from a whole email that carries one.

    Raises ``ReplyError`` with a sentence a coordinator can understand when the input is not a readable reply.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if not raw.strip():
        raise ReplyError("The reply is empty.")
    if len(raw) > _MAX_BYTES:
        raise ReplyError("The reply is too large to be a calendar reply (over 2 MB).")
    sender: str | None = None
    mime_method: str | None = None
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        ics = raw
    else:
        ics, mime_method, sender = _calendar_from_email(raw)
    return _parse_calendar(ics, mime_method, sender)


def _calendar_from_email(raw: bytes) -> tuple[bytes, str | None, str | None]:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not message.keys():
        raise ReplyError("This is neither a calendar file nor an email: it does not start with BEGIN:VCALENDAR.")
    parts = [part for part in message.walk() if not part.is_multipart() and _is_calendar_part(part)]
    if not parts:
        raise ReplyError(
            "This email has no calendar reply in it (no text/calendar part or .ics attachment). "
            "If the person answered in words, update the board yourself."
        )
    parts.sort(key=lambda part: part.get_content_type() != "text/calendar")
    part = parts[0]
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise ReplyError("The calendar part of this email is empty.")
    method = part.get_param("method")
    return payload, str(method).upper() if isinstance(method, str) else None, _sender(message)


def _is_calendar_part(part: Message) -> bool:
    filename = (part.get_filename() or "").lower()
    return part.get_content_type() in {"text/calendar", "application/ics"} or filename.endswith((".ics", ".ical"))


def _sender(message: Message) -> str | None:
    if not isinstance(message, EmailMessage):
        return None
    try:
        header: Any = message["From"]
        addresses = getattr(header, "addresses", ())
        return normalise_address(addresses[0].addr_spec) if addresses else None
    except (ReplyError, IndexError, ValueError, TypeError):
        return None


def _parse_calendar(ics: bytes, mime_method: str | None, sender: str | None) -> ParsedReply:
    try:
        text = ics.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ics.decode("latin-1")
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ReplyError(
            "The calendar file is damaged and cannot be read (it may have been cut short or altered on the way). "
            "Ask the person to reply again, or update the board yourself."
        ) from error
    if not isinstance(calendar, Calendar):
        raise ReplyError("The file does not contain a calendar (no VCALENDAR).")
    method = _method(calendar, mime_method)
    event = _single_event(calendar)
    try:
        return _read_event(event, method, sender)
    except ReplyError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise ReplyError(
            "The calendar reply has a value Convene cannot read. Ask the person to reply again, or update the board "
            "yourself."
        ) from error


def _method(calendar: Calendar, mime_method: str | None) -> ReplyMethod:
    inner = str(calendar.get("METHOD", "") or mime_method or "").strip().upper()
    if not inner:
        raise ReplyError("The calendar file has no METHOD, so it is not a reply to an invitation.")
    if inner in ("REQUEST", "PUBLISH", "ADD"):
        raise ReplyError(f"This is an invitation ({inner}), not a reply. It may be a forwarded copy of the invitation.")
    if inner not in ReplyMethod.__members__.values():
        raise ReplyError(f"Convene reads replies (REPLY) and proposals of a new time (COUNTER), not {inner}.")
    return ReplyMethod(inner)


def _single_event(calendar: Calendar) -> Component:
    events = calendar.walk("VEVENT")
    if not events:
        raise ReplyError("The calendar reply contains no event.")
    uids = {str(event.get("UID", "")) for event in events}
    if len(uids) > 1:
        raise ReplyError("The calendar reply mixes several meetings; ask the sender to reply to each one separately.")
    return events[0]


def _read_event(event: Component, method: ReplyMethod, sender: str | None) -> ParsedReply:
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise ReplyError("The calendar reply has no UID, so Convene cannot tell which meeting it is for.")
    try:
        sequence = int(str(event.get("SEQUENCE", 0)))
    except ValueError:
        raise ReplyError("The calendar reply's SEQUENCE is not a number.") from None
    attendee, partstat = _attendee(event, sender)
    if method is ReplyMethod.REPLY and partstat is None:
        raise ReplyError("The reply does not say whether the person accepts or declines (no PARTSTAT).")
    notes: list[str] = []
    proposed_start_at = proposed_end_at = None
    if method is ReplyMethod.COUNTER:
        proposed_start_at, proposed_end_at = _proposed_times(event, notes)
    organizer = event.get("ORGANIZER")
    params = attendee.params
    return ParsedReply(
        method=method,
        uid=uid,
        sequence=sequence,
        attendee_address=normalise_address(str(attendee)),
        attendee_name=_clean_text(params.get("CN")),
        partstat=partstat,
        proposed_start_at=proposed_start_at,
        proposed_end_at=proposed_end_at,
        comment=_comment(event),
        organizer_address=_optional_address(organizer),
        delegated_to=_address_list(params.get("DELEGATED-TO")),
        sent_by=_optional_address(params.get("SENT-BY")),
        dtstamp_at=_optional_utc(event, "DTSTAMP"),
        sender_address=sender,
        notes=tuple(notes),
    )


def _attendee(event: Component, sender: str | None) -> tuple[Any, PartStat | None]:
    value = event.get("ATTENDEE")
    attendees = value if isinstance(value, list) else [value] if value is not None else []
    if not attendees:
        raise ReplyError("The reply names no attendee, so Convene cannot tell who replied.")
    chosen = attendees[0]
    if len(attendees) > 1:
        answered = [a for a in attendees if _partstat(a) not in (None, PartStat.NEEDS_ACTION)]
        by_sender = [a for a in attendees if sender and _optional_address(a) == sender]
        if len(by_sender) == 1:
            chosen = by_sender[0]
        elif len(answered) == 1:
            chosen = answered[0]
        else:
            raise ReplyError(
                f"The reply names {len(attendees)} attendees, so Convene cannot tell who is replying. "
                "Check it and update the board yourself."
            )
    return chosen, _partstat(chosen)


def _partstat(attendee: Any) -> PartStat | None:
    raw = attendee.params.get("PARTSTAT") if hasattr(attendee, "params") else None
    if raw is None:
        return None
    value = str(raw).strip().upper()
    try:
        return PartStat(value)
    except ValueError:
        raise ReplyError(f"The reply's answer {value!r} is not one Convene knows.") from None


def _proposed_times(event: Component, notes: list[str]) -> tuple[datetime, datetime]:
    if "DTSTART" not in event:
        raise ReplyError("The proposal of a new time does not give a start time.")
    start = _as_utc(event.decoded("DTSTART"), "start", notes)
    if "DTEND" in event:
        end = _as_utc(event.decoded("DTEND"), "end", notes)
    elif "DURATION" in event:
        end = start + event.decoded("DURATION")
    else:
        raise ReplyError("The proposal of a new time does not give an end time or a duration.")
    if end <= start:
        raise ReplyError("The proposed new time ends before it starts.")
    return start, end


def _as_utc(value: Any, which: str, notes: list[str]) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            notes.append(f"The proposed {which} time had no time zone; it was read as UK time.")
            return value.replace(tzinfo=LONDON).astimezone(UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        raise ReplyError("The proposal gives whole days, not a time. Ask the person which time they mean.")
    raise ReplyError(f"The proposed {which} time cannot be read.")


def _optional_utc(event: Component, name: str) -> datetime | None:
    if name not in event:
        return None
    try:
        value = event.decoded(name)
    except (ValueError, KeyError, TypeError):
        return None
    if isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    return None


def _optional_address(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return normalise_address(str(value))
    except ReplyError:
        return None


def _address_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    found = (_optional_address(item) for item in items)
    return tuple(address for address in found if address)


def _comment(event: Component) -> str | None:
    value = event.get("COMMENT")
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    text = "\n".join(str(item).strip() for item in items if str(item).strip())
    return text or None


def _clean_text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())[:MAX_NAME_LENGTH]
    return text or None


def _short(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", str(text))[:80]


# --- deciding ---------------------------------------------------------------------------------------


class ReplyOutcome(StrEnum):
    """What becomes of a reply: decided here (pure), stored as is on ``ReplyRecord.outcome``.

    ``decide_reply`` says APPLIED for a reply to apply; the inbound service holds it (HELD) instead when the
    sender is not the attendee's own address, or the answer is a delegation.
    """

    APPLIED = "applied"
    STALE = "stale"
    HELD = "held"
    COUNTER = "counter"
    REFUSED = "refused"


@dataclass(frozen=True)
class ReplyDecision:
    """What to do with a reply, and a sentence for the coordinator's board."""

    outcome: ReplyOutcome
    sentence: str
    attendee_key: str | None = None
    new_status: PartStat | None = None
    reason: str | None = None
    proposed_start_at: datetime | None = None
    proposed_end_at: datetime | None = None


_ANSWER_WORDS = {
    PartStat.ACCEPTED: "accepted",
    PartStat.DECLINED: "declined",
    PartStat.TENTATIVE: "might attend (tentative)",
}


def decide_reply(
    parsed: ParsedReply,
    current_sequence: int,
    invited_addresses: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
    *,
    expected_uid: str | None = None,
) -> ReplyDecision:
    """Decide what a parsed reply does to the meeting.

    ``invited_addresses`` maps each invited address to its attendee key; ``aliases`` maps other addresses of the
    same people to their invited address. Addresses are compared after ``normalise_address``. A reply is matched on
    the attendee address (never on the email sender, since forwarded invitations reply as someone else).
    """
    who = parsed.attendee_name or parsed.attendee_address
    if expected_uid is not None and parsed.uid != expected_uid:
        reason = "This reply is for a different meeting."
        return ReplyDecision(ReplyOutcome.REFUSED, f"A reply from {who} was not applied: {reason}", reason=reason)
    key = _attendee_key(parsed.attendee_address, invited_addresses, aliases or {})
    if key is None:
        return ReplyDecision(
            ReplyOutcome.HELD,
            f"A reply from {who} ({parsed.attendee_address}), who was not invited, is held for you to check. "
            "It may come from a forwarded invitation.",
        )
    if parsed.sequence < current_sequence:
        return ReplyDecision(
            ReplyOutcome.STALE,
            f"{who} replied to an earlier version of the invitation (version {parsed.sequence}; the current one is "
            f"{current_sequence}), so the reply was not applied. They have been sent the current version.",
            attendee_key=key,
        )
    if parsed.method is ReplyMethod.COUNTER:
        return _counter(parsed, who, key)
    return _answer(parsed, who, key)


def _counter(parsed: ParsedReply, who: str, key: str) -> ReplyDecision:
    if parsed.proposed_start_at is None or parsed.proposed_end_at is None:
        reason = "The proposal does not give a complete new time."
        return ReplyDecision(
            ReplyOutcome.REFUSED, f"{who} proposed a new time, but it is incomplete.", key, reason=reason
        )
    when = describe_time(parsed.proposed_start_at, parsed.proposed_end_at)
    return ReplyDecision(
        ReplyOutcome.COUNTER,
        f"{who} proposes a new time: {when}. Reschedule to accept it, or keep the current time.",
        attendee_key=key,
        proposed_start_at=parsed.proposed_start_at,
        proposed_end_at=parsed.proposed_end_at,
    )


def _answer(parsed: ParsedReply, who: str, key: str) -> ReplyDecision:
    status = parsed.partstat
    if status is None or status is PartStat.NEEDS_ACTION:
        reason = "The reply does not say whether they will attend."
        return ReplyDecision(ReplyOutcome.REFUSED, f"{who} sent a reply without an answer.", key, reason=reason)
    if status is PartStat.DELEGATED:
        to = ", ".join(parsed.delegated_to) or "someone else"
        sentence = f"{who} passed the invitation to {to}. Choose whether to invite them as a deputy."
    else:
        sentence = f"{who} {_ANSWER_WORDS[status]}."
    return ReplyDecision(ReplyOutcome.APPLIED, sentence, attendee_key=key, new_status=status)


def _attendee_key(address: str, invited: Mapping[str, str], aliases: Mapping[str, str]) -> str | None:
    normalised_invited = {normalise_address(a): k for a, k in invited.items()}
    normalised_aliases = {normalise_address(a): normalise_address(c) for a, c in aliases.items()}
    canonical = normalised_aliases.get(address, address)
    return normalised_invited.get(canonical)
