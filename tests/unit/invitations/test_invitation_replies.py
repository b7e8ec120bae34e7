"""Replies from real calendar clients (conference.invitations.replies)."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import UID

from conference.invitations.calendar import build_request
from conference.invitations.replies import (
    ParsedReply,
    PartStat,
    ReplyError,
    ReplyMethod,
    ReplyOutcome,
    decide_reply,
    normalise_address,
    parse_itip,
)

FIXTURES = Path(__file__).parent / "replies"
INVITED = {
    "Jo.Smith@police.example": "attendee-police",
    "MAILTO:alex.rowe@nhs.example": "attendee-health",
    "pat@guardian.example": "attendee-guardian",
}


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MAILTO:Jo.Smith@Police.Example", "jo.smith@police.example"),
        ("mailto:jo.smith@police.example", "jo.smith@police.example"),
        ("  MailTo:JO@X.EXAMPLE  ", "jo@x.example"),
        ('"mailto:jo@x.example"', "jo@x.example"),
        ("<jo@x.example>", "jo@x.example"),
        ("jo@x.example", "jo@x.example"),
    ],
)
def test_normalise_address(value: str, expected: str) -> None:
    assert normalise_address(value) == expected


@pytest.mark.parametrize("value", ["", "mailto:", "not an address", "a@b@c", "jo@x.example\r\nBcc: y@z"])
def test_normalise_address_refuses_non_addresses(value: str) -> None:
    with pytest.raises(ReplyError, match="not an email address"):
        normalise_address(value)


def test_outlook_reply_without_organizer_and_windows_tzid() -> None:
    reply = parse_itip(_read("outlook_reply_accepted.eml"))
    assert reply.method is ReplyMethod.REPLY
    assert reply.uid == UID and reply.sequence == 1
    assert reply.organizer_address is None
    assert reply.attendee_address == "jo.smith@police.example"
    assert reply.partstat is PartStat.ACCEPTED
    assert reply.comment == "I will join from the station."
    assert reply.sender_address == "jo.smith@police.example"
    decision = decide_reply(reply, 1, INVITED)
    assert decision.outcome is ReplyOutcome.APPLIED
    assert decision.attendee_key == "attendee-police"
    assert decision.new_status is PartStat.ACCEPTED
    assert decision.sentence == "Jo Smith accepted."


def test_google_reply_inline_and_attached_decline() -> None:
    reply = parse_itip(_read("google_reply_declined.eml"))
    assert reply.partstat is PartStat.DECLINED
    assert reply.comment == "On leave that afternoon; my deputy can attend."
    decision = decide_reply(reply, 1, INVITED)
    assert (decision.outcome, decision.attendee_key, decision.new_status) == (
        ReplyOutcome.APPLIED,
        "attendee-health",
        PartStat.DECLINED,
    )
    assert decision.sentence == "Alex Rowe declined."


def test_apple_tentative_attachment_quoted_printable() -> None:
    reply = parse_itip(_read("apple_reply_tentative.eml"))
    assert reply.partstat is PartStat.TENTATIVE
    assert reply.attendee_address == "pat@guardian.example"
    decision = decide_reply(reply, 1, INVITED)
    assert decision.outcome is ReplyOutcome.APPLIED
    assert decision.sentence == "Pat Guardian might attend (tentative)."


def test_str_input_is_accepted() -> None:
    reply = parse_itip(_read("stale_sequence_reply.ics").decode("utf-8"))
    assert reply.attendee_address == "jo.smith@police.example"


def test_stale_sequence_is_ignored_in_words() -> None:
    reply = parse_itip(_read("stale_sequence_reply.ics"))
    decision = decide_reply(reply, 1, INVITED)
    assert decision.outcome is ReplyOutcome.STALE
    assert decision.new_status is None
    assert "earlier version" in decision.sentence and "version 0" in decision.sentence
    # The same reply at the current sequence applies.
    assert decide_reply(reply, 0, INVITED).outcome is ReplyOutcome.APPLIED


def test_uninvited_address_is_held_not_applied() -> None:
    reply = parse_itip(_read("uninvited_reply.ics"))
    decision = decide_reply(reply, 1, INVITED)
    assert decision.outcome is ReplyOutcome.HELD
    assert decision.attendee_key is None and decision.new_status is None
    assert "chris@other-council.example" in decision.sentence and "not invited" in decision.sentence


def test_known_alias_is_matched() -> None:
    reply = parse_itip(_read("uninvited_reply.ics"))
    aliases = {"MAILTO:Chris@Other-Council.example": "jo.smith@police.example"}
    decision = decide_reply(reply, 1, INVITED, aliases)
    assert (decision.outcome, decision.attendee_key) == (ReplyOutcome.APPLIED, "attendee-police")


def test_outlook_counter_in_gmt_standard_time_becomes_utc() -> None:
    reply = parse_itip(_read("outlook_counter.ics"))
    assert reply.method is ReplyMethod.COUNTER
    assert reply.proposed_start_at == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert reply.proposed_end_at == datetime(2026, 11, 24, 11, tzinfo=UTC)
    decision = decide_reply(reply, 1, INVITED)
    assert decision.outcome is ReplyOutcome.COUNTER
    assert decision.new_status is None
    assert decision.proposed_start_at == reply.proposed_start_at
    assert decision.sentence.startswith("Jo Smith proposes a new time: Tuesday 24 November 2026, 10am to 11am.")


def test_google_counter_in_summer_is_shown_in_uk_time() -> None:
    reply = parse_itip(_read("google_counter_summer.ics"))
    assert reply.proposed_start_at == datetime(2026, 6, 29, 9, tzinfo=UTC)
    decision = decide_reply(reply, 1, INVITED)
    assert "Monday 29 June 2026, 10am to 11am" in decision.sentence


def test_floating_counter_is_read_as_uk_time_with_a_note() -> None:
    reply = parse_itip(_read("floating_counter.ics"))
    assert reply.proposed_start_at == datetime(2026, 6, 29, 9, tzinfo=UTC)
    assert reply.proposed_end_at == datetime(2026, 6, 29, 10, tzinfo=UTC)
    assert reply.notes == ("The proposed start time had no time zone; it was read as UK time.",)


def test_stale_counter_is_ignored() -> None:
    reply = parse_itip(_read("outlook_counter.ics"))
    assert decide_reply(reply, 2, INVITED).outcome is ReplyOutcome.STALE


def test_delegated_reply_names_the_delegate() -> None:
    reply = parse_itip(_read("delegated_reply.ics"))
    assert reply.delegated_to == ("deputy@police.example",)
    decision = decide_reply(reply, 1, INVITED)
    assert decision.new_status is PartStat.DELEGATED
    assert "deputy@police.example" in decision.sentence and "deputy" in decision.sentence


def test_reply_for_another_meeting_is_refused() -> None:
    reply = parse_itip(_read("outlook_reply_accepted.eml"))
    decision = decide_reply(reply, 1, INVITED, expected_uid="another-uid")
    assert decision.outcome is ReplyOutcome.REFUSED
    assert decision.reason == "This reply is for a different meeting."


def test_reply_without_answer_is_refused() -> None:
    reply = ParsedReply(ReplyMethod.REPLY, UID, 1, "jo.smith@police.example", None, PartStat.NEEDS_ACTION)
    decision = decide_reply(reply, 1, INVITED)
    assert decision.outcome is ReplyOutcome.REFUSED
    assert decision.sentence == "jo.smith@police.example sent a reply without an answer."


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.ics", "damaged"),
        ("forwarded_request.ics", "invitation .REQUEST., not a reply"),
        ("no_partstat_reply.ics", "accepts or declines"),
        ("no_calendar.eml", "no calendar reply"),
    ],
)
def test_malformed_files_get_a_sentence_a_coordinator_understands(name: str, message: str) -> None:
    with pytest.raises(ReplyError, match=message) as caught:
        parse_itip(_read(name))
    assert caught.value.message == str(caught.value)
    assert "Traceback" not in caught.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\xff\xfe garbage", "neither a calendar file nor an email"),
        (b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n", "no event"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "no METHOD"),
        (b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "no UID"),
        (b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "no attendee"),
        (
            b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nSEQUENCE:two\r\n"
            b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "SEQUENCE is not a number",
        ),
        (
            b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            b"ATTENDEE;PARTSTAT=MAYBE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "not one Convene knows",
        ),
        (
            b"BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20261124\r\n"
            b"DTEND;VALUE=DATE:20261125\r\nATTENDEE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "whole days",
        ),
        (
            b"BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261124T100000Z\r\n"
            b"ATTENDEE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "end time",
        ),
        (
            b"BEGIN:VCALENDAR\r\nMETHOD:REFRESH\r\nBEGIN:VEVENT\r\nUID:x\r\n"
            b"ATTENDEE:mailto:a@b.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "not REFRESH",
        ),
    ],
)
def test_broken_inputs_raise_reply_error(data: bytes, message: str) -> None:
    with pytest.raises(ReplyError, match=message):
        parse_itip(data)


def test_several_attendees_resolved_by_answer_or_refused() -> None:
    base = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo.smith@police.example\r\n"
        "ATTENDEE;PARTSTAT={other}:mailto:alex.rowe@nhs.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert parse_itip(base.format(other="NEEDS-ACTION")).attendee_address == "jo.smith@police.example"
    with pytest.raises(ReplyError, match="names 2 attendees"):
        parse_itip(base.format(other="DECLINED"))


def test_our_own_request_round_trips_as_a_reply(meeting, invitees, dtstamp_at) -> None:
    """A client that echoes our object with PARTSTAT changed (as Thunderbird does) is read correctly."""
    ics = build_request(replace(meeting, sequence=3), invitees[1], dtstamp_at).decode()
    reply_text = ics.replace("METHOD:REQUEST", "METHOD:REPLY").replace("PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED")
    reply = parse_itip(reply_text)
    assert (reply.uid, reply.sequence, reply.partstat) == (meeting.uid, 3, PartStat.ACCEPTED)
    assert decide_reply(reply, 3, INVITED).attendee_key == "attendee-police"
