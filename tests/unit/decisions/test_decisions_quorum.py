"""Quorum for each meeting type and nation."""

from collections.abc import Iterable

import pytest

from rules.quorum import (
    COUNTS_TOWARDS_QUORUM,
    QUORUM_RULES,
    ROLE_LABELS,
    AttendanceStatus,
    MeetingType,
    Nation,
    RegisterEntry,
    Seat,
    UnsupportedMeeting,
    check_quorum,
    meeting_types_for,
)

IN_ROOM = AttendanceStatus.PRESENT_IN_ROOM

SC, P, H, CHAIR, GUARDIAN = Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH, Seat.CHAIR, Seat.GUARDIAN
UK = tuple(Nation)
PILOT = (Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND)

# (roles that must all attend, how many others must attend besides them). Written out, not derived.
EXPECTED: dict[tuple[MeetingType, Nation], tuple[set[Seat], int]] = {
    (MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND): ({SC, P, H}, 0),
    (MeetingType.STRATEGY_DISCUSSION, Nation.WALES): ({SC, P}, 0),
    (MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION, Nation.SCOTLAND): ({SC, P, H}, 0),
    (MeetingType.STRATEGY_DISCUSSION_NI, Nation.NORTHERN_IRELAND): ({SC, P}, 0),
    **{(MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, n): ({CHAIR, SC}, 2) for n in UK if n != Nation.SCOTLAND},
    (MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, Nation.SCOTLAND): ({CHAIR, SC, P, H}, 0),
    **{(MeetingType.REVIEW, n): ({CHAIR, SC}, 2) for n in UK if n != Nation.SCOTLAND},
    (MeetingType.REVIEW, Nation.SCOTLAND): ({CHAIR, SC, P, H}, 0),
    **{(MeetingType.PRE_REFERRAL_NRM_MEETING, n): ({SC, P}, 0) for n in UK},
    **{(MeetingType.DEVOLVED_NRM_DECISION_PANEL, n): ({CHAIR, SC, P, H, GUARDIAN}, 0) for n in PILOT[:2]},
    (MeetingType.DEVOLVED_NRM_DECISION_PANEL, Nation.SCOTLAND): ({CHAIR, SC, P, H}, 0),
}
EXPECTED_REQUIRED = {key: roles for key, (roles, _) in EXPECTED.items()}


def _register(roles: Iterable[Seat], status: AttendanceStatus = IN_ROOM) -> list[RegisterEntry]:
    return [RegisterEntry(role, status, person=f"Person {i}") for i, role in enumerate(roles)]


def test_every_supported_combination_is_tested() -> None:
    assert set(QUORUM_RULES) == set(EXPECTED_REQUIRED)


@pytest.mark.parametrize(("meeting_type", "nation"), sorted(EXPECTED_REQUIRED))
def test_quorum_met_with_exactly_the_required_roles_and_not_without_each(
    meeting_type: MeetingType, nation: Nation
) -> None:
    required, others = EXPECTED[(meeting_type, nation)]
    extra = [r for r in (Seat.POLICE, Seat.HEALTH, Seat.EDUCATION) if r not in required][:others]
    assert check_quorum(meeting_type, nation, _register([*required, *extra])).met
    if others:
        short = check_quorum(meeting_type, nation, _register([*required, *extra[:-1]]))
        assert not short.met
        assert short.others_short == 1
        assert "1 more agency must attend" in short.message
    for role in required:
        result = check_quorum(meeting_type.value, nation.value, _register([*(required - {role}), *extra]))
        assert not result.met
        assert result.missing_roles == (role,)


def test_remote_and_deputy_count_but_written_submission_and_apologies_do_not() -> None:
    assert COUNTS_TOWARDS_QUORUM == {
        AttendanceStatus.PRESENT_IN_ROOM,
        AttendanceStatus.PRESENT_REMOTELY,
        AttendanceStatus.DEPUTY_PRESENT,
    }
    register = [
        RegisterEntry(Seat.SOCIAL_CARE, AttendanceStatus.PRESENT_REMOTELY, "A"),
        RegisterEntry(Seat.POLICE, AttendanceStatus.DEPUTY_PRESENT, "B", deputy="DS C"),
        RegisterEntry(Seat.HEALTH, AttendanceStatus.WRITTEN_SUBMISSION, "D"),
    ]
    result = check_quorum("strategy_discussion", "england", register)
    assert not result.met
    assert result.missing_roles == (Seat.HEALTH,)
    assert result.written_submissions == (Seat.HEALTH,)
    assert result.message == (
        "Quorum is not met: health is not present. A written submission from health did not count towards quorum."
    )
    apologies = [*register[:2], RegisterEntry(Seat.HEALTH, AttendanceStatus.APOLOGIES, "D")]
    assert check_quorum("strategy_discussion", "england", apologies).missing_roles == (Seat.HEALTH,)


