"""The NRM referral pack: coverage of the Home Office form's child page flow, pre-filling and missing fields."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from decisions.nrm.pack import (
    ChildView,
    FirstResponderView,
    LocalAuthorityContact,
    NrmCaseView,
    NrmDeterminationView,
    NrmPack,
    Value,
    build_nrm_pack,
    missing_required,
)
from rules.elements import ElementsRecord
from rules.indicators import IndicatorTick
from rules.quorum import Nation, Seat

REPO_ROOT = Path(__file__).resolve().parents[3]
FORM = REPO_ROOT / "decisions" / "data" / "nrm_fields.json"


def form_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FORM.read_text(encoding="utf-8"))
    return data


def child_flow_keys() -> list[str]:
    """Every field key of the form's child page flow (``child_path`` in decisions/data/nrm_fields.json), in order."""
    return [key for step in form_data()["child_path"] for key in step["fields"]]


def _pack(**answers: Value) -> NrmPack:
    case = NrmCaseView(
        reference="NB-2026-0042",
        nation=Nation.WALES,
        age="not-sure",
        local_authority=LocalAuthorityContact("Anytown", "01000 000000", "mash@anytown.example"),
        child=ChildView(
            first_name="Child",
            last_name="Example",
            date_of_birth_on=date(2010, 5, 1),
            gender="female",
            has_children=False,
            needs_interpreter=True,
            interpreter_language="Tigrinya",
        ),
    )
    elements = ElementsRecord(
        acts=frozenset({"recruitment"}),
        exploitation_types=frozenset({"types-of-exploitation-other", "types-of-exploitation-prostitution"}),
        other_exploitation_details="Forced to hold drugs",
        where="uk-and-overseas",
        indicators=(IndicatorTick("goes_missing", Seat.POLICE, "Found in Kent"),),
    )
    det = NrmDeterminationView(
        elements=elements,
        rationale="Shared view of the meeting",
        crime_reference="CR/1/26",
        police_force="Anytown Police",
        answers=answers,
    )
    fr = FirstResponderView("Anytown Council", "Sam", "Worker", "Social worker", "01000 000001")
    return build_nrm_pack(case, det, fr)


def test_the_child_flow_is_complete_and_uses_the_forms_own_keys() -> None:
    data = form_data()
    assert "UKHomeOffice/modern-slavery" in data["credit"] and "MIT" in data["credit"] and "54dfce7" in data["credit"]
    steps = data["child_path"]
    assert [s["step"] for s in steps] == list(range(1, 17))
    keys = child_flow_keys()
    assert len(keys) == len(set(keys)), "a field appears twice in the child path"
    assert {
        "reference",
        "pv-under-age",
        "were-they-taken-somewhere-by-their-exploiter-journey-details",
        "current-pv-location-uk-region",
        "fr-alternative-contact",
        "pv-ho-reference",
    } <= set(keys)
    assert keys[:4] == ["reference", "user-organisation", "fr-location", "pv-under-age"]
    assert len(keys) > 50
    # Every key is the form's own: a field of its translations, or (single-question pages) a page of the form.
    unknown = [k for k in keys if k not in data["fields"] and k not in data["pages"]]
    assert unknown == ["what-is-keeping-them-in-situation", "modern-slavery-indicators-details"]
    for step in steps:
        assert all(page in data["pages"] or page in data["fields"] for page in step["pages"]), step["step"]


def test_every_field_of_the_child_page_flow_is_in_the_pack() -> None:
    pack = _pack()
    missing = set(child_flow_keys()) - pack.field_keys()
    assert missing == set()
    for wildcard in ("local-authority-contacted-about-child-local-authority-", "types-of-exploitation-", "fr-details-"):
        assert any(k.startswith(wildcard) for k in pack.field_keys()), wildcard
        assert {k for k in pack.field_keys() if k.startswith(wildcard)} >= {
            k for k in child_flow_keys() if k.startswith(wildcard)
        }
    assert sum(k.startswith("types-of-exploitation-") for k in pack.field_keys()) == 10
    assert sum(k.startswith("types-of-exploitation-") for k in child_flow_keys()) == 10


def test_the_packs_labels_and_options_are_the_forms_wording() -> None:
    fields = form_data()["fields"]
    pack = _pack()
    for f in pack.fields():
        wording = fields.get(f.key, {})
        if wording.get("label") or wording.get("legend"):
            assert f.label == (wording.get("label") or wording.get("legend")), f.key
        if f.kind == "radios":
            assert {o.key: o.label for o in f.options} == wording["options"], f.key
        if f.kind == "checkboxes":
            assert all(o.label == fields[o.key]["label"] for o in f.options), f.key


