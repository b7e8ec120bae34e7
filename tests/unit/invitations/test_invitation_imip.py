"""iMIP messages (conference.invitations.imip): structure, headers, injection and privacy."""

import ast
import email
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.utils import getaddresses
from pathlib import Path

import icalendar
import pytest
from conftest import CANARIES, MEETING_URL, ORGANIZER

from conference.invitations.calendar import build_cancel, build_request, cancelled
from conference.invitations.imip import (
    CalendarMismatchError,
    HeaderInjectionError,
    build_message,
    cancellation_text,
    invitation_text,
)
from conference.invitations.privacy import PrivacyError

REPLY_URL = "https://convene.example.org/r/Xq3v9KpL2mN8"


def _message(meeting, invitee, dtstamp_at, method="REQUEST", **overrides):
    ics = (
        build_request(meeting, invitee, dtstamp_at)
        if method == "REQUEST"
        else build_cancel(cancelled(meeting), invitee, dtstamp_at)
    )
    arguments = {
        "method": method,
        "ics": ics,
        "to_email": invitee.email,
        "to_name": invitee.name,
        "from_email": ORGANIZER,
        "from_name": meeting.organizer_name,
        "subject": meeting.summary,
        "text_body": invitation_text(
            start_at=meeting.start_at,
            end_at=meeting.end_at,
            location=meeting.location,
            reply_url=REPLY_URL,
            meeting_url=MEETING_URL,
        ),
        "message_id_domain": "convene.example.org",
        "html_body": "<p>You are invited to a multi-agency meeting.</p>",
        "sent_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
    }
    arguments.update(overrides)
    return build_message(**arguments)


