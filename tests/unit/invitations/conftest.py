"""Shared values for the invitation tests: a meeting, its invitees and canary identity values."""

from datetime import UTC, datetime

import pytest

from conference.invitations.calendar import Invitee, MeetingObject
from conference.invitations.privacy import neutral_summary

UID = "4d1c2f0e-8a55-4a53-9b1e-2f6f3c1d9a77"
ORGANIZER = "meetings@convene.example.org"
MEETING_URL = "https://convene.example.org/meetings/MTG-7K3Q"

#: Identity values of a demo case. None may appear in any outbound byte.
CANARIES = (
    "Zephyrine Quillfeather",
    "ZQ-CANARY-DOB-2011-02-03",
    "CASE-CANARY-88231",
    "Canaryland",
    "17 Canary Wharf Close",
)


@pytest.fixture
def meeting() -> MeetingObject:
    return MeetingObject(
        uid=UID,
        sequence=0,
        summary=neutral_summary("MTG-7K3Q", "Strategy discussion"),
        start_at=datetime(2026, 11, 23, 14, 30, tzinfo=UTC),
        end_at=datetime(2026, 11, 23, 15, 30, tzinfo=UTC),
        location="Room 4, Civic Centre; High Street",
        description_url=MEETING_URL,
        organizer_email=ORGANIZER,
        organizer_name="Sam Coordinator",
    )


@pytest.fixture
def invitees() -> list[Invitee]:
    return [
        Invitee("chair@council.example", "Morgan Chair", "Chair", required=True, is_chair=True),
        Invitee("Jo.Smith@Police.Example", "Jo Smith", "Police", required=True),
        Invitee("alex.rowe@nhs.example", "Alex Rowe", "Health", required=True),
        Invitee("teacher@school.example", "Ren Teacher", "Education", required=False),
        Invitee("pat@guardian.example", "Pat Guardian", "Independent Child Trafficking Guardian", required=False),
    ]


@pytest.fixture
def dtstamp_at() -> datetime:
    return datetime(2026, 11, 20, 9, 0, 5, tzinfo=UTC)
