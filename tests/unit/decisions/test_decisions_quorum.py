"""Quorum for each meeting type and nation."""

from collections.abc import Iterable

import pytest

from decisions.quorum import (
    COUNTS_TOWARDS_QUORUM,
    QUORUM_RULES,
    AttendanceStatus,
    MeetingType,
    Nation,
    RegisterEntry,
    Role,
    UnsupportedMeeting,
    check_quorum,
    meeting_types_for,
)

IN_ROOM = AttendanceStatus.PRESENT_IN_ROOM

EXPECTED_REQUIRED = {
    (MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND): {Role.SOCIAL_CARE, Role.POLICE, Role.HEALTH},
    (MeetingType.STRATEGY_DISCUSSION, Nation.WALES): {Role.SOCIAL_CARE, Role.POLICE},
    (MeetingType.IRD, Nation.SCOTLAND): {Role.SOCIAL_CARE, Role.POLICE, Role.HEALTH},
    (MeetingType.STRATEGY_DISCUSSION_NI, Nation.NORTHERN_IRELAND): {Role.SOCIAL_CARE, Role.POLICE},
    **{(MeetingType.ICPC, n): {Role.SOCIAL_CARE, Role.POLICE, Role.HEALTH} for n in Nation},
    **{(MeetingType.REVIEW, n): {Role.SOCIAL_CARE, Role.POLICE, Role.HEALTH} for n in Nation},
    **{(MeetingType.PRE_REFERRAL_NRM, n): {Role.SOCIAL_CARE, Role.POLICE} for n in Nation},
    **{
        (MeetingType.DEVOLVED_PANEL, n): {Role.SOCIAL_CARE, Role.POLICE, Role.HEALTH, Role.GUARDIAN}
        for n in (Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND)
    },
}


def _register(roles: Iterable[Role], status: AttendanceStatus = IN_ROOM) -> list[RegisterEntry]:
    return [RegisterEntry(role, status, person=f"Person {i}") for i, role in enumerate(roles)]


def test_every_supported_combination_is_tested() -> None:
    assert set(QUORUM_RULES) == set(EXPECTED_REQUIRED)


@pytest.mark.parametrize(("meeting_type", "nation"), sorted(EXPECTED_REQUIRED))
def test_quorum_met_with_exactly_the_required_roles_and_not_without_each(
    meeting_type: MeetingType, nation: Nation
) -> None:
    required = EXPECTED_REQUIRED[(meeting_type, nation)]
    assert check_quorum(meeting_type, nation, _register(required)).met
    for role in required:
        result = check_quorum(meeting_type.value, nation.value, _register(required - {role}))
        assert not result.met
        assert result.missing_roles == (role,)


def test_remote_and_deputy_count_but_written_submission_and_apologies_do_not() -> None:
    assert COUNTS_TOWARDS_QUORUM == {
        AttendanceStatus.PRESENT_IN_ROOM,
        AttendanceStatus.PRESENT_REMOTELY,
        AttendanceStatus.DEPUTY_PRESENT,
    }
    register = [
        RegisterEntry(Role.SOCIAL_CARE, AttendanceStatus.PRESENT_REMOTELY, "A"),
        RegisterEntry(Role.POLICE, AttendanceStatus.DEPUTY_PRESENT, "B", deputy="DS C"),
        RegisterEntry(Role.HEALTH, AttendanceStatus.WRITTEN_SUBMISSION, "D"),
    ]
    result = check_quorum("strategy_discussion", "england", register)
    assert not result.met
    assert result.missing_roles == (Role.HEALTH,)
    assert result.written_submissions == (Role.HEALTH,)
    assert result.message == (
        "Quorum is not met: health is not present. A written submission from health did not count towards quorum."
    )
    apologies = [*register[:2], RegisterEntry(Role.HEALTH, AttendanceStatus.APOLOGIES, "D")]
    assert check_quorum("strategy_discussion", "england", apologies).missing_roles == (Role.HEALTH,)


def test_deputy_without_a_name_is_a_problem() -> None:
    register = [RegisterEntry(Role.POLICE, AttendanceStatus.DEPUTY_PRESENT, "B")]
    assert check_quorum("strategy_discussion", "wales", register).problems == (
        "Enter the name of the deputy for police",
    )


def test_devolved_panel_reports_voting_and_non_voting_members() -> None:
    roles = [Role.SOCIAL_CARE, Role.HEALTH, Role.POLICE, Role.GUARDIAN, Role.EDUCATION]
    result = check_quorum("devolved_panel", "scotland", _register(roles))
    assert result.met
    assert result.voting_members == (Role.SOCIAL_CARE, Role.HEALTH, Role.POLICE)
    assert result.non_voting_members == (Role.GUARDIAN,)
    assert "The guardian attends without a vote." in result.message
    without_guardian = check_quorum("devolved_panel", "england", _register(roles[:3]))
    assert without_guardian.missing_roles == (Role.GUARDIAN,)


@pytest.mark.parametrize(
    ("meeting_type", "nation", "message"),
    [
        ("ird", "england", "not held in England"),
        ("devolved_panel", "northern_ireland", "not held in Northern Ireland"),
        ("strategy_discussion", "scotland", "Choose one of: inter-agency referral discussion"),
        ("case_conference", "england", "Unknown meeting type 'case_conference'"),
        ("strategy_discussion", "eire", "Unknown nation 'eire'"),
    ],
)
def test_unsupported_combinations_are_refused_with_a_message(meeting_type: str, nation: str, message: str) -> None:
    with pytest.raises(UnsupportedMeeting, match=message):
        check_quorum(meeting_type, nation, [])


def test_meeting_types_for_each_nation() -> None:
    assert MeetingType.IRD in meeting_types_for("scotland")
    assert MeetingType.STRATEGY_DISCUSSION not in meeting_types_for("scotland")
    assert MeetingType.DEVOLVED_PANEL not in meeting_types_for(Nation.NORTHERN_IRELAND)