def _reparse(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_structure_and_method_parameter_match(meeting, invitees, dtstamp_at, method) -> None:
    for invitee in invitees:
        message = _reparse(_message(meeting, invitee, dtstamp_at, method))
        assert message.get_content_type() == "multipart/alternative"
        parts = list(message.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
        calendar_part = parts[2]
        assert calendar_part.get_param("method") == method
        assert calendar_part.get_content_charset() == "utf-8"
        ics = calendar_part.get_payload(decode=True)
        calendar = icalendar.Calendar.from_ical(ics)
        assert calendar["METHOD"] == method
        assert b"\r\n" in ics and b"\n" not in ics.replace(b"\r\n", b"")  # CRLF survives transport encoding
        assert str(calendar.walk("VEVENT")[0]["ORGANIZER"]).removeprefix("mailto:") == ORGANIZER


def test_headers_one_recipient_and_own_message_id(meeting, invitees, dtstamp_at) -> None:
    first = _reparse(_message(meeting, invitees[1], dtstamp_at))
    second = _reparse(_message(meeting, invitees[1], dtstamp_at))
    assert getaddresses([first["From"]]) == [("Sam Coordinator", ORGANIZER)]
    assert getaddresses([first["To"]]) == [("Jo Smith", "jo.smith@police.example")]
    assert first["Cc"] is None and first["Bcc"] is None
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@convene.example.org>")
    assert first["Date"] == "Fri, 20 Nov 2026 09:00:00 +0000"
    assert first["MIME-Version"] == "1.0"
    assert all(part["MIME-Version"] is None for part in first.iter_parts())


@pytest.mark.parametrize("evil", ["Jo\r\nBcc: x@evil.example", "Jo\nBcc: x@evil.example", "Jo\rX", "Jo\u2028X"])
@pytest.mark.parametrize("field", ["subject", "to_name", "from_name", "to_email"])
def test_line_breaks_in_header_values_are_refused(meeting, invitees, dtstamp_at, field, evil) -> None:
    with pytest.raises(HeaderInjectionError, match="line break"):
        _message(meeting, invitees[1], dtstamp_at, **{field: evil})


@pytest.mark.parametrize("name", ["Jo, Smith; <x@evil.example>", 'Jo "The Boss" Smith', "Jo: Smith, x@evil.example"])
def test_punctuation_in_names_adds_no_recipient(meeting, invitees, dtstamp_at, name) -> None:
    message = _reparse(_message(meeting, invitees[1], dtstamp_at, to_name=name))
    assert [address for _name, address in getaddresses([message["To"]])] == ["jo.smith@police.example"]
    assert "evil" not in " ".join(message.keys()).lower()


def test_calendar_must_match_the_email(meeting, invitees, dtstamp_at) -> None:
    with pytest.raises(CalendarMismatchError, match="method=CANCEL"):
        _message(meeting, invitees[1], dtstamp_at, method="CANCEL", ics=build_request(meeting, invitees[1], dtstamp_at))
    with pytest.raises(CalendarMismatchError, match="recipient"):
        _message(meeting, invitees[1], dtstamp_at, to_email="someone.else@police.example")
    with pytest.raises(CalendarMismatchError, match="ORGANIZER"):
        _message(meeting, invitees[1], dtstamp_at, from_email="other@convene.example.org")
    with pytest.raises(HeaderInjectionError, match="host name"):
        _message(meeting, invitees[1], dtstamp_at, message_id_domain="convene.example.org>")


def test_invitation_text_says_only_the_time_place_and_links(meeting) -> None:
    text = invitation_text(
        start_at=meeting.start_at,
        end_at=meeting.end_at,
        location=meeting.location,
        reply_url=REPLY_URL,
        meeting_url=MEETING_URL,
    )
    lines = [line for line in text.splitlines() if line]
    assert lines == [
        "You are invited to a multi-agency meeting.",
        "When: Monday 23 November 2026, 2:30pm to 3:30pm (UK time)",
        "Venue: Room 4, Civic Centre; High Street",
        "Reply: accept, decline, send your deputy or a written submission. This link is personal to you; "
        "please do not forward it.",
        REPLY_URL,
        "Meeting page (you need to sign in to Convene):",
        MEETING_URL,
    ]


def test_invitation_text_in_summer_time_and_with_a_video_link() -> None:
    text = invitation_text(
        start_at=datetime(2026, 6, 29, 9, tzinfo=UTC),
        end_at=datetime(2026, 6, 29, 11, 0, tzinfo=UTC),
        location="https://video.example.org/j/123",
        reply_url=REPLY_URL,
        meeting_url=MEETING_URL,
        updated=True,
    )
    assert "When: Monday 29 June 2026, 10am to midday (UK time)" in text
    assert "Video link: https://video.example.org/j/123" in text
    assert text.startswith("The time or place of this multi-agency meeting has changed.")
    with pytest.raises(ValueError, match="reply link"):
        invitation_text(
            start_at=datetime(2026, 6, 29, 9, tzinfo=UTC),
            end_at=datetime(2026, 6, 29, 10, tzinfo=UTC),
            location="Room 1",
            reply_url="not a link",
            meeting_url=MEETING_URL,
        )


def test_cancellation_text() -> None:
    text = cancellation_text(
        start_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        end_at=datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
        meeting_url=MEETING_URL,
        replaced=True,
    )
    assert text.startswith("You no longer need to attend this multi-agency meeting.")
    assert "Someone else will attend for your role" in text and "goes ahead" in text
    assert "cancelled" not in text.lower()
    assert "When: Thursday 31 December 2026, 11:30pm to Friday 1 January 2027, 12:30am (UK time)" in text
    whole = cancellation_text(
        start_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        end_at=datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
        meeting_url=MEETING_URL,
    )
    assert whole.startswith("This multi-agency meeting has been cancelled.")
    assert "It was: Thursday 31 December 2026, 11:30pm to Friday 1 January 2027, 12:30am (UK time)" in whole


def test_privacy_canaries_in_the_whole_outbound_message(meeting, invitees, dtstamp_at) -> None:
    raw, decoded = [], []
    for invitee in invitees:
        for method in ("REQUEST", "CANCEL"):
            message = _reparse(_message(meeting, invitee, dtstamp_at, method, withheld=CANARIES))
            raw.append(message.as_bytes())
            decoded.extend(f"{key}: {value}".encode() for key, value in message.items())
            decoded.extend(part.get_payload(decode=True) for part in message.iter_parts())
            decoded.extend(str(part.get_filename() or "").encode() for part in message.iter_parts())
    haystack = b"\n".join(raw + decoded).decode("utf-8").replace("\r\n ", "").lower()
    assert [canary for canary in CANARIES if canary.lower() in haystack] == []
    readable = b"\n".join(decoded).decode("utf-8").replace("\r\n ", "").lower()
    assert "multi-agency meeting" in readable
    for word in ("trafficking", "exploitation", "nrm", "modern slavery"):
        assert word not in readable
    with pytest.raises(PrivacyError):
        _message(meeting, invitees[1], dtstamp_at, subject=f"Meeting about {CANARIES[0]}", withheld=CANARIES)
    with pytest.raises(PrivacyError):
        _message(meeting, invitees[1], dtstamp_at, subject="Trafficking strategy meeting")
    with pytest.raises(PrivacyError):
        _message(meeting, invitees[1], dtstamp_at, text_body=f"Case {CANARIES[2]}", withheld=CANARIES)
    with pytest.raises(PrivacyError):
        _message(replace(meeting, location=CANARIES[4]), invitees[1], dtstamp_at, withheld=CANARIES)


def test_modules_stay_free_of_flask_and_sqlalchemy() -> None:
    repo = Path(__file__).resolve().parents[3]
    root = repo / "conference"
    pure = [repo / "rules" / "timescales.py", repo / "rules" / "vocabulary.py"]
    files = [*sorted((root / "invitations").glob("*.py")), *pure]
    assert len(files) >= 7
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert name.split(".")[0] not in {"flask", "flask_sqlalchemy", "sqlalchemy", "wtforms"}, (path, name)
