"""Trafficking elements: the child rule, the adult rule, and the wording that never decides."""

import dataclasses

import pytest

from rules.elements import (
    EXPLOITATION_GROUPS,
    EXPLOITATION_TYPE_KEYS,
    WHERE_OPTIONS,
    Element,
    ElementsRecord,
    ElementStatus,
    summarise_elements,
    validate_elements,
)
from rules.indicators import IndicatorTick
from rules.quorum import Seat

CRIME = "types-of-exploitation-forced-to-commit-crime"


def _record(**changes: object) -> ElementsRecord:
    base = ElementsRecord(acts=frozenset({"recruitment"}), exploitation_types=frozenset({CRIME}))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_child_with_act_and_purpose_but_no_means_meets_the_definition_as_recorded() -> None:
    summary = summarise_elements(_record(), is_child=True)

    assert summary.recorded_meets_definition is True
    assert summary.finding(Element.MEANS).status == ElementStatus.NOT_REQUIRED_FOR_CHILD
    assert summary.finding(Element.ACT).status == ElementStatus.EVIDENCED
    assert summary.sentence == (
        "Act and purpose are recorded. For a child the means need not be shown, so what is recorded "
        "meets the definition of trafficking; the decision remains the meeting's."
    )


def test_adult_with_act_and_purpose_needs_means() -> None:
    summary = summarise_elements(_record(), is_child=False)

    assert summary.recorded_meets_definition is False
    assert summary.finding(Element.MEANS).status == ElementStatus.NOT_EVIDENCED
    assert "means are not" in summary.sentence
    assert "does not yet meet" in summary.sentence


def test_adult_with_all_three_meets_the_definition_as_recorded() -> None:
    summary = summarise_elements(_record(means=frozenset({"deception"})), is_child=False)
    assert summary.recorded_meets_definition is True


def test_child_means_recorded_is_evidenced_but_not_required() -> None:
    finding = summarise_elements(_record(means=frozenset({"deception"})), is_child=True).finding(Element.MEANS)
    assert finding.status == ElementStatus.EVIDENCED
    assert finding.required is False
    assert finding.status_label == "Evidenced (not required for a child)"


@pytest.mark.parametrize(
    ("record", "missing_word"),
    [(_record(acts=frozenset()), "act"), (_record(exploitation_types=frozenset()), "purpose")],
)
def test_child_without_act_or_purpose_does_not_meet_it(record: ElementsRecord, missing_word: str) -> None:
    summary = summarise_elements(record, is_child=True)
    assert summary.recorded_meets_definition is False
    assert f"{missing_word} is not" in summary.sentence


def test_movement_within_uk_counts_as_an_act() -> None:
    summary = summarise_elements(_record(acts=frozenset(), movement_within_uk=True), is_child=True)
    assert summary.finding(Element.ACT).recorded == ("Movement within the UK",)
    assert summary.recorded_meets_definition is True


def test_indicators_are_listed_behind_the_elements_they_support_but_do_not_evidence_them() -> None:
    record = _record(
        acts=frozenset(),
        indicators=(IndicatorTick("moved_within_uk_by_others", Seat.POLICE, "Found in Kent"),),
    )
    summary = summarise_elements(record, is_child=True)
    act = summary.finding(Element.ACT)
    assert act.status == ElementStatus.NOT_EVIDENCED
    assert act.indicators == (
        "Has been moved within the UK by others, including to another town for short periods (police)",
    )
    assert summary.notes == ("Indicators are recorded for the act, but the act itself is not recorded.",)


def test_summary_never_decides() -> None:
    names = {f.name for f in dataclasses.fields(summarise_elements(_record(), is_child=True))}
    assert not any("victim" in name for name in names)
    for record in (_record(), ElementsRecord()):
        for is_child in (True, False):
            sentence = summarise_elements(record, is_child).sentence
            assert "what is recorded" in sentence and "the decision remains the meeting's" in sentence


def test_purpose_groups_follow_the_home_office_form() -> None:
    assert [g.heading for g in EXPLOITATION_GROUPS] == [
        "Labour and financial exploitation",
        "Sexual exploitation",
        "Criminal exploitation",
        "Domestic servitude",
        "Other",
    ]
    assert len(EXPLOITATION_TYPE_KEYS) == 10
    assert "types-of-exploitation-organs-removed" in [t.key for t in EXPLOITATION_GROUPS[2].types]
    assert [o.key for o in WHERE_OPTIONS] == ["uk", "overseas", "uk-and-overseas"]


def test_validate_elements_reports_unknown_keys_and_missing_other_details() -> None:
    record = ElementsRecord(
        acts=frozenset({"kidnap"}),
        exploitation_types=frozenset({"types-of-exploitation-other"}),
        where="moon",
        indicators=(IndicatorTick("not_an_indicator", Seat.POLICE),),
    )
    messages = {e.field: e.message for e in validate_elements(record)}
    assert messages == {
        "acts": "Select an act from the list",
        "other_exploitation_details": "Enter the other type of exploitation",
        "where": "Select where the exploitation happened",
        "indicators-0": "Select an indicator from the list",
    }
    assert validate_elements(_record(where="uk")) == []


# --- issue 11: slavery, servitude and forced or compulsory labour ---------------------------------------


def test_child_slavery_route_needs_no_act_and_no_means__msa_2015_s1_statutory_guidance_annex_b() -> None:
    """s1 Modern Slavery Act 2015 (and the Scottish and NI equivalents): slavery, servitude and forced or
    compulsory labour need no act of movement; for a child no means is needed either."""
    record = ElementsRecord(exploitation_types=frozenset({"types-of-exploitation-unpaid-household-work"}))
    summary = summarise_elements(record, is_child=True)
    assert summary.recorded_meets_definition is False  # no act: not trafficking as recorded
    assert summary.recorded_meets_slavery_definition is True
    assert "neither an act of movement nor a means is needed" in summary.slavery_sentence
    assert "meets the definition of slavery, servitude or forced or compulsory labour" in summary.slavery_sentence


def test_adult_slavery_route_needs_coercion_and_sexual_exploitation_alone_is_not_the_route() -> None:
    labour = ElementsRecord(exploitation_types=frozenset({CRIME}))
    assert summarise_elements(labour, is_child=False).recorded_meets_slavery_definition is False
    coerced = dataclasses.replace(labour, means=frozenset({"threat_force_coercion"}))
    assert summarise_elements(coerced, is_child=False).recorded_meets_slavery_definition is True
    cse = ElementsRecord(exploitation_types=frozenset({"types-of-exploitation-child-exploitation"}))
    assert summarise_elements(cse, is_child=True).recorded_meets_slavery_definition is False


def test_strategy_discussion_can_conclude_potential_victim_of_slavery__msa_2015_s1() -> None:
    from rules.outcomes import outcome_options, validate_outcome

    assert "slavery_concern" in [o.key for o in outcome_options("strategy_discussion", "england")]
    data = {
        "start_enquiries": "yes",
        "outcome": "slavery_concern",
        "rationale": "Forced to work.",
        "suspected_of_offences": "no",
    }
    fields = [e.field for e in validate_outcome("strategy_discussion", "england", data)]
    assert fields == ["nrm_referral", "first_responder_organisation", "first_responder_name"]
