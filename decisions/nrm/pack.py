"""The NRM referral pack for a child, following the Home Office digital referral form.

The form's own field keys, labels, hints and options are kept as data in ``decisions/data/nrm_fields.json``
(from the Home Office's open-source form, MIT licence); Convene's sections, kinds, required fields and
conditions are mapped onto them in ``decisions/data/nrm_pack.json``. `build_nrm_pack` pre-fills each field
from plain view models of the case, the determination and the first responder; `missing_required` lists required
fields still empty, so the referral cannot be marked as submitted until they are answered.

Answers that Convene does not hold elsewhere (the narrative pages) come in ``NrmDeterminationView.answers``,
keyed by the form's field keys. An answer there wins over a value derived from the case.

Why this module is long (about 450 lines): the view models, the field specs and the derivations are one mapping
of the Home Office form, read together; it is pure (no database, no web) and is left whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from rules.display import long_date
from rules.elements import EXPLOITATION_TYPE_KEYS, ElementsRecord
from rules.indicators import IndicatorCatalogue, catalogue_for
from rules.quorum import ROLE_LABELS, Nation, Seat

DATA_DIR = Path(__file__).parent.parent / "data"
FORM_PATH = DATA_DIR / "nrm_fields.json"
PACK_PATH = DATA_DIR / "nrm_pack.json"
Value = str | tuple[str, ...] | date | None

_FR_LOCATION = {
    Nation.ENGLAND: "england",
    Nation.WALES: "wales",
    Nation.SCOTLAND: "scotland",
    Nation.NORTHERN_IRELAND: "northern-ireland",
}


@dataclass(frozen=True)
class LocalAuthorityContact:
    name: str = ""
    phone: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class ChildView:
    """The child's details. ``None`` means not known yet; a yes/no question stays unanswered."""

    first_name: str = ""
    last_name: str = ""
    nickname: str = ""
    date_of_birth_on: date | None = None
    gender: str = ""  # the form's options: female / male / unknown
    has_children: bool | None = None
    number_of_children: int | None = None
    nationality: str = ""
    second_nationality: str = ""
    needs_interpreter: bool | None = None
    interpreter_language: str = ""
    needs_communication_help: bool | None = None
    communication_aid: str = ""
    has_home_office_reference: bool | None = None
    home_office_reference: str = ""
    birthplace: str = ""
    current_city: str = ""
    current_region: str = ""


def age_on(born_on: date, on: date) -> int:
    """Age in whole years on ``on`` (a 29 February birthday counts from 1 March in a common year)."""
    return on.year - born_on.year - ((on.month, on.day) < (born_on.month, born_on.day))


def under_age_at_referral(
    *, age_disputed: bool, born_on: date | None, estimated_age: int | None, referred_on: date
) -> str:
    """The form's ``pv-under-age`` answer, worked out on the day of the referral (not the day the pack is built).

    Age-disputed or unknown: "not-sure" (the form: treat as a child and ask the local authority for an age
    assessment). Home Office NRM form, page ``pv-under-age`` (UKHomeOffice/modern-slavery, apps/nrm).
    """
    if age_disputed:
        return "not-sure"
    if born_on is not None:
        return "yes" if age_on(born_on, referred_on) < 18 else "no"
    if estimated_age is not None:
        return "yes" if estimated_age < 18 else "not-sure"
    return "not-sure"


def under_age_during_exploitation(*, born_on: date | None, exploited_by_on: date) -> str | None:
    """The form's ``pv-under-age-at-time-of-exploitation`` answer, or ``None`` when Convene cannot tell.

    ``exploited_by_on`` is a day by which the exploitation had happened: the day the child was identified as a
    possible victim. Someone under 18 on that day was under 18 throughout any exploitation before it ("yes");
    someone 18 or over then may or may not have been, so the question is left for the first responder.
    """
    if born_on is None:
        return None
    return "yes" if age_on(born_on, exploited_by_on) < 18 else None


@dataclass(frozen=True)
class NrmCaseView:
    reference: str
    nation: Nation
    age: str  # the form's pv-under-age option on the referral date: "yes", "no" or "not-sure"
    local_authority: LocalAuthorityContact = LocalAuthorityContact()
    child: ChildView = ChildView()
    under_age_during_exploitation: str | None = None  # pv-under-age-at-time-of-exploitation, when known


