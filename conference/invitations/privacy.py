"""What an invitation may say. Invitations are forwarded and shared, so they reveal nothing about the child.

The rules (``docs/invitations.md``, "Privacy: no exceptions"):

* the title is "Multi-agency meeting", a random meeting reference (``MTG-7K3Q``) and at most a neutral
  meeting type label;
* the description holds only the time, the venue or video link and a link to the meeting page (which
  needs a login);
* no words that reveal the concern (``FORBIDDEN_TERMS``), and none of the case's identity values
  (``find_withheld``).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

from rules.clock import LONDON
from rules.display import long_date, time_of_day

#: Letters and digits that cannot be mistaken for one another when read aloud or copied by hand
#: (no 0/O, 1/I/L, U/V).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PREFIX = "MTG-"
_REFERENCE_RE = re.compile(rf"^{REFERENCE_PREFIX}[{REFERENCE_ALPHABET}]{{4,12}}$")

#: Words that reveal what a meeting is about. Each is (name reported, pattern matched case-insensitively).
FORBIDDEN_TERMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("trafficking", r"traff?ick\w*"),
        ("exploitation", r"exploit\w*"),
        ("NRM", r"(?<![A-Za-z0-9])NRM(?![A-Za-z0-9])"),
        ("National Referral Mechanism", r"national\s+referral\s+mechanism"),
        ("modern slavery", r"modern[\s-]+slavery"),
        ("slavery", r"\bslave(?:s|ry)?\b"),
        ("county lines", r"county[\s-]+lines"),
        ("CSE", r"(?<![A-Za-z0-9])CSE(?![A-Za-z0-9])"),
        ("CCE", r"(?<![A-Za-z0-9])CCE(?![A-Za-z0-9])"),
        ("grooming", r"\bgroom(?:ing|ed)\b"),
        ("child protection", r"child[\s-]+protection"),
        ("safeguarding concern", r"safeguarding\s+concern\w*"),
        ("Competent Authority", r"competent\s+authority"),
        ("asylum", r"\basylum\b"),
    )
)


class PrivacyError(ValueError):
    """Outbound text would reveal the concern or the child's identity."""


def forbidden_terms_in(text: str) -> list[str]:
    """The names of the revealing words found in ``text``, in ``FORBIDDEN_TERMS`` order (empty if none)."""
    return [name for name, pattern in FORBIDDEN_TERMS if pattern.search(text)]


_ADDRESS_RE = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def mask_addresses(text: str) -> str:
    """Blank out email addresses: a professional's address (``@example.org``) is not the child's identity,
    even when a word in it happens to equal the child's name."""
    return _ADDRESS_RE.sub(" ", text)


def find_withheld(text: str, withheld: Iterable[str]) -> list[str]:
    """Which of the ``withheld`` identity values (child's name, date of birth, case reference…) occur in ``text``.

    Matching ignores case and needs whole words, so initials "AB" do not match "Abbey Road". Values that
    are empty or only spaces are ignored.
    """
    found = []
    for value in withheld:
        needle = " ".join(value.split())
        if not needle:
            continue
        body = r"\s+".join(re.escape(word) for word in needle.split(" "))
        pattern = re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)
        if pattern.search(text):
            found.append(value)
    return found


def check_outbound_text(field: str, text: str, withheld: Iterable[str] = ()) -> None:
    """Raise ``PrivacyError`` if ``text`` (the named field of an outbound message) reveals anything.

    The message names the field and the kind of problem, never the withheld value itself, so it is safe to
    log and to show.
    """
    terms = forbidden_terms_in(text)
    if terms:
        raise PrivacyError(
            f"The {field} contains words that reveal what the meeting is about ({', '.join(terms)}). "
            "Use neutral wording such as 'Multi-agency meeting'."
        )
    if find_withheld(text, withheld):
        raise PrivacyError(
            f"The {field} contains details that identify the child or the case. Remove them: invitations are "
            "forwarded and shared."
        )


def new_meeting_reference(length: int = 4) -> str:
    """A random meeting reference such as ``MTG-7K3Q``; it is not derived from the case.

    The caller stores it with a unique constraint and draws again on a clash (29**4 = 707,281 codes).
    """
    if not 4 <= length <= 12:
        raise ValueError("a meeting reference has 4 to 12 characters after MTG-")
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))


def is_meeting_reference(value: str) -> bool:
    """Whether ``value`` has the shape of a reference made by ``new_meeting_reference``."""
    return bool(_REFERENCE_RE.fullmatch(value))


def new_uid() -> str:
    """A random calendar UID (a version 4 UUID), fixed for the meeting's whole life."""
    return str(uuid.uuid4())


def neutral_summary(meeting_ref: str, meeting_type_label: str | None) -> str:
    """The invitation title: ``"Multi-agency meeting – MTG-7K3Q"``, with an optional neutral type label.

    ``meeting_type_label`` should be ``MeetingType.invitation_label`` (never the in-app label, which can
    name the NRM). Raises ``ValueError`` if the reference is not a Convene meeting reference (so a case
    reference cannot be passed by mistake) and ``PrivacyError`` if the label reveals the concern.
    """
    if not is_meeting_reference(meeting_ref):
        raise ValueError(
            f"{meeting_ref!r} is not a meeting reference; use new_meeting_reference(), never the case reference"
        )
    summary = f"Multi-agency meeting – {meeting_ref}"
    if meeting_type_label:
        label = " ".join(meeting_type_label.split())
        check_outbound_text("meeting type", label)
        summary += f" ({label})"
    return summary


def describe_time(start_at: datetime, end_at: datetime) -> str:
    """The meeting time in words in Europe/London: ``"Monday 23 November 2026, 2:30pm to 3:30pm"``."""
    for name, value in (("start_at", start_at), ("end_at", end_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime")
    start, end = start_at.astimezone(LONDON), end_at.astimezone(LONDON)
    text = f"{long_date(start.date())}, {time_of_day(start)} to "
    if end.date() != start.date():
        text += f"{long_date(end.date())}, "
    return text + time_of_day(end)


def is_web_link(location: str) -> bool:
    """Whether a location is a video link rather than a venue."""
    return location.strip().lower().startswith(("https://", "http://"))


def neutral_description(start_at: datetime, end_at: datetime, location: str, meeting_url: str) -> str:
    """The calendar DESCRIPTION: the time, the venue or video link, and the meeting page link. Nothing else."""
    where = f"Video link: {location}" if is_web_link(location) else f"Venue: {location}"
    return (
        f"When: {describe_time(start_at, end_at)} (UK time)\n"
        f"{where}\n"
        f"Meeting page (you need to sign in to Convene): {meeting_url}"
    )
