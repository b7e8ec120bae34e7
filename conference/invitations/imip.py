"""iMIP email messages (RFC 6047) carrying one invitee's calendar object.

``multipart/alternative``: text/plain, optional text/html, then ``text/calendar; charset=UTF-8;
method=REQUEST`` (or CANCEL) whose method equals the METHOD inside. One To, no Cc, From equal to the
ORGANIZER, its own Message-ID. The calendar part is base64 so its CRLF line endings and folding survive
any mail relay unchanged.

Pure: no Flask, no SQLAlchemy. The outbox stores ``message.as_bytes()``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from icalendar import Calendar

from conference.invitations.calendar import Method, require_address
from conference.invitations.privacy import (
    PrivacyError,
    check_outbound_text,
    describe_time,
    find_withheld,
    is_web_link,
    mask_addresses,
)

_HEADER_FORBIDDEN = re.compile(r"[\r\n\x00\u2028\u2029\u0085]")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


class HeaderInjectionError(ValueError):
    """A value meant for an email header contains a line break."""


class CalendarMismatchError(ValueError):
    """The calendar object does not match the email around it (method, organiser, attendee)."""


def build_message(
    *,
    method: Method | str,
    ics: bytes,
    to_email: str,
    to_name: str,
    from_email: str,
    from_name: str,
    subject: str,
    text_body: str,
    message_id_domain: str,
    html_body: str | None = None,
    sent_at: datetime | None = None,
    withheld: Collection[str] = (),
) -> EmailMessage:
    """One iMIP message to one invitee.

    Raises ``HeaderInjectionError`` for a line break in any header value, ``PrivacyError`` for revealing
    words or withheld identity values in the subject or bodies, and ``CalendarMismatchError`` when the
    calendar object's METHOD, ORGANIZER or single ATTENDEE disagree with ``method``, ``from_email`` or
    ``to_email``. ``sent_at`` (aware) sets the Date header; it defaults to now.
    """
    method = Method(str(method).upper())
    for field, value in (
        ("To address", to_email),
        ("To name", to_name),
        ("From address", from_email),
        ("From name", from_name),
        ("Subject", subject),
        ("Message-ID domain", message_id_domain),
    ):
        _refuse_line_breaks(field, value)
    if not _DOMAIN_RE.fullmatch(message_id_domain):
        raise HeaderInjectionError(f"The Message-ID domain {message_id_domain!r} is not a host name.")
    to_address = require_address(to_email, "To address")
    from_address = require_address(from_email, "From address")
    check_outbound_text("subject", subject, withheld)
    for field, body in (("plain text body", text_body), ("HTML body", html_body or "")):
        if find_withheld(mask_addresses(body), withheld):
            raise PrivacyError(f"The {field} contains details that identify the child or the case. Remove them.")
    _check_calendar_matches(ics, method, to_address, from_address)

    message = EmailMessage(policy=policy.SMTP)
    message["From"] = _address_header(from_name, from_address)
    message["To"] = _address_header(to_name, to_address)
    message["Subject"] = subject
    message["Date"] = format_datetime((sent_at or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text_body, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html_body is not None:
        message.add_alternative(html_body, subtype="html", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"charset": "UTF-8", "method": method.value},
    )
    for part in message.iter_parts():
        del part["MIME-Version"]  # only the top level carries it
    return message


def _address_header(name: str, address: str) -> Address:
    username, domain = address.rsplit("@", 1)
    display = " ".join(name.split())
    return Address(display_name=display, username=username, domain=domain)


def _refuse_line_breaks(field: str, value: str) -> None:
    if _HEADER_FORBIDDEN.search(value):
        raise HeaderInjectionError(
            f"The {field} contains a line break, which could add email headers. Enter it on one line."
        )


def _check_calendar_matches(ics: bytes, method: Method, to_address: str, from_address: str) -> None:
    try:
        calendar = Calendar.from_ical(ics)
    except ValueError as error:
        raise CalendarMismatchError(f"The calendar object cannot be read: {error}") from None
    inner = str(calendar.get("METHOD", "")).upper()
    if inner != method.value:
        raise CalendarMismatchError(f"The email says method={method.value} but the calendar object says {inner!r}.")
    events = calendar.walk("VEVENT")
    if len(events) != 1:
        raise CalendarMismatchError(f"An invitation carries exactly one event, not {len(events)}.")
    attendees = events[0].get("ATTENDEE")
    attendee_list = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
    if len(attendee_list) != 1 or require_address(str(attendee_list[0]), "attendee") != to_address:
        raise CalendarMismatchError("The calendar object must list exactly one attendee: the recipient.")
    organizer = events[0].get("ORGANIZER")
    if organizer is None or require_address(str(organizer), "organiser") != from_address:
        raise CalendarMismatchError("The From address must be the calendar object's ORGANIZER.")


# --- plain text bodies ------------------------------------------------------------------------------


def _where(location: str) -> str:
    return f"Video link: {location}" if is_web_link(location) else f"Venue: {location}"


def invitation_text(
    *,
    start_at: datetime,
    end_at: datetime,
    location: str,
    reply_url: str,
    meeting_url: str,
    updated: bool = False,
) -> str:
    """The plain text body of an invitation or update: the time in words (Europe/London), the venue or video
    link, the personal reply link and the meeting page link. Nothing else."""
    for name, url in (("reply link", reply_url), ("meeting page link", meeting_url)):
        if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            raise ValueError(f"The {name} must be a single http(s) URL without spaces.")
    lead = (
        "The time or place of this multi-agency meeting has changed."
        if updated
        else "You are invited to a multi-agency meeting."
    )
    return (
        f"{lead}\n\n"
        f"When: {describe_time(start_at, end_at)} (UK time)\n"
        f"{_where(' '.join(location.split()))}\n\n"
        "Reply: accept, decline, send your deputy or a written submission. This link is personal to you; "
        "please do not forward it.\n"
        f"{reply_url}\n\n"
        "Meeting page (you need to sign in to Convene):\n"
        f"{meeting_url}\n"
    )


def cancellation_text(*, start_at: datetime, end_at: datetime, meeting_url: str, replaced: bool = False) -> str:
    """The plain text body of a cancellation, or of the notice to a person replaced by a deputy."""
    if replaced:
        # Names no one, and never reads as if the meeting itself were cancelled: it goes ahead without them.
        return (
            "You no longer need to attend this multi-agency meeting. Someone else will attend for your role, so it "
            "has been taken out of your calendar. The meeting itself goes ahead as planned.\n\n"
            f"When: {describe_time(start_at, end_at)} (UK time)\n\n"
            "Meeting page (you need to sign in to Convene):\n"
            f"{meeting_url}\n"
        )
    return (
        "This multi-agency meeting has been cancelled.\n\n"
        f"It was: {describe_time(start_at, end_at)} (UK time)\n\n"
        "Meeting page (you need to sign in to Convene):\n"
        f"{meeting_url}\n"
    )