@dataclass(frozen=True)
class NrmDeterminationView:
    elements: ElementsRecord = ElementsRecord()
    rationale: str = ""
    decided_on: date | None = None
    police_force: str = ""
    crime_reference: str = ""
    answers: Mapping[str, Value] = field(default_factory=dict)
    agency_views: tuple[tuple[str, str], ...] = ()  # (agency, what it said at the meeting)
    dissent: tuple[tuple[str, str], ...] = ()  # (agency, why it disagreed)
    others_involved: tuple[str, ...] = ()  # agencies on the register and linked cases
    evidence: tuple[str, ...] = ()  # documents sent with the referral: the signed minutes, selected submissions


@dataclass(frozen=True)
class FirstResponderView:
    organisation: str = ""
    first_name: str = ""
    last_name: str = ""
    role: str = ""
    phone: str = ""
    alternative_email: str = ""


@dataclass(frozen=True)
class NrmOption:
    key: str
    label: str
    heading: str = ""


@dataclass(frozen=True)
class NrmField:
    key: str
    label: str
    kind: str  # text, textarea, email, phone, date, radios, checkboxes, list, documents
    required: bool  # required for a child when it applies
    applies: bool
    value: Value
    options: tuple[NrmOption, ...] = ()
    max_items: int | None = None
    choices: str = ""  # the name of the form's option list (nrm_lists/) the value must come from

    @property
    def is_empty(self) -> bool:
        return self.value is None or self.value == "" or self.value == ()

    @property
    def display(self) -> str:
        """The value as a person reads it; option keys become the form's labels."""
        if not self.applies:
            return "Not applicable"
        if self.is_empty:
            return "Not answered"
        if isinstance(self.value, date):
            return long_date(self.value)
        labels = {o.key: o.label for o in self.options}
        if isinstance(self.value, tuple):
            return "; ".join(labels.get(v, v) for v in self.value)
        return labels.get(self.value, self.value) if self.value is not None else ""

    def option_groups(self) -> tuple[tuple[str, tuple[NrmOption, ...]], ...]:
        """Options grouped under their headings, in form order (for the checkbox question)."""
        groups: dict[str, list[NrmOption]] = {}
        for option in self.options:
            groups.setdefault(option.heading, []).append(option)
        return tuple((heading, tuple(options)) for heading, options in groups.items())

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)


@dataclass(frozen=True)
class NrmSection:
    key: str
    heading: str
    fields: tuple[NrmField, ...]


@dataclass(frozen=True)
class NrmPack:
    reference: str
    nation: Nation
    sections: tuple[NrmSection, ...]

    def fields(self) -> tuple[NrmField, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, key: str) -> NrmField:
        for f in self.fields():
            if f.key == key:
                return f
        raise KeyError(f"No field {key!r} in the NRM pack")

    def field_keys(self) -> frozenset[str]:
        """Every form key in the pack: field keys, and the checkbox keys of checkbox questions."""
        keys = {f.key for f in self.fields()}
        keys |= {o.key for f in self.fields() if f.kind == "checkboxes" for o in f.options}
        return frozenset(keys)


@cache
def form_fields() -> dict[str, dict[str, Any]]:
    """The Home Office form's fields by key: label or legend, hint, options (key to label)."""
    fields: dict[str, dict[str, Any]] = json.loads(FORM_PATH.read_text(encoding="utf-8"))["fields"]
    return fields


@cache
def _field_specs() -> tuple[dict[str, Any], ...]:
    """The pack's sections, each field's label and options filled in from the form's wording."""
    doc = json.loads(PACK_PATH.read_text(encoding="utf-8"))
    return tuple(
        {**section, "fields": [_with_form_wording(spec) for spec in section["fields"]]} for section in doc["sections"]
    )


def _with_form_wording(spec: dict[str, Any]) -> dict[str, Any]:
    form = form_fields()
    wording = form.get(spec["key"], {})
    label = spec.get("label") or wording.get("label") or wording.get("legend")
    if not label:
        raise ValueError(f"NRM field {spec['key']!r} has no label in nrm_pack.json or in the form")
    filled = {**spec, "label": label}
    options = spec.get("options")
    if options == "form":
        filled["options"] = dict(wording["options"])
    elif isinstance(options, list):
        filled["options"] = [
            {"key": o["key"], "label": form[o["key"]]["label"], "heading": o["heading"]} for o in options
        ]
    return filled


