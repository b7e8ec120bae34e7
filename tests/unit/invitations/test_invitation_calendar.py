"""Calendar objects (conference.invitations.calendar): standards, interoperability, injection and privacy."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from conftest import CANARIES, UID
from hypothesis import given, settings
from hypothesis import strategies as st

from conference.invitations.calendar import (
    InvitationError,
    Invitee,
    MeetingObject,
    build_cancel,
    build_request,
    cancelled,
    for_removed_attendee,
    rescheduled,
)
from conference.invitations.privacy import PrivacyError

EXPECTED_ROLES = {
    "chair@council.example": "CHAIR",
    "jo.smith@police.example": "REQ-PARTICIPANT",
    "alex.rowe@nhs.example": "REQ-PARTICIPANT",
    "teacher@school.example": "OPT-PARTICIPANT",
    "pat@guardian.example": "OPT-PARTICIPANT",
}


def _event(ics: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _attendees(event: icalendar.Event) -> list[icalendar.vCalAddress]:
    value = event.get("ATTENDEE")
    return value if isinstance(value, list) else [value] if value is not None else []


def _all_objects(meeting: MeetingObject, invitees: list[Invitee], dtstamp_at: datetime) -> list[tuple[str, bytes]]:
    later = rescheduled(
        meeting, start_at=meeting.start_at + timedelta(days=1), end_at=meeting.end_at + timedelta(days=1)
    )
    objects = [("REQUEST", build_request(m, i, dtstamp_at)) for m in (meeting, later) for i in invitees]
    objects += [("CANCEL", build_cancel(cancelled(later), i, dtstamp_at)) for i in invitees]
    return objects


def test_every_object_parses_with_icalendar_and_vobject(meeting, invitees, dtstamp_at) -> None:
    for method, ics in _all_objects(meeting, invitees, dtstamp_at):
        calendar = icalendar.Calendar.from_ical(ics)
        assert calendar["METHOD"] == method
        assert calendar["VERSION"] == "2.0"
        assert calendar["PRODID"]
        parsed = vobject.readOne(ics.decode("utf-8"))
        assert parsed.method.value == method
        assert len(parsed.vevent_list) == 1
        assert parsed.vevent.uid.value == UID
        assert len(parsed.vevent.contents["attendee"]) == 1


def test_one_attendee_with_all_parameters(meeting, invitees, dtstamp_at) -> None:
    for invitee in invitees:
        event = _event(build_request(meeting, invitee, dtstamp_at))
        (attendee,) = _attendees(event)
        address = str(attendee).removeprefix("mailto:")
        assert address == invitee.email.lower()
        assert attendee.params["CN"] == invitee.name
        assert attendee.params["CUTYPE"] == "INDIVIDUAL"
        assert attendee.params["ROLE"] == EXPECTED_ROLES[address]
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
        organizer = event["ORGANIZER"]
        assert str(organizer) == "mailto:meetings@convene.example.org"
        assert organizer.params["CN"] == "Sam Coordinator"
        assert event["STATUS"] == "CONFIRMED"


def test_no_other_invitee_appears_in_an_object(meeting, invitees, dtstamp_at) -> None:
    for invitee in invitees:
        text = build_request(meeting, invitee, dtstamp_at).decode().lower()
        for other in invitees:
            if other is not invitee:
                assert other.email.lower() not in text
                assert other.name.lower() not in text


def test_lines_are_crlf_and_folded_at_75_octets(meeting, invitees, dtstamp_at) -> None:
    long_meeting = replace(meeting, location="Salle de réunion numéro 4 – Hôtel de Ville, " * 4 + "Ystafell Gyfarfod")
    long_invitee = replace(invitees[1], name="Siân Llewellyn-Ó Súilleabháin " * 4)
    for ics in (
        build_request(long_meeting, long_invitee, dtstamp_at),
        build_cancel(cancelled(long_meeting), long_invitee, dtstamp_at),
    ):
        assert ics.endswith(b"\r\n")
        assert b"\n" not in ics.replace(b"\r\n", b"")
        assert b"\r" not in ics.replace(b"\r\n", b"")
        lines = ics.split(b"\r\n")[:-1]
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines)  # folding really happened
        for line in lines:
            line.decode("utf-8")  # no multi-byte character split across a fold
        assert _event(ics)["LOCATION"] == long_meeting.location


def test_every_tzid_is_defined_and_no_time_is_floating(meeting, invitees, dtstamp_at) -> None:
    for _method, ics in _all_objects(meeting, invitees, dtstamp_at):
        text = ics.decode().replace("\r\n ", "").replace("\r\n", "\n")
        used = set(re.findall(r";TZID=([^:;]+)", text))
        defined = set(re.findall(r"^TZID:(.+)$", text, re.MULTILINE))
        assert used == {"Europe/London"}
        assert used <= defined
        vevent = text[text.index("BEGIN:VEVENT") : text.index("END:VEVENT")]
        times = re.findall(r"^(?:DTSTART|DTEND|DTSTAMP)[;:].*$", vevent, re.MULTILINE)
        assert len(times) == 3
        for line in times:
            assert ";TZID=Europe/London:" in line or line.endswith("Z"), line


def test_vtimezone_is_compact_with_two_yearly_rules(meeting, invitees, dtstamp_at) -> None:
    calendar = icalendar.Calendar.from_ical(build_request(meeting, invitees[0], dtstamp_at))
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/London"
    rules = {c.name: c for c in timezone.subcomponents}
    assert set(rules) == {"DAYLIGHT", "STANDARD"}
    assert "RDATE" not in rules["DAYLIGHT"] and "RDATE" not in rules["STANDARD"]
    assert rules["DAYLIGHT"]["RRULE"]["BYMONTH"] == [3] and rules["DAYLIGHT"]["RRULE"]["BYDAY"] == ["-1SU"]
    assert rules["STANDARD"]["RRULE"]["BYMONTH"] == [10] and rules["STANDARD"]["RRULE"]["BYDAY"] == ["-1SU"]
    assert rules["DAYLIGHT"]["TZNAME"] == "BST" and rules["STANDARD"]["TZNAME"] == "GMT"
    assert len(timezone.to_ical()) < 600


@pytest.mark.parametrize(
    "start_at",
    [
        datetime(2026, 3, 27, 10, tzinfo=UTC),  # Friday before the clocks go forward (GMT)
        datetime(2026, 3, 30, 9, tzinfo=UTC),  # Monday after (BST)
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the Sunday itself, just before 01:00 GMT
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # the Sunday itself, just after (02:30 BST)
        datetime(2026, 10, 23, 9, tzinfo=UTC),  # Friday before the clocks go back (BST)
        datetime(2026, 10, 26, 10, tzinfo=UTC),  # Monday after (GMT)
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, the first of the two 01:30s
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, the second
    ],
)
def test_our_vtimezone_gives_the_right_instant_in_clock_change_weeks(meeting, invitees, dtstamp_at, start_at) -> None:
    moved = replace(meeting, start_at=start_at, end_at=start_at + timedelta(hours=1))
    ics = build_request(moved, invitees[1], dtstamp_at)
    # vobject builds its tzinfo from OUR VTIMEZONE text, not from the tz database, so this checks the rules.
    parsed = vobject.readOne(ics.decode("utf-8"))
    assert parsed.vevent.dtstart.value.tzinfo is not None
    assert parsed.vevent.dtstart.value.astimezone(UTC) == start_at
    assert parsed.vevent.dtend.value.astimezone(UTC) == start_at + timedelta(hours=1)
    assert _event(ics).decoded("DTSTART").astimezone(UTC) == start_at


def test_sequence_rises_on_reschedule_and_cancel_keeps_the_uid(meeting, invitees, dtstamp_at) -> None:
    first = _event(build_request(meeting, invitees[1], dtstamp_at))
    moved = rescheduled(
        meeting, start_at=meeting.start_at + timedelta(hours=2), end_at=meeting.end_at + timedelta(hours=2)
    )
    second = _event(build_request(moved, invitees[1], dtstamp_at + timedelta(minutes=5)))
    gone = cancelled(moved)
    third_ics = build_cancel(gone, invitees[1], dtstamp_at + timedelta(minutes=9))
    third = _event(third_ics)
    assert first["UID"] == second["UID"] == third["UID"] == UID
    assert first["SEQUENCE"] == 0 < second["SEQUENCE"] == 1 < third["SEQUENCE"] == 2
    assert third["STATUS"] == "CANCELLED"
    assert icalendar.Calendar.from_ical(third_ics)["METHOD"] == "CANCEL"
    assert first.decoded("DTSTAMP") < second.decoded("DTSTAMP") < third.decoded("DTSTAMP")
    assert third.decoded("DTSTAMP").utcoffset() == timedelta(0)
    # Same time again: nothing changed, SEQUENCE stays.
    assert rescheduled(moved, start_at=moved.start_at, end_at=moved.end_at).sequence == 1
    assert rescheduled(moved, start_at=moved.start_at, end_at=moved.end_at, location="Room 5").sequence == 2


def test_cancel_to_a_replaced_person_does_not_change_the_stored_meeting(meeting, invitees, dtstamp_at) -> None:
    notice = for_removed_attendee(meeting)
    cancel = _event(build_cancel(notice, invitees[1], dtstamp_at))
    assert cancel["SEQUENCE"] == meeting.sequence + 1
    # RFC 5546 3.2.5: when uninviting one attendee, STATUS must not be included (STATUS:CANCELLED would cancel the
    # whole event); the whole meeting's cancellation keeps it.
    assert "STATUS" not in cancel
    assert _event(build_cancel(cancelled(meeting), invitees[1], dtstamp_at))["STATUS"] == "CANCELLED"
    assert meeting.sequence == 0


def test_cancel_without_a_higher_sequence_and_request_for_cancelled_meeting_are_refused(
    meeting, invitees, dtstamp_at
) -> None:
    with pytest.raises(InvitationError, match="SEQUENCE higher"):
        build_cancel(meeting, invitees[1], dtstamp_at)
    with pytest.raises(InvitationError, match="cancelled"):
        build_request(cancelled(meeting), invitees[1], dtstamp_at)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start_at", datetime(2026, 11, 23, 14, 30), "aware UTC"),
        ("start_at", datetime(2026, 6, 23, 14, 30, tzinfo=ZoneInfo("Europe/London")), "aware UTC"),
        ("end_at", datetime(2026, 11, 23, 14, 0, tzinfo=UTC), "end after it starts"),
        ("uid", "", "UID"),
        ("uid", "abc\r\nATTENDEE:mailto:x@evil", "UID"),
        ("sequence", -1, "negative"),
        ("description_url", "javascript:alert(1)", "http"),
        ("organizer_email", "Sam <meetings@convene.example.org>", "organiser email"),
        ("location", "   ", "empty"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(meeting, invitees, dtstamp_at, field, value, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_request(replace(meeting, **{field: value}), invitees[1], dtstamp_at)


INJECTIONS = [
    "Room 4\r\nATTENDEE:mailto:x@evil",
    "Room 4\nATTENDEE:mailto:x@evil",
    "Room 4\rATTENDEE:mailto:x@evil",
    "Room 4\u2028ATTENDEE:mailto:x@evil",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_line_breaks_in_title_or_venue_are_refused(meeting, invitees, dtstamp_at, text) -> None:
    for field in ("summary", "location"):
        with pytest.raises(InvitationError, match="single line"):
            build_request(replace(meeting, **{field: text}), invitees[1], dtstamp_at)


def _assert_no_injected_property(ics: bytes) -> None:
    event = _event(ics)
    assert len(_attendees(event)) == 1
    assert "x@evil" not in str(_attendees(event)[0])
    unfolded = ics.replace(b"\r\n ", b"")
    assert not re.search(rb"\r\nATTENDEE:mailto:x@evil", unfolded)
    assert sorted(event.keys()) == sorted(
        [
            "UID",
            "SEQUENCE",
            "DTSTAMP",
            "DTSTART",
            "DTEND",
            "SUMMARY",
            "LOCATION",
            "DESCRIPTION",
            "URL",
            "STATUS",
            "TRANSP",
            "CLASS",
            "ORGANIZER",
            "ATTENDEE",
        ]
    )


@pytest.mark.parametrize("text", [*INJECTIONS, 'Jo "Smith"; ROLE=CHAIR, x:mailto:x@evil', "a;b,c\\d:e"])
def test_names_cannot_inject_parameters_or_properties(meeting, invitees, dtstamp_at, text) -> None:
    evil_invitee = replace(invitees[1], name=text)
    evil_meeting = replace(meeting, organizer_name=text)
    ics = build_request(evil_meeting, evil_invitee, dtstamp_at)
    _assert_no_injected_property(ics)
    (attendee,) = _attendees(_event(ics))
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert "\n" not in attendee.params["CN"] and "\r" not in attendee.params["CN"]
    parsed = vobject.readOne(ics.decode("utf-8"))
    assert len(parsed.vevent.contents["attendee"]) == 1


def test_punctuation_in_venue_round_trips_through_both_parsers(meeting, invitees, dtstamp_at) -> None:
    venue = r"Room 4; Floor 2, Civic Centre \ Annex: https://example.org/a?b=c,d;e"
    ics = build_request(replace(meeting, location=venue), invitees[1], dtstamp_at)
    assert _event(ics)["LOCATION"] == venue
    assert vobject.readOne(ics.decode("utf-8")).vevent.location.value == venue
    _assert_no_injected_property(ics)


@settings(max_examples=150, deadline=None)
@given(venue=st.text(min_size=1, max_size=120), name=st.text(max_size=80))
def test_any_text_either_round_trips_or_is_refused(venue: str, name: str) -> None:
    base = MeetingObject(
        uid=UID,
        sequence=0,
        summary="Multi-agency meeting – MTG-7K3Q",
        start_at=datetime(2026, 11, 23, 14, 30, tzinfo=UTC),
        end_at=datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
        location=venue,
        description_url="https://convene.example.org/meetings/MTG-7K3Q",
        organizer_email="meetings@convene.example.org",
        organizer_name="Sam Coordinator",
    )
    invitee = Invitee("jo@police.example", name, "Police", required=True)
    try:
        ics = build_request(base, invitee, datetime(2026, 11, 20, tzinfo=UTC))
    except ValueError:
        return
    _assert_no_injected_property(ics)
    assert _event(ics)["LOCATION"] == venue
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75


@pytest.mark.parametrize("word", ["Trafficking", "exploitation", "NRM", "modern slavery", "County Lines"])
def test_revealing_words_in_title_or_venue_are_refused(meeting, invitees, dtstamp_at, word) -> None:
    with pytest.raises(PrivacyError, match="reveal"):
        build_request(replace(meeting, summary=f"Multi-agency meeting – {word}"), invitees[1], dtstamp_at)
    with pytest.raises(PrivacyError, match="reveal"):
        build_request(replace(meeting, location=f"{word} unit, Room 4"), invitees[1], dtstamp_at)


def test_canaries_never_appear_and_are_refused_if_supplied(meeting, invitees, dtstamp_at) -> None:
    for _method, ics in _all_objects(meeting, invitees, dtstamp_at):
        unfolded = ics.replace(b"\r\n ", b"").decode().lower()
        for canary in CANARIES:
            assert canary.lower() not in unfolded
    build_request(meeting, invitees[1], dtstamp_at, withheld=CANARIES)  # a clean meeting passes the guard
    for field, value in (
        ("summary", f"Multi-agency meeting – {CANARIES[2]}"),
        ("location", CANARIES[4]),
        ("description_url", f"https://convene.example.org/cases/{CANARIES[2]}"),
        ("organizer_name", f"{CANARIES[0]}'s social worker"),
    ):
        with pytest.raises(PrivacyError) as caught:
            build_request(replace(meeting, **{field: value}), invitees[1], dtstamp_at, withheld=CANARIES)
        assert all(canary not in str(caught.value) for canary in CANARIES)
    with pytest.raises(PrivacyError):
        build_cancel(cancelled(meeting), replace(invitees[1], name=CANARIES[0].upper()), dtstamp_at, withheld=CANARIES)
