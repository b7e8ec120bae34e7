"""Neutral wording, references and identity guards (conference.invitations.privacy)."""

import re
import uuid
from datetime import UTC, datetime

import pytest

from conference.invitations.privacy import (
    REFERENCE_ALPHABET,
    PrivacyError,
    check_outbound_text,
    describe_time,
    find_withheld,
    forbidden_terms_in,
    is_meeting_reference,
    neutral_description,
    neutral_summary,
    new_meeting_reference,
    new_uid,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Child trafficking strategy meeting", ["trafficking"]),
        ("Sexual EXPLOITATION review", ["exploitation"]),
        ("NRM referral", ["NRM"]),
        ("Modern Slavery panel", ["modern slavery", "slavery"]),
        ("modern-slavery", ["modern slavery", "slavery"]),
        ("County lines / CSE / CCE", ["county lines", "CSE", "CCE"]),
        ("Trafficked child", ["trafficking"]),
        ("Multi-agency meeting – MTG-7K3Q (Strategy discussion)", []),
        ("Room 4, Slaven House, Anchorage Road", []),  # not "slave", not "NRM" inside a word
        ("Enrolment office, Snrm Street", []),
    ],
)
def test_forbidden_terms(text: str, expected: list[str]) -> None:
    assert forbidden_terms_in(text) == expected


def test_meeting_references_are_random_and_unambiguous() -> None:
    references = {new_meeting_reference() for _ in range(2000)}
    assert len(references) > 1990
    for reference in references:
        assert re.fullmatch(rf"MTG-[{REFERENCE_ALPHABET}]{{4}}", reference)
        assert is_meeting_reference(reference)
    used = set("".join(r[4:] for r in references))
    assert not used & set("01ILOUV")
    assert len(new_meeting_reference(6)) == 10
    with pytest.raises(ValueError, match="4 to 12"):
        new_meeting_reference(3)


def test_uids_are_random_uuids() -> None:
    uids = {new_uid() for _ in range(500)}
    assert len(uids) == 500
    assert all(uuid.UUID(u).version == 4 for u in uids)


def test_neutral_summary() -> None:
    assert neutral_summary("MTG-7K3Q", None) == "Multi-agency meeting – MTG-7K3Q"
    assert (
        neutral_summary("MTG-7K3Q", " Strategy\ndiscussion ") == "Multi-agency meeting – MTG-7K3Q (Strategy discussion)"
    )
    with pytest.raises(ValueError, match="never the case reference"):
        neutral_summary("CASE-2026-00123", None)
    with pytest.raises(PrivacyError, match="NRM"):
        neutral_summary("MTG-7K3Q", "Pre-referral NRM meeting")


def test_withheld_values_match_whole_words_only() -> None:
    withheld = ["AB", "Zephyrine  Quillfeather", "  "]
    assert find_withheld("Abbey Road, Room AB1", withheld) == []
    assert find_withheld("about ab today", withheld) == ["AB"]
    assert find_withheld("zephyrine\nquillfeather", withheld) == ["Zephyrine  Quillfeather"]
    with pytest.raises(PrivacyError) as caught:
        check_outbound_text("venue", "Home of Zephyrine Quillfeather", withheld)
    assert "Zephyrine" not in str(caught.value)


@pytest.mark.parametrize(
    ("start_at", "end_at", "expected"),
    [
        (
            datetime(2026, 11, 23, 14, 30, tzinfo=UTC),
            datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
            "Monday 23 November 2026, 2:30pm to 3:30pm",
        ),
        (
            datetime(2026, 6, 29, 11, tzinfo=UTC),
            datetime(2026, 6, 29, 12, 5, tzinfo=UTC),
            "Monday 29 June 2026, midday to 1:05pm",
        ),
        (
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            "Sunday 29 March 2026, 12:30am to 2:30am",
        ),
        (
            datetime(2026, 12, 31, 23, tzinfo=UTC),
            datetime(2027, 1, 1, 0, tzinfo=UTC),
            "Thursday 31 December 2026, 11pm to Friday 1 January 2027, midnight",
        ),
    ],
)
def test_describe_time_in_uk_time(start_at: datetime, end_at: datetime, expected: str) -> None:
    assert describe_time(start_at, end_at) == expected


def test_neutral_description_has_only_time_place_and_link() -> None:
    text = neutral_description(
        datetime(2026, 11, 23, 14, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
        "https://video.example.org/j/1",
        "https://convene.example.org/meetings/MTG-7K3Q",
    )
    assert text.splitlines() == [
        "When: Monday 23 November 2026, 2:30pm to 3:30pm (UK time)",
        "Video link: https://video.example.org/j/1",
        "Meeting page (you need to sign in to Convene): https://convene.example.org/meetings/MTG-7K3Q",
    ]
    with pytest.raises(ValueError, match="aware"):
        describe_time(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))


def test_a_childs_name_inside_a_professionals_email_domain_does_not_block_the_invitation():
    from conference.invitations.privacy import find_withheld, mask_addresses

    text = "ATTENDEE;CN=Sam Officer:mailto:sam.officer@example.org\r\nSUMMARY:Multi-agency meeting"
    assert find_withheld(mask_addresses(text), ["Example"]) == []
    assert find_withheld(mask_addresses("SUMMARY:Meeting about Example"), ["Example"]) == ["Example"]