@cache
def option_list(name: str) -> tuple[str, ...]:
    """One of the form's fixed option lists (``nrm_lists/``), in the form's order."""
    entry = json.loads(FORM_PATH.read_text(encoding="utf-8"))["lists"][name]
    values: list[str] = json.loads((DATA_DIR / entry["file"]).read_text(encoding="utf-8"))
    return tuple(values)


@cache
def _option_set(name: str) -> frozenset[str]:
    return frozenset(v.casefold() for v in option_list(name))


def canonical_choice(name: str, value: str) -> str | None:
    """The list's own spelling of ``value`` (case and spaces forgiven), or ``None`` when it is not on the list."""
    wanted = " ".join(value.split()).casefold()
    if wanted not in _option_set(name):
        return None
    return next(v for v in option_list(name) if v.casefold() == wanted)


LIST_NOUNS = {
    "organisations": "an organisation",
    "uk_local_authorities": "a local authority",
    "nationalities": "a nationality",
    "uk_cities_and_towns": "a city or town",
    "uk_regions": "a region",
    "uk_police_forces": "a police force",
    "countries": "a country",
}


def known_field_keys() -> frozenset[str]:
    return frozenset(f["key"] for s in _field_specs() for f in s["fields"])


def build_nrm_pack(
    case_vm: NrmCaseView,
    determination_vm: NrmDeterminationView,
    first_responder_vm: FirstResponderView,
    catalogue: IndicatorCatalogue | None = None,
) -> NrmPack:
    """Pre-fill the pack. Raises `ValueError` for an answer keyed by something that is not a pack field."""
    unknown = sorted(set(determination_vm.answers) - known_field_keys())
    if unknown:
        raise ValueError(f"These answers are not fields of the NRM referral form: {', '.join(unknown)}")
    catalogue = catalogue or catalogue_for(determination_vm.elements.catalogue_version)
    values = {**_derived(case_vm, determination_vm, first_responder_vm, catalogue)}
    values.update({k: v for k, v in determination_vm.answers.items() if v not in (None, "", ())})
    sections = tuple(
        NrmSection(spec["key"], spec["heading"], tuple(_build_field(f, values) for f in spec["fields"]))
        for spec in _field_specs()
    )
    return NrmPack(reference=case_vm.reference, nation=case_vm.nation, sections=sections)


def _build_field(spec: Mapping[str, Any], values: Mapping[str, Value]) -> NrmField:
    condition = spec.get("applies_when")
    applies = True
    if condition:
        current = values.get(condition["field"])
        chosen = set(current) if isinstance(current, tuple) else {current}
        applies = bool(chosen & set(condition["in"]))
    raw_options = spec.get("options") or {}
    if isinstance(raw_options, dict):
        options = tuple(NrmOption(k, v) for k, v in raw_options.items())
    else:
        options = tuple(NrmOption(o["key"], o["label"], o.get("heading", "")) for o in raw_options)
    return NrmField(
        key=spec["key"],
        label=spec["label"],
        kind=spec["kind"],
        required=bool(spec["required"]),
        applies=applies,
        value=values.get(spec["key"]) if applies else None,
        options=options,
        max_items=spec.get("max_items"),
        choices=spec.get("list", ""),
    )


