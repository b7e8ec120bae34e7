"""Outcome options per meeting type and validation with GOV.UK wording."""

from collections.abc import Mapping
from datetime import date

import pytest

from rules.outcomes import FieldError, outcome_options, validate_outcome

TODAY = date(2026, 11, 23)
COMMON = {"rationale": "Because of what was shared.", "suspected_of_offences": "no"}


def _errors(meeting_type: str, nation: str, data: Mapping[str, object]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in validate_outcome(meeting_type, nation, data, today=TODAY)]


def test_empty_strategy_discussion_outcome_lists_every_problem_in_page_order() -> None:
    assert _errors("strategy_discussion", "england", {}) == [
        ("start_enquiries", "Select whether to start section 47 enquiries"),
        ("outcome", "Select the outcome"),
        ("rationale", "Enter the rationale"),
        ("suspected_of_offences", "Select whether the child is suspected of any offences"),
    ]


def test_scotland_ird_asks_about_a_child_protection_investigation() -> None:
    assert _errors("inter_agency_referral_discussion", "scotland", {})[0] == (
        "start_enquiries",
        "Select whether to start a child protection investigation",
    )


def test_trafficking_concern_needs_nrm_referral_and_first_responder() -> None:
    data = {**COMMON, "start_enquiries": "yes", "outcome": "trafficking_concern"}
    assert _errors("strategy_discussion", "england", data) == [
        ("nrm_referral", "Confirm that an NRM referral will be made: every child is referred"),
        ("first_responder_organisation", "Enter the first responder's organisation"),
        ("first_responder_name", "Enter the name of the first responder"),
    ]
    complete = {
        **data,
        "nrm_referral": "yes",
        "first_responder_organisation": "Anytown Council",
        "first_responder_name": "Sam Social Worker",
    }
    assert _errors("strategy_discussion", "england", complete) == []


@pytest.mark.parametrize(
    ("reconvene_on", "message"),
    [
        (None, "Enter a date to reconvene"),
        ("", "Enter a date to reconvene"),
        ("2026-02-30", "Reconvene date must be a real date"),
        (TODAY, "Reconvene date must be in the future"),
        ("2026-11-01", "Reconvene date must be in the future"),
    ],
)
def test_more_information_needs_a_future_reconvene_date(reconvene_on: object, message: str) -> None:
    data = {**COMMON, "start_enquiries": "no", "outcome": "more_information_needed", "reconvene_on": reconvene_on}
    assert _errors("strategy_discussion", "wales", data) == [("reconvene_on", message)]


def test_future_reconvene_date_is_accepted() -> None:
    data = {**COMMON, "start_enquiries": "no", "outcome": "more_information_needed", "reconvene_on": "2026-11-24"}
    assert _errors("strategy_discussion_ni", "northern_ireland", data) == []


def test_rationale_length_limit() -> None:
    data = {**COMMON, "outcome": "child_protection_plan", "category": "neglect", "rationale": "x" * 15_001}
    assert _errors("initial_child_protection_conference", "england", data) == [
        ("rationale", "Rationale must be 15,000 characters or fewer")
    ]


def test_conclusive_grounds_has_three_outcomes_in_england_and_wales_and_two_in_scotland() -> None:
    assert len(outcome_options("devolved_nrm_decision_panel", "england", "conclusive_grounds")) == 3
    assert len(outcome_options("devolved_nrm_decision_panel", "wales", "conclusive_grounds")) == 3
    assert len(outcome_options("devolved_nrm_decision_panel", "scotland", "conclusive_grounds")) == 2
    assert [o.key for o in outcome_options("devolved_nrm_decision_panel", "england", "reasonable_grounds")] == [
        "rg_positive",
        "rg_negative",
    ]


def test_devolved_panel_votes() -> None:
    base = {**COMMON, "stage": "reasonable_grounds", "outcome": "rg_positive"}
    assert _errors("devolved_nrm_decision_panel", "england", base) == [("votes", "Enter how each voting member voted")]
    majority = {"social_care": "rg_positive", "health": "rg_positive", "police": "rg_negative"}
    assert _errors("devolved_nrm_decision_panel", "england", {**base, "votes": majority}) == []
    minority = {"social_care": "rg_positive", "health": "abstain", "police": "rg_negative"}
    assert _errors("devolved_nrm_decision_panel", "england", {**base, "votes": minority}) == [
        ("outcome", "The decision needs the votes of a majority of the voting members: 1 of 3 voted for it")
    ]
    guardian = {**majority, "guardian": "rg_positive"}
    assert _errors("devolved_nrm_decision_panel", "england", {**base, "votes": guardian}) == [
        ("votes", "The guardian attends without a vote")
    ]
    assert _errors("devolved_nrm_decision_panel", "england", {**base, "votes": {"social_care": "rg_positive"}}) == [
        ("votes-health", "Select how health voted"),
        ("votes-police", "Select how police voted"),
    ]