def test_the_option_lists_are_kept_with_the_form() -> None:
    data = form_data()
    for name, entry in data["lists"].items():
        values = json.loads((FORM.parent / entry["file"]).read_text(encoding="utf-8"))
        assert isinstance(values, list) and len(values) == entry["count"] > 40, name
        assert all(isinstance(v, str) and v for v in values), name
    assert "Bath and North East Somerset Council" in json.loads(
        (FORM.parent / data["lists"]["uk_local_authorities"]["file"]).read_text(encoding="utf-8")
    )


def test_prefill_from_case_determination_and_first_responder() -> None:
    pack = _pack()
    assert pack.field("reference").value == "NB-2026-0042"
    assert pack.field("fr-location").display == "Wales"
    assert pack.field("pv-under-age").display == "Not Sure"
    assert pack.field("types-of-exploitation").value == (
        "types-of-exploitation-prostitution",
        "types-of-exploitation-other",
    )
    assert pack.field("other-exploitation-details").applies
    assert pack.field("where-exploitation-happened").display == "UK and Overseas"
    assert pack.field("modern-slavery-indicators").value == "yes"
    assert pack.field("modern-slavery-indicators-details").value == (
        "Goes missing, or is found out of their home area (raised by police): Found in Kent"
    )
    assert pack.field("reported-to-police-crime-reference").value == "CR/1/26"
    assert pack.field("pv-dob").display == "Saturday 1 May 2010"
    assert pack.field("pv-interpreter-requirements-language").value == "Tigrinya"
    assert pack.field("fr-details-role").value == "Social worker"


def test_missing_required_respects_conditions_and_answers() -> None:
    pack = _pack()
    missing = {f.key for f in missing_required(pack)}
    assert "birthplace" in missing
    assert "where-exploitation-happened-uk-city-1" in missing
    assert "where-exploitation-happened-overseas-country-1" in missing
    assert "where-exploitation-happened-uk-city-2" not in missing  # the second to tenth places are optional
    assert "local-authority-contacted-about-child-local-authority-name" not in missing
    assert "were-they-taken-somewhere-by-their-exploiter-journey-details" not in missing  # not answered "yes"
    assert "pv-dob" not in missing and "fr-alternative-contact" not in missing  # optional
    answered = _pack(**{"were-they-taken-somewhere-by-their-exploiter": "yes", "birthplace": "Asmara"})
    missing_after = {f.key for f in missing_required(answered)}
    assert "birthplace" not in missing_after
    assert "were-they-taken-somewhere-by-their-exploiter-journey-details" in missing_after


def test_inapplicable_field_is_shown_as_not_applicable_and_never_required() -> None:
    pack = _pack(**{"still-in-exploitative-situation": "no", "what-is-keeping-them-in-situation": "Debt"})
    keeping = pack.field("what-is-keeping-them-in-situation")
    assert not keeping.applies and keeping.value is None and keeping.display == "Not applicable"


def test_unknown_answer_key_is_refused() -> None:
    with pytest.raises(ValueError, match="not fields of the NRM referral form: pv-favourite-colour"):
        _pack(**{"pv-favourite-colour": "blue"})


def test_a_fully_answered_pack_has_nothing_missing() -> None:
    answers: dict[str, Value] = {}
    for _ in range(5):  # answering "yes" reveals follow-up questions; answer until nothing is missing
        missing = missing_required(_pack(**answers))
        if not missing:
            break
        for f in missing:
            answers[f.key] = ("Cardiff",) if f.kind == "list" else f.option_keys[0] if f.options else "Answer"
    answers["types-of-exploitation"] = ("types-of-exploitation-forced-to-work",)
    complete = _pack(**answers)
    assert missing_required(complete) == []
    assert not complete.field("other-exploitation-details").applies
    assert len(answers) > 30


# --- issue 11: the child's age on the dates that matter ----------------------------------------------------


def test_age_is_worked_out_on_the_referral_date_not_the_day_the_pack_is_built__home_office_nrm_form() -> None:
    """The Home Office form asks `pv-under-age` about the person referred, on the day of the referral."""
    from decisions.nrm.pack import under_age_at_referral

    born_on = date(2008, 6, 10)  # turns 18 on 10 June 2026
    common = {"age_disputed": False, "born_on": born_on, "estimated_age": None}
    assert under_age_at_referral(**common, referred_on=date(2026, 6, 9)) == "yes"
    assert under_age_at_referral(**common, referred_on=date(2026, 6, 10)) == "no"
    assert under_age_at_referral(
        age_disputed=True, born_on=born_on, estimated_age=None, referred_on=date(2026, 7, 1)
    ) == ("not-sure")