def test_deputy_without_a_name_is_a_problem() -> None:
    register = [RegisterEntry(Seat.POLICE, AttendanceStatus.DEPUTY_PRESENT, "B")]
    assert check_quorum("strategy_discussion", "wales", register).problems == (
        "Enter the name of the deputy for police",
    )


def test_devolved_panel_reports_voting_and_non_voting_members() -> None:
    roles = [Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE, Seat.GUARDIAN, Seat.EDUCATION]
    result = check_quorum("devolved_nrm_decision_panel", "wales", _register([Seat.CHAIR, *roles]))
    assert result.met
    assert result.voting_members == (Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE)
    assert result.non_voting_members == (Seat.GUARDIAN,)
    assert "The guardian attends without a vote." in result.message
    without_guardian = check_quorum("devolved_nrm_decision_panel", "england", _register([Seat.CHAIR, *roles[:3]]))
    assert without_guardian.missing_roles == (Seat.GUARDIAN,)


@pytest.mark.parametrize(
    ("meeting_type", "nation", "message"),
    [
        ("inter_agency_referral_discussion", "england", "not held in England"),
        ("devolved_nrm_decision_panel", "northern_ireland", "not held in Northern Ireland"),
        ("strategy_discussion", "scotland", r"Choose one of: Inter-agency Referral Discussion \(Scotland\)"),
        ("ird", "scotland", "Unknown meeting type 'ird'"),
        ("case_conference", "england", "Unknown meeting type 'case_conference'"),
        ("strategy_discussion", "eire", "Unknown nation 'eire'"),
    ],
)
def test_unsupported_combinations_are_refused_with_a_message(meeting_type: str, nation: str, message: str) -> None:
    with pytest.raises(UnsupportedMeeting, match=message):
        check_quorum(meeting_type, nation, [])


def test_meeting_types_for_each_nation() -> None:
    assert MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION in meeting_types_for("scotland")
    assert MeetingType.STRATEGY_DISCUSSION not in meeting_types_for("scotland")
    assert MeetingType.DEVOLVED_NRM_DECISION_PANEL not in meeting_types_for(Nation.NORTHERN_IRELAND)


def test_decisions_uses_the_canonical_vocabulary() -> None:
    import rules.vocabulary as canonical

    assert MeetingType is canonical.MeetingType
    assert Seat is canonical.Seat
    assert Nation is canonical.Nation
    assert set(ROLE_LABELS) == set(Seat)


def test_conference_quorum_outside_scotland_needs_two_other_agencies() -> None:
    register = _register([Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE])
    result = check_quorum("initial_child_protection_conference", "england", register)
    assert not result.met
    assert result.missing_roles == ()
    assert result.message == (
        "Quorum is not met: 1 more agency must attend (at least 2 besides chair and children's social care)."
    )
    register.append(RegisterEntry(Seat.GUARDIAN, AttendanceStatus.PRESENT_REMOTELY, "G"))
    assert check_quorum("initial_child_protection_conference", "england", register).met


def test_ni_strategy_discussion_is_social_work_and_psni_health_where_relevant__sbni_joint_protocol_2013() -> None:
    """SBNI core procedures and the 2013 joint investigation protocol: social work (HSC Trust) and PSNI;
    health is invited where relevant and is not needed for quorum."""
    result = check_quorum("strategy_discussion_ni", "northern_ireland", _register([SC, P]))
    assert result.met
    assert QUORUM_RULES[(MeetingType.STRATEGY_DISCUSSION_NI, Nation.NORTHERN_IRELAND)].required == (SC, P)


def test_scotland_panel_needs_no_ictg__scottish_guardianship_service() -> None:
    """Scotland has no ICTG service (its guardians come from the Scottish Guardianship Service): the panel is
    quorate without a guardian, and a guardian who attends has no vote."""
    without = check_quorum("devolved_nrm_decision_panel", "scotland", _register([CHAIR, SC, H, P]))
    assert without.met
    with_guardian = check_quorum("devolved_nrm_decision_panel", "scotland", _register([CHAIR, SC, H, P, GUARDIAN]))
    assert with_guardian.non_voting_members == (GUARDIAN,)
    assert "The guardian attends without a vote." in with_guardian.message
