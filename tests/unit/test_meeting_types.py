"""Meeting types, roles and quorum rules (rules.vocabulary)."""

import pytest

from conference.invitations.privacy import forbidden_terms_in
from rules.vocabulary import (
    AgencyKind,
    Circumstance,
    MeetingType,
    MeetingTypeNotUsed,
    Nation,
    Seat,
    agency_kinds_for_role,
    roles_for_agency,
    spec_for,
    types_for_nation,
)


def test_enum_values_are_exact() -> None:
    assert [k.value for k in AgencyKind] == [
        "children_social_care",
        "police",
        "home_office",
        "health",
        "guardian_service",
        "education",
        "voluntary_sector",
        "single_competent_authority",
        "interpreting",
        "legal",
        "youth_justice",
        "advocacy",
    ]
    assert [n.value for n in Nation] == ["england", "wales", "scotland", "northern_ireland"]
    assert len(MeetingType) == 7


@pytest.mark.parametrize(
    ("meeting_type", "nation", "required"),
    [
        (MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND, {Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH}),
        (MeetingType.STRATEGY_DISCUSSION, Nation.WALES, {Seat.SOCIAL_CARE, Seat.POLICE}),
        (MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION, Nation.SCOTLAND, {Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH}),
        (MeetingType.STRATEGY_DISCUSSION_NI, Nation.NORTHERN_IRELAND, {Seat.SOCIAL_CARE, Seat.POLICE}),
    ],
)
def test_strategy_discussion_required_roles(meeting_type: MeetingType, nation: Nation, required: set[Seat]) -> None:
    spec = spec_for(meeting_type, nation)
    # The chair is a required seat (Convene's own choice); the quorum stays the guidance's.
    assert spec.required_roles == required | {Seat.CHAIR}
    assert spec.quorum.all_of == required
    assert spec.source


def test_england_strategy_quorum_in_words() -> None:
    quorum = spec_for(MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND).quorum
    assert quorum.is_met([Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH, Seat.EDUCATION])
    assert quorum.missing([Seat.SOCIAL_CARE, Seat.POLICE]) == ["Health must attend"]


def test_wales_strategy_quorum_is_police_and_social_services() -> None:
    quorum = spec_for(MeetingType.STRATEGY_DISCUSSION, Nation.WALES).quorum
    assert quorum.is_met([Seat.SOCIAL_CARE, Seat.POLICE])
    assert not quorum.is_met([Seat.SOCIAL_CARE, Seat.HEALTH])


def test_devolved_panel_guardian_attends_without_a_vote() -> None:
    spec = spec_for(MeetingType.DEVOLVED_NRM_DECISION_PANEL, Nation.ENGLAND)
    voting = {r.role for r in spec.roles if r.voting and r.role is not Seat.CHAIR}
    assert voting == {Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE}
    guardian = next(r for r in spec.roles if r.role is Seat.GUARDIAN)
    assert guardian.required and not guardian.voting
    assert not spec.quorum.is_met([Seat.CHAIR, Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE])
    with pytest.raises(MeetingTypeNotUsed, match="not used in Northern Ireland"):
        spec_for(MeetingType.DEVOLVED_NRM_DECISION_PANEL, Nation.NORTHERN_IRELAND)


def test_conference_quorum_counts_other_agencies() -> None:
    quorum = spec_for(MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, Nation.ENGLAND).quorum
    assert quorum.missing([Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE]) == [
        "1 more agency must attend (at least 2 besides the required ones)"
    ]
    assert quorum.is_met([Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE, Seat.EDUCATION])
    assert not quorum.is_met([Seat.CHAIR, Seat.SOCIAL_CARE, Seat.INTERPRETER, Seat.LEGAL])


def test_scotland_conference_is_called_cppm() -> None:
    spec = spec_for(MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, Nation.SCOTLAND)
    assert spec.label == "Child protection planning meeting"
    assert {Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH} <= spec.quorum.all_of


def test_optional_roles_are_added_when_relevant() -> None:
    spec = spec_for(MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND)
    bare = {r.role for r in spec.roles_for()}
    assert bare == {Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH}
    full = spec.roles_for({Circumstance.GUARDIAN_ALLOCATED, Circumstance.INTERPRETER_NEEDED, Circumstance.IN_EDUCATION})
    added = {r.role: r for r in full}
    assert set(added) - bare == {Seat.GUARDIAN, Seat.INTERPRETER, Seat.EDUCATION}
    assert not added[Seat.EDUCATION].required and added[Seat.EDUCATION].written_submission_allowed
    assert not added[Seat.INTERPRETER].written_submission_allowed
    assert not added[Seat.POLICE].written_submission_allowed