def test_under_18_during_exploitation_comes_from_the_identification_date__nrm_form_pv_under_age_at_time() -> None:
    """`pv-under-age-at-time-of-exploitation`: under 18 on the day the child was identified means under 18
    throughout any exploitation before it; otherwise Convene cannot tell and leaves it to the first responder."""
    from decisions.nrm.pack import under_age_during_exploitation

    born_on = date(2008, 6, 10)
    assert under_age_during_exploitation(born_on=born_on, exploited_by_on=date(2026, 5, 1)) == "yes"
    assert under_age_during_exploitation(born_on=born_on, exploited_by_on=date(2026, 7, 1)) is None
    assert under_age_during_exploitation(born_on=None, exploited_by_on=date(2026, 5, 1)) is None
    case = NrmCaseView(reference="NB-1", nation=Nation.ENGLAND, age="no", under_age_during_exploitation="yes")
    pack = build_nrm_pack(case, NrmDeterminationView(), FirstResponderView())
    field = pack.field("pv-under-age-at-time-of-exploitation")
    assert field.applies and field.value == "yes"
    child = build_nrm_pack(
        NrmCaseView(reference="NB-1", nation=Nation.ENGLAND, age="yes"), NrmDeterminationView(), FirstResponderView()
    )
    assert not child.field("pv-under-age-at-time-of-exploitation").applies


# --- issue 11: the complete pack -------------------------------------------------------------------------------

#: What Convene knows for each child-path field in ``_known_pack``; every other field is the first responder's to
#: answer on the answers page (and must then be in the pack as an empty question).
PREFILLED = {
    "reference": "NB-2026-0042",
    "user-organisation": "Anytown Council",
    "fr-location": "wales",
    "pv-under-age": "not-sure",
    "local-authority-contacted-about-child-local-authority-name": "Anytown",
    "local-authority-contacted-about-child-local-authority-phone": "01000 000000",
    "local-authority-contacted-about-child-local-authority-email": "mash@anytown.example",
    "were-they-taken-somewhere-by-their-exploiter": "yes",
    "were-they-taken-somewhere-by-their-exploiter-journey-details": "Driven from Cardiff to Swansea",
    "what-were-they-required-to-do": "Hold and sell drugs",
    "modern-slavery-indicators": "yes",
    "are-others-involved": "yes",
    "are-others-involved-details": "Police (present in the room)",
    "where-exploitation-happened": "uk-and-overseas",
    "types-of-exploitation-other": "types-of-exploitation-other",
    "types-of-exploitation-prostitution": "types-of-exploitation-prostitution",
    "other-exploitation-details": "Forced to hold drugs",
    "reported-to-police": "yes",
    "reported-to-police-police-forces": "South Wales Police",
    "reported-to-police-crime-reference": "CR/1/26",
    "pv-name-first-name": "Child",
    "pv-name-last-name": "Example",
    "pv-dob": date(2010, 5, 1),
    "pv-gender": "female",
    "does-pv-have-children": "no",
    "pv-interpreter-requirements": "yes",
    "pv-interpreter-requirements-language": "Tigrinya",
    "fr-details-first-name": "Sam",
    "fr-details-last-name": "Worker",
    "fr-details-role": "Social worker",
    "fr-details-phone": "01000 000001",
    "upload-evidence": ("Signed minutes of meeting CONF-1 (version 2)", "Written submission from health"),
}


def _known_pack() -> NrmPack:
    case = NrmCaseView(
        reference="NB-2026-0042",
        nation=Nation.WALES,
        age="not-sure",
        local_authority=LocalAuthorityContact("Anytown", "01000 000000", "mash@anytown.example"),
        child=ChildView(
            first_name="Child",
            last_name="Example",
            date_of_birth_on=date(2010, 5, 1),
            gender="female",
            has_children=False,
            needs_interpreter=True,
            interpreter_language="Tigrinya",
        ),
    )
    elements = ElementsRecord(
        acts=frozenset({"transport"}),
        act_details="Driven from Cardiff to Swansea",
        purpose_details="Hold and sell drugs",
        exploitation_types=frozenset({"types-of-exploitation-other", "types-of-exploitation-prostitution"}),
        other_exploitation_details="Forced to hold drugs",
        where="uk-and-overseas",
        indicators=(IndicatorTick("goes_missing", Seat.POLICE, "Found in Kent"),),
    )
    det = NrmDeterminationView(
        elements=elements,
        rationale="Shared view of the meeting",
        crime_reference="CR/1/26",
        police_force="South Wales Police",
        agency_views=(("Police", "Found in a trap house"), ("Health", "Injuries consistent with assault")),
        dissent=(("Education", "Thinks it is neglect, not trafficking"),),
        others_involved=("Police (present in the room)",),
        evidence=("Signed minutes of meeting CONF-1 (version 2)", "Written submission from health"),
    )
    fr = FirstResponderView("Anytown Council", "Sam", "Worker", "Social worker", "01000 000001")
    return build_nrm_pack(case, det, fr)