def test_scotland_panel_cannot_record_the_slavery_outcome() -> None:
    data = {
        **COMMON,
        "stage": "conclusive_grounds",
        "outcome": "cg_positive_slavery",
        "votes": {"social_care": "cg_positive_slavery", "health": "cg_positive_slavery", "police": "cg_negative"},
    }
    errors = _errors("devolved_nrm_decision_panel", "scotland", data)
    assert ("outcome", "Select the outcome") in errors
    assert _errors("devolved_nrm_decision_panel", "england", data) == []


def test_panel_needs_a_stage() -> None:
    assert _errors("devolved_nrm_decision_panel", "wales", COMMON) == [
        ("stage", "Select whether this is a reasonable grounds or conclusive grounds decision")
    ]


def test_dissent_and_non_punishment() -> None:
    data = {
        "outcome": "end_plan",
        "rationale": "Safe now.",
        "suspected_of_offences": "yes",
        "dissent": [{"agency": "police", "reason": ""}, {"agency": "police", "reason": "Again"}, {"agency": "mi5"}],
    }
    assert _errors("review", "england", data) == [
        ("dissent-0-reason", "Enter the reason for the dissent from police"),
        ("dissent-1-agency", "Dissent from police is already recorded"),
        ("dissent-2-agency", "Select the agency that disagrees"),
        ("non_punishment_flag", "Select whether the non-punishment principle may apply"),
    ]
    ok = {**data, "dissent": [{"agency": "health", "reason": "Not yet safe"}], "non_punishment_flag": "yes"}
    assert validate_outcome("review", "england", ok, today=TODAY) == []
    assert FieldError("a", "b").message == "b"


# --- issue 11: outcome options checked against the guidance ---------------------------------------------


@pytest.mark.parametrize("nation", ["england", "wales", "northern_ireland"])
def test_icpc_plan_needs_a_category_of_abuse__working_together_2023_wales_procedures_cooperating_2017(
    nation: str,
) -> None:
    """An initial conference that decides on a plan records the category: neglect, physical, sexual or
    emotional abuse (Working Together 2023; Wales Safeguarding Procedures; Co-operating to Safeguard 2017)."""
    from rules.outcomes import abuse_categories

    assert [o.key for o in abuse_categories("initial_child_protection_conference", nation)] == [
        "neglect",
        "physical_abuse",
        "sexual_abuse",
        "emotional_abuse",
    ]
    plan = {**COMMON, "outcome": "child_protection_plan"}
    assert _errors("initial_child_protection_conference", nation, plan) == [
        ("category", "Select the category of abuse")
    ]
    assert _errors("initial_child_protection_conference", nation, {**plan, "category": "sexual_abuse"}) == []
    assert _errors("initial_child_protection_conference", nation, {**plan, "category": "bad_luck"}) == [
        ("category", "Select the category of abuse")
    ]
    no_plan = {**COMMON, "outcome": "no_child_protection_plan"}
    assert _errors("initial_child_protection_conference", nation, no_plan) == []


@pytest.mark.parametrize("meeting_type", ["inter_agency_referral_discussion", "initial_child_protection_conference"])
def test_scotland_asks_about_referral_to_the_childrens_reporter__national_guidance_scotland_2021(
    meeting_type: str,
) -> None:
    """National Guidance for Child Protection in Scotland 2021, para 3.133: a CPPM must consider referral to the
    Principal Reporter; the IRD's decisions include it. Scotland uses no category of abuse."""
    from rules.outcomes import abuse_categories

    outcome = "no_further_action" if meeting_type.startswith("inter") else "child_protection_plan"
    data = {**COMMON, "start_enquiries": "no", "outcome": outcome}
    assert ("reporter_referral", "Select whether the child will be referred to the Children's Reporter") in _errors(
        meeting_type, "scotland", data
    )
    assert _errors(meeting_type, "scotland", {**data, "reporter_referral": "yes"}) == []
    assert abuse_categories(meeting_type, "scotland") == ()


def test_strategy_discussion_can_end_with_no_further_action__national_guidance_scotland_2021_ird() -> None:
    """The IRD closes with CPPM, no CPPM or no further action (National Guidance Scotland 2021, pages 99-100);
    an English strategy discussion can equally decide nothing more is needed (Working Together 2023)."""
    assert "no_further_action" in [o.key for o in outcome_options("strategy_discussion", "england")]
    data = {**COMMON, "start_enquiries": "no", "outcome": "no_further_action"}
    assert _errors("strategy_discussion", "england", data) == []


@pytest.mark.parametrize(
    ("nation", "provision"),
    [
        ("england", "section 45 defence, Modern Slavery Act 2015"),
        ("wales", "section 45 defence, Modern Slavery Act 2015"),
        ("northern_ireland", "section 22 defence, Human Trafficking and Exploitation (Criminal Justice and Support"),
        ("scotland", "Lord Advocate's instructions for the non-prosecution of victims of human trafficking"),
    ],
)
def test_non_punishment_names_each_nations_provision__msa_s45_hte_ni_s22_lord_advocate(
    nation: str, provision: str
) -> None:
    from rules.outcomes import non_punishment_label

    assert provision in non_punishment_label(nation)