def test_the_child_s_advocate_is_a_seat_where_the_child_attends() -> None:
    conference = spec_for(MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, Nation.ENGLAND)
    assert Seat.ADVOCATE not in {r.role for r in conference.roles_for()}
    seats = {r.role: r for r in conference.roles_for({Circumstance.ADVOCATE_ALLOCATED})}
    assert not seats[Seat.ADVOCATE].required
    strategy = spec_for(MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND)
    assert Seat.ADVOCATE not in {r.role for r in strategy.roles_for({Circumstance.ADVOCATE_ALLOCATED})}
    youth = {r.role for r in strategy.roles_for({Circumstance.YOUTH_JUSTICE_INVOLVED})}
    assert Seat.YOUTH_JUSTICE in youth


def test_types_per_nation_and_explanations() -> None:
    assert MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION not in types_for_nation(Nation.ENGLAND)
    assert MeetingType.STRATEGY_DISCUSSION not in types_for_nation(Nation.SCOTLAND)
    assert types_for_nation(Nation.NORTHERN_IRELAND)[0] is MeetingType.STRATEGY_DISCUSSION_NI
    with pytest.raises(MeetingTypeNotUsed, match="Inter-agency Referral Discussion .Scotland. is not used in England"):
        spec_for(MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION, Nation.ENGLAND)


def test_agency_kinds_map_to_roles_both_ways() -> None:
    for kind in AgencyKind:
        for role in roles_for_agency(kind):
            assert kind in agency_kinds_for_role(role)
    assert roles_for_agency(AgencyKind.INTERPRETING) == (Seat.INTERPRETER,)
    assert agency_kinds_for_role(Seat.GUARDIAN) == (AgencyKind.GUARDIAN_SERVICE,)
    covered = {role for kind in AgencyKind for role in roles_for_agency(kind)}
    assert covered == set(Seat)


@pytest.mark.parametrize("meeting_type", list(MeetingType))
def test_invitation_labels_are_neutral(meeting_type: MeetingType) -> None:
    assert forbidden_terms_in(meeting_type.invitation_label) == []


# --- issue 11: the devolved pilot's scope and chair --------------------------------------------------------


def test_pilot_excludes_age_disputed_children_and_those_within_100_days_of_18__home_office_pilot_annex() -> None:
    """In scope: aged 17 or under and more than 100 days from the 18th birthday; age-disputed children leave the
    pilot (Home Office NRM statistics annex on the devolved pilot, 2023; pilot guidance, June 2023)."""
    from datetime import date

    from rules.vocabulary import pilot_scope_problems

    on = date(2026, 6, 1)
    ok, warnings = pilot_scope_problems(age_disputed=False, born_on=date(2009, 1, 1), estimated_age=None, on=on)
    assert ok == [] and warnings == []
    disputed, _ = pilot_scope_problems(age_disputed=True, born_on=None, estimated_age=16, on=on)
    assert disputed and "age is disputed" in disputed[0] and "Single Competent Authority" in disputed[0]
    # 18th birthday on 9 September 2026 is exactly 100 days after 1 June 2026: out of scope.
    near, _ = pilot_scope_problems(age_disputed=False, born_on=date(2008, 9, 9), estimated_age=None, on=on)
    assert near and "turns 18 on Wednesday 9 September 2026, 100 days from now" in near[0]
    far, _ = pilot_scope_problems(age_disputed=False, born_on=date(2008, 9, 10), estimated_age=None, on=on)
    assert far == []
    _, check = pilot_scope_problems(age_disputed=False, born_on=None, estimated_age=17, on=on)
    assert check and "Enter the child's date of birth" in check[0]


def test_scotland_panel_guardian_is_not_required__no_ictg_service_in_scotland() -> None:
    spec = spec_for(MeetingType.DEVOLVED_NRM_DECISION_PANEL, Nation.SCOTLAND)
    guardian = next(r for r in spec.roles if r.role is Seat.GUARDIAN)
    assert not guardian.required and not guardian.voting
    assert guardian.when is Circumstance.GUARDIAN_ALLOCATED
    assert spec.quorum.is_met([Seat.CHAIR, Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE])