def test_every_child_path_field_is_in_the_pack_and_prefilled_where_convene_knows_it() -> None:
    """Walk the form's child path field by field: each is a question of the pack (or a checkbox of one), and
    what Convene knows is already filled in; the rest are empty questions for the first responder."""
    pack = _known_pack()
    by_key = {f.key: f for f in pack.fields()}
    ticked = pack.field("types-of-exploitation").value or ()
    for key in child_flow_keys():
        if key.startswith("types-of-exploitation-") and key != "types-of-exploitation-other-details":
            assert key in pack.field("types-of-exploitation").option_keys, key
            assert (key in ticked) == (key in PREFILLED), key
            continue
        assert key in by_key, f"{key} is on the form's child path but not in the pack"
        field = by_key[key]
        if key in PREFILLED:
            assert field.value == PREFILLED[key], key
    assert set(PREFILLED) <= set(child_flow_keys())
    insight = str(pack.field("professional-insight").value)
    assert insight.startswith("Shared view of the meeting")
    assert "Police: Found in a trap house" in insight and "Health: Injuries consistent with assault" in insight
    assert "Dissent recorded at the meeting:\nEducation: Thinks it is neglect, not trafficking" in insight
    evidence = str(pack.field("what-evidence-you-will-submit").value)
    assert "Signed minutes of meeting CONF-1 (version 2)" in evidence and "Written submission from health" in evidence


def test_numbered_places_are_separate_entries_with_the_forms_lists() -> None:
    pack = _known_pack()
    for prefix, listname in (
        ("where-exploitation-happened-uk-city-", "uk_cities_and_towns"),
        ("where-exploitation-happened-overseas-country-", "countries"),
    ):
        numbered = [f for f in pack.fields() if f.key.startswith(prefix)]
        assert [f.key for f in numbered] == [f"{prefix}{i}" for i in range(1, 11)]
        assert all(f.choices == listname and f.kind == "text" for f in numbered)
        assert [f.required for f in numbered] == [True] + [False] * 9
    assert pack.field("local-authority-contacted-about-child-local-authority-name").choices == "uk_local_authorities"
    assert pack.field("user-organisation").choices == "organisations"
    assert pack.field("pv-nationality").choices == "nationalities"
    assert pack.field("reported-to-police-police-forces").choices == "uk_police_forces"
    assert pack.field("current-pv-location-uk-region").choices == "uk_regions"


def test_a_value_must_come_from_the_forms_list() -> None:
    from conference.forms import FormErrors
    from decisions.forms import read_nrm_answers
    from decisions.nrm.pack import canonical_choice

    assert canonical_choice("uk_local_authorities", "  bristol city   council ") == "Bristol City Council"
    assert canonical_choice("uk_local_authorities", "Gotham") is None
    pack = _known_pack()
    fields = [f for f in pack.fields() if f.choices]
    errors = FormErrors()
    form = {
        "local-authority-contacted-about-child-local-authority-name": "Gotham",
        "where-exploitation-happened-uk-city-1": "Atlantis",
        "pv-nationality": "Martian",
        "reported-to-police-police-forces": "Gotham PD",
    }
    assert read_nrm_answers(form, fields, errors) is None
    assert errors.message("local-authority-contacted-about-child-local-authority-name") == {
        "text": "Select a local authority from the list"
    }
    assert errors.message("where-exploitation-happened-uk-city-1") == {"text": "Select a city or town from the list"}
    assert errors.message("pv-nationality") == {"text": "Select a nationality from the list"}
    assert errors.message("reported-to-police-police-forces") == {"text": "Select a police force from the list"}
    good = read_nrm_answers(
        {"local-authority-contacted-about-child-local-authority-name": "bristol city council"}, fields, FormErrors()
    )
    assert good == {"local-authority-contacted-about-child-local-authority-name": "Bristol City Council"}