def missing_required(pack: NrmPack) -> list[NrmField]:
    """Required fields that apply and are still empty, in form order."""
    return [f for f in pack.fields() if f.applies and f.required and f.is_empty]


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _derived(
    case: NrmCaseView, det: NrmDeterminationView, fr: FirstResponderView, catalogue: IndicatorCatalogue
) -> dict[str, Value]:
    la, child, elements = case.local_authority, case.child, det.elements
    prefix = "local-authority-contacted-about-child-local-authority-"
    values: dict[str, Value] = {
        "reference": case.reference,
        "user-organisation": fr.organisation,
        "fr-location": _FR_LOCATION[Nation(case.nation)],
        "pv-under-age": case.age,
        "pv-under-age-at-time-of-exploitation": case.under_age_during_exploitation,
        f"{prefix}name": la.name,
        f"{prefix}phone": la.phone,
        f"{prefix}email": la.email,
        f"{prefix}first-name": la.first_name,
        f"{prefix}last-name": la.last_name,
        "birthplace": child.birthplace,
        "types-of-exploitation": tuple(k for k in EXPLOITATION_TYPE_KEYS if k in elements.exploitation_types),
        "other-exploitation-details": elements.other_exploitation_details,
        "where-exploitation-happened": elements.where or None,
        "modern-slavery-indicators": "yes" if elements.indicators else None,
        "modern-slavery-indicators-details": _indicator_details(elements, catalogue),
        "professional-insight": _professional_insight(det),
        "what-were-they-required-to-do": elements.purpose_details,
        "upload-evidence": det.evidence,
        "what-evidence-you-will-submit": _evidence_description(det.evidence),
        "current-pv-location-uk-city": child.current_city,
        "current-pv-location-uk-region": child.current_region,
        "fr-details-first-name": fr.first_name,
        "fr-details-last-name": fr.last_name,
        "fr-details-role": fr.role,
        "fr-details-phone": fr.phone,
        "fr-alternative-contact": fr.alternative_email,
    }
    values.update(_police(det))
    values.update(_journey(elements))
    values.update(_others_involved(det))
    values.update(_child_details(child))
    return values


def _professional_insight(det: NrmDeterminationView) -> str:
    """The meeting's rationale, each agency's view, and any dissent: the multi-agency insight of the referral."""
    parts = [det.rationale.strip()] if det.rationale.strip() else []
    views = [f"{agency}: {view.strip()}" for agency, view in det.agency_views if view.strip()]
    if views:
        parts.append("What each agency said at the meeting:\n" + "\n".join(views))
    dissent = [f"{agency}: {reason.strip()}" for agency, reason in det.dissent if reason.strip()]
    if dissent:
        parts.append("Dissent recorded at the meeting:\n" + "\n".join(dissent))
    return "\n\n".join(parts)


def _evidence_description(evidence: tuple[str, ...]) -> str:
    if not evidence:
        return ""
    return "Sent with this referral:\n" + "\n".join(f"- {item}" for item in evidence)


def _journey(elements: ElementsRecord) -> dict[str, Value]:
    moved = "transport" in elements.acts or elements.movement_within_uk
    if not moved:
        return {}
    return {
        "were-they-taken-somewhere-by-their-exploiter": "yes",
        "were-they-taken-somewhere-by-their-exploiter-journey-details": elements.act_details,
    }


def _others_involved(det: NrmDeterminationView) -> dict[str, Value]:
    if not det.others_involved:
        return {}
    return {"are-others-involved": "yes", "are-others-involved-details": "\n".join(det.others_involved)}


def _police(det: NrmDeterminationView) -> dict[str, Value]:
    if not det.crime_reference:
        return {}
    return {
        "reported-to-police": "yes",
        "reported-to-police-police-forces": det.police_force,
        "reported-to-police-crime-reference": det.crime_reference,
    }


def _child_details(child: ChildView) -> dict[str, Value]:
    return {
        "pv-name-first-name": child.first_name,
        "pv-name-last-name": child.last_name,
        "pv-name-nickname": child.nickname,
        "pv-dob": child.date_of_birth_on,
        "pv-gender": child.gender or None,
        "does-pv-have-children": _yes_no(child.has_children),
        "does-pv-have-children-yes-amount": "" if child.number_of_children is None else str(child.number_of_children),
        "pv-nationality": child.nationality,
        "pv-nationality-second": child.second_nationality,
        "pv-interpreter-requirements": _yes_no(child.needs_interpreter),
        "pv-interpreter-requirements-language": child.interpreter_language,
        "pv-other-help-with-communication": _yes_no(child.needs_communication_help),
        "pv-other-help-with-communication-aid": child.communication_aid,
        "pv-ho-reference": _yes_no(child.has_home_office_reference),
        "pv-ho-reference-type": child.home_office_reference,
    }


def _indicator_details(elements: ElementsRecord, catalogue: IndicatorCatalogue) -> str:
    lines = []
    for tick in elements.indicators:
        agency = ROLE_LABELS.get(Seat(tick.agency), str(tick.agency))
        note = f": {tick.note.strip()}" if tick.note.strip() else ""
        lines.append(f"{catalogue.get(tick.key).label}{tick.level_suffix} (raised by {agency}){note}")
    return "\n".join(lines)
