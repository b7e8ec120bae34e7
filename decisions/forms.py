"""The decision forms: explicit fields, GOV.UK error wording, one error per field, nothing saved on error.

Each page is a WTForms class on `conference.forms.GovForm` giving a typed result. Where the fields come from data
(one set per role on the register, one per indicator in the record's catalogue) the page's class is made per
request (`AttendanceForm.for_roles`, `InformationForm.for_roles`, `IndicatorsForm.for_catalogue`). Two pages are
still read by the ``read_*`` functions (the posted form and a `FormErrors` in, the value to save or ``None`` out):
the outcome, whose questions depend on the meeting type, the nation and earlier answers and whose checks live in
`rules.outcomes`, and the NRM answers, one question per field of the Home Office form.

Why this module is long: it holds one small form class for each of the record's fifteen pages (attendance to the
NRM decision letter), and they share private field helpers and messages; splitting it by page would scatter the
GOV.UK wording the page-checking client guards across as many files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from wtforms.validators import StopValidation

from conference.convening.models import Conference
from conference.forms import (
    FormErrors,
    GovDateField,
    GovFileField,
    GovForm,
    GovListField,
    GovTextField,
    GovTimeField,
    MaxLength,
    OneOf,
    Required,
    local_datetime,
    parse_date,
    text_field,
)
from decisions.actions.services import NewAction
from decisions.letters import MAX_LETTER_BYTES, LetterRefused, check_letter
from decisions.models import ActionStatus
from decisions.nrm.pack import LIST_NOUNS, NrmField, canonical_choice
from decisions.recording.services import AttendanceLine
from rules.elements import ACTS, EXPLOITATION_TYPE_KEYS, MEANS, WHERE_OPTIONS, ElementsRecord, validate_elements
from rules.indicators import LEVELS, IndicatorCatalogue, IndicatorTick, validate_ticks
from rules.outcomes import (
    ABSTAIN,
    CONCLUSIVE_GROUNDS_OUTCOMES,
    REASONABLE_GROUNDS_OUTCOMES,
    STRATEGY_TYPES,
    TEXT_MAX_LENGTH,
    abuse_categories,
    asks_reporter_referral,
    validate_outcome,
)
from rules.quorum import ROLE_LABELS, AttendanceStatus, quorum_rule
from rules.vocabulary import MeetingType, Seat

SHORT_TEXT = 160
NOTE_LENGTH = 2000
PHONE_MAX_LENGTH = 40
YES_NO = ("yes", "no")


def _long_text(form: Mapping[str, str], name: str, errors: FormErrors, label: str) -> str:
    value = text_field(form, name, max_length=TEXT_MAX_LENGTH)
    if len(value) > TEXT_MAX_LENGTH:
        errors.add(name, f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer")
    return value


def _short_text(form: Mapping[str, str], name: str, errors: FormErrors, label: str, length: int = SHORT_TEXT) -> str:
    value = text_field(form, name, max_length=length)
    if len(value) > length:
        errors.add(name, f"{label} must be {length:,} characters or fewer")
    return value


def seat_roles(conference: Conference) -> list[Seat]:
    """The roles on the register: the conference's seats, or the meeting type's quorum roles if none are set."""
    roles = [seat.role for seat in conference.roles]
    if roles:
        return roles
    rule = quorum_rule(conference.meeting_type, conference.nation)
    return list(dict.fromkeys([*rule.required, *rule.others_from]))


def outcome_choices(conference: Conference) -> list[tuple[str, str]]:
    from rules.outcomes import ICPC_OUTCOMES, REVIEW_OUTCOMES, STRATEGY_OUTCOMES

    mt = conference.meeting_type
    if mt in STRATEGY_TYPES:
        options = STRATEGY_OUTCOMES
    elif mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        options = (*REASONABLE_GROUNDS_OUTCOMES, *CONCLUSIVE_GROUNDS_OUTCOMES[conference.nation])
    elif mt == MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE:
        options = ICPC_OUTCOMES
    else:
        options = REVIEW_OUTCOMES
    return [(o.key, o.label) for o in options]


def read_outcome(
    form: Mapping[str, str],
    conference: Conference,
    roles: Sequence[Seat],
    errors: FormErrors,
    *,
    today: date | None = None,
) -> dict[str, Any] | None:
    mt = conference.meeting_type
    data: dict[str, Any] = {"outcome": form.get("outcome", "")}
    if mt in STRATEGY_TYPES:
        data["start_enquiries"] = form.get("start_enquiries", "")
        data["nrm_referral"] = form.get("nrm_referral", "")
        data["first_responder_organisation"] = _short_text(form, "first_responder_organisation", errors, "Organisation")
        data["first_responder_name"] = _short_text(form, "first_responder_name", errors, "Name")
        data["first_responder_role"] = _short_text(form, "first_responder_role", errors, "Role")
        data["first_responder_phone"] = _short_text(form, "first_responder_phone", errors, "Telephone number")
        data["police_force"] = _short_text(form, "police_force", errors, "Police force")
        data["crime_reference"] = _short_text(form, "crime_reference", errors, "Crime reference number")
        if data["outcome"] == "more_information_needed":
            reconvene = parse_date(form, "reconvene_on", "a date to reconvene", errors, required=False, today=today)
            data["reconvene_on"] = reconvene.isoformat() if reconvene else ""
    if abuse_categories(mt, conference.nation) and data["outcome"] == "child_protection_plan":
        data["category"] = form.get("category", "")
    if asks_reporter_referral(mt, conference.nation):
        data["reporter_referral"] = form.get("reporter_referral", "")
    if mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        data["stage"] = form.get("stage", "")
        rule = quorum_rule(mt, conference.nation)
        data["votes"] = {r.value: form.get(f"votes-{r.value}", "") for r in rule.voting}
    data["rationale"] = text_field(form, "rationale", max_length=TEXT_MAX_LENGTH)
    dissent_roles = [r for r in roles if text_field(form, f"dissent-{r.value}", max_length=TEXT_MAX_LENGTH)]
    data["dissent"] = [
        {"agency": r.value, "reason": text_field(form, f"dissent-{r.value}", max_length=TEXT_MAX_LENGTH)}
        for r in dissent_roles
    ]
    data["suspected_of_offences"] = form.get("suspected_of_offences", "")
    data["non_punishment_flag"] = form.get("non_punishment_flag", "") if data["suspected_of_offences"] == "yes" else ""
    clean = {k: v for k, v in data.items() if v not in ("", None)}
    if mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        clean["votes"] = {k: v for k, v in data["votes"].items() if v}
    for problem in validate_outcome(mt, conference.nation, clean, today=today):
        errors.add(_outcome_field(problem.field, dissent_roles, conference), problem.message)
    return None if errors else data


def _outcome_field(name: str, dissent_roles: Sequence[Seat], conference: Conference) -> str:
    if name.startswith("dissent-"):
        parts = name.split("-")
        if len(parts) == 3 and parts[1].isdecimal() and int(parts[1]) < len(dissent_roles):
            return f"dissent-{dissent_roles[int(parts[1])].value}"
    if name == "votes":
        rule = quorum_rule(conference.meeting_type, conference.nation)
        return f"votes-{rule.voting[0].value}"
    if name == "reconvene_on":
        return "reconvene_on-day"
    return name


def vote_choices(conference: Conference) -> list[tuple[str, str]]:
    return [*outcome_choices(conference), (ABSTAIN, "Abstained")]


def read_nrm_answers(form: Any, fields: Sequence[NrmField], errors: FormErrors) -> dict[str, Any] | None:
    """Answers for the pack's own questions, checked against each field's kind and options."""
    answers: dict[str, Any] = {}
    for f in fields:
        if f.kind in ("checkboxes", "documents"):
            continue
        if f.kind == "date":
            on = parse_date(form, f.key, "the date", errors, required=False, past=True)
            if on:
                answers[f.key] = on.isoformat()
            continue
        raw = text_field(form, f.key, max_length=TEXT_MAX_LENGTH)
        if not raw:
            continue
        if len(raw) > TEXT_MAX_LENGTH:
            errors.add(f.key, f"Answer must be {TEXT_MAX_LENGTH:,} characters or fewer")
        elif f.kind == "radios" and raw not in f.option_keys:
            errors.add(f.key, f"Select an answer for '{f.label}'")
        elif f.kind == "email" and ("@" not in raw or " " in raw or len(raw) > 254):
            errors.add(f.key, "Enter an email address in the correct format, like name@example.com")
        elif f.kind == "phone" and len(raw) > PHONE_MAX_LENGTH:
            errors.add(f.key, f"Telephone number must be {PHONE_MAX_LENGTH} characters or fewer")
        elif f.kind == "phone" and not all(ch.isdigit() or ch in " +()-" for ch in raw):
            errors.add(f.key, "Enter a telephone number, like 01632 960 001 or +44 808 157 0192")
        elif f.choices:
            choice = canonical_choice(f.choices, raw)
            if choice is None:
                errors.add(f.key, f"Select {LIST_NOUNS.get(f.choices, 'an answer')} from the list")
            else:
                answers[f.key] = choice
            continue
        elif f.kind == "list":
            items = [line.strip() for line in raw.splitlines() if line.strip()]
            if f.max_items and len(items) > f.max_items:
                errors.add(f.key, f"Enter {f.max_items} places or fewer, one on each line")
            answers[f.key] = items
            continue
        answers[f.key] = raw
    return None if errors else answers


def read_form(form: GovForm, errors: FormErrors) -> bool:
    """Validate ``form`` and copy its errors into ``errors`` (for the autosave, which reads every section alike)."""
    valid = form.validate()
    for field in form.gov_errors:
        errors.add(field, form.gov_errors.get(field) or "")
    return bool(valid)


def _long(label: str, *validators: Any) -> GovTextField:
    """Long text (an account, a reason): at most `TEXT_MAX_LENGTH` characters."""
    too_long = MaxLength(TEXT_MAX_LENGTH, f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer")
    return GovTextField(validators=[too_long, *validators], max_length=TEXT_MAX_LENGTH)


class QuorumForm(GovForm):
    """Continue without quorum: a confirmation and the reason."""

    continue_without_quorum = GovTextField(
        validators=[
            OneOf({"yes"}, "Confirm that the meeting continued without quorum, or record who attended first"),
        ],
        max_length=3,
    )
    quorum_reason = _long("Reason")

    def validate_quorum_reason(self, field: GovTextField) -> None:
        if not self.continue_without_quorum.errors and not field.data:
            raise StopValidation("Enter why the meeting continued without quorum")

    def value(self, confirmed_by: str) -> dict[str, Any]:
        return {"continue_without_quorum": True, "reason": self.quorum_reason.data, "confirmed_by": confirmed_by}


class ChildViewsForm(GovForm):
    """The child's views and wishes, or why they could not be sought. The two texts are declared first: their
    length errors are listed before the question's (as before the move to WTForms)."""

    views = _long("The child's views")
    why_not = _long("The reason")
    sought = GovTextField(
        validators=[OneOf(YES_NO, "Select yes if the child's views and wishes were sought")], max_length=3
    )

    def validate_sought(self, field: GovTextField) -> None:
        if field.data == "yes" and not self.views.data:
            self.add_error("views", "Enter the child's views and wishes")
        elif field.data == "no" and not self.why_not.data:
            self.add_error("why_not", "Enter why the child's views could not be sought")

    def value(self) -> dict[str, str]:
        sought = self.sought.data
        return {
            "sought": sought,
            "views": self.views.data if sought == "yes" else "",
            "why_not": self.why_not.data if sought == "no" else "",
        }


class ActionForm(GovForm):
    """Add an action to the plan: what, who owns it, when it is due. ``people`` are the possible owners by id."""

    idempotency_key = GovTextField(max_length=64)
    description = GovTextField(
        validators=[
            Required("Enter the action"),
            MaxLength(NOTE_LENGTH, f"Action must be {NOTE_LENGTH:,} characters or fewer"),
        ],
        max_length=NOTE_LENGTH,
    )
    owner = GovTextField(max_length=64)
    due_on = GovDateField("the date the action is due", future=True)
    due_time = GovTimeField("the time the action is due")

    def __init__(self, *args: Any, people: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people

    @property
    def key_ok(self) -> bool:
        """The idempotency key the page sent is one Convene made (8 to 64 characters)."""
        return 8 <= len(self.idempotency_key.data) <= 64

    def validate_owner(self, field: GovTextField) -> None:
        if self.people.get(field.data) is None:
            raise StopValidation("Select who owns the action")

    def new_action(self) -> NewAction:
        assert self.due_on.data is not None and self.due_time.data is not None, "only after validation"
        due_at = local_datetime(self.due_on.data, self.due_time.data.hour, self.due_time.data.minute)
        return NewAction(self.description.data, self.people[self.owner.data], due_at)


class ActionStatusForm(GovForm):
    status = GovTextField(
        validators=[OneOf({s.value for s in ActionStatus}, "Select the status of the action")], max_length=40
    )


class AmendmentForm(GovForm):
    reason = GovTextField(
        validators=[
            Required("Enter the reason for the amendment"),
            MaxLength(NOTE_LENGTH, f"Reason must be {NOTE_LENGTH:,} characters or fewer"),
        ],
        max_length=NOTE_LENGTH,
    )


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


class SignOffForm(GovForm):
    """Sign-off asks again for the password and a fresh authenticator code."""

    password = GovTextField(validators=[Required("Enter your password")], strip=False, max_length=None)
    code = GovTextField(
        validators=[Required("Enter the 6-digit code from your authenticator app")], max_length=32, filters=[_digits]
    )

    def validate_code(self, field: GovTextField) -> None:
        if len(field.data) != 6:
            raise StopValidation("The code must be 6 digits")


class ReferralSubmittedForm(GovForm):
    """The NRM referral was made: when, and the Home Office's reference."""

    referred_on = GovDateField("the date the referral was made", past=True)
    reference = GovTextField(
        validators=[
            MaxLength(60, "Reference must be 60 characters or fewer"),
            Required("Enter the NRM referral reference"),
        ],
        max_length=60,
    )


@dataclass(frozen=True)
class NrmDecision:
    stage: str
    decided_on: date
    outcome: str
    letter: bytes | None


class NrmDecisionForm(GovForm):
    """An NRM decision: its stage, the outcome (the options depend on the stage and the nation), its date, and the
    decision letter if there is one."""

    stage = GovTextField(
        validators=[
            OneOf(
                {"reasonable_grounds", "conclusive_grounds"},
                "Select whether this is a reasonable grounds or conclusive grounds decision",
            )
        ],
        max_length=40,
    )
    outcome = GovTextField(max_length=80)
    decided_on = GovDateField("the date of the decision", past=True)
    letter = GovFileField(max_bytes=MAX_LETTER_BYTES)

    def __init__(self, *args: Any, nation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nation = nation

    def validate_outcome(self, field: GovTextField) -> None:
        reasonable = self.stage.data == "reasonable_grounds"
        options = REASONABLE_GROUNDS_OUTCOMES if reasonable else CONCLUSIVE_GROUNDS_OUTCOMES[self.nation]
        if field.data not in {o.key for o in options}:
            raise StopValidation("Select the decision")

    def validate_letter(self, field: GovFileField) -> None:
        if field.data is not None:
            try:
                check_letter(field.data)
            except LetterRefused as refused:
                raise StopValidation(str(refused)) from refused

    def decision(self) -> NrmDecision:
        assert self.decided_on.data is not None, "only after validation"
        return NrmDecision(self.stage.data, self.decided_on.data, self.outcome.data, self.letter.data)


class ReconsiderationForm(GovForm):
    """A request to reconsider a negative decision: its text, what happened to it, and when."""

    text = GovTextField(
        validators=[
            Required("Enter the request"),
            MaxLength(TEXT_MAX_LENGTH, f"The request must be {TEXT_MAX_LENGTH:,} characters or fewer"),
        ],
        max_length=TEXT_MAX_LENGTH,
    )
    status = GovTextField(
        validators=[OneOf({"drafted", "sent", "answered"}, "Select what happened to the request")], max_length=20
    )
    on = GovDateField("the date", past=True)


class ScaUpdateForm(GovForm):
    """Tell the Single Competent Authority about an amendment: a confirmation."""

    checked = GovTextField(
        validators=[OneOf({"yes"}, "Confirm that you have checked the changes and the referral answers")],
        max_length=3,
    )


class ElementsForm(GovForm):
    """The elements of trafficking: the act, the means, the purpose (types of exploitation), where. What the rules
    ask for (`rules.elements.validate_elements`) is checked after the fields, in the rules' order."""

    acts = GovListField(max_item_length=TEXT_MAX_LENGTH)
    movement_within_uk = GovTextField(max_length=3)
    act_details = GovTextField(max_length=TEXT_MAX_LENGTH)
    means = GovListField(max_item_length=TEXT_MAX_LENGTH)
    means_details = GovTextField(max_length=TEXT_MAX_LENGTH)
    exploitation_types = GovListField(max_item_length=TEXT_MAX_LENGTH)
    other_exploitation_details = GovTextField(max_length=TEXT_MAX_LENGTH)
    purpose_details = GovTextField(max_length=TEXT_MAX_LENGTH)
    where = GovTextField(max_length=TEXT_MAX_LENGTH)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        unknown = (set(self.acts.data) - {o.key for o in ACTS}) | (set(self.means.data) - {o.key for o in MEANS})
        unknown |= set(self.exploitation_types.data) - set(EXPLOITATION_TYPE_KEYS)
        if unknown:
            self.add_error("acts", "Select options from the lists")
        for problem in validate_elements(self.record()):
            self.add_error(problem.field, problem.message)
        if self.where.data and self.where.data not in {o.key for o in WHERE_OPTIONS}:
            self.add_error("where", "Select where the exploitation happened")
        return not self.gov_errors

    def record(self) -> ElementsRecord:
        return ElementsRecord(
            acts=frozenset(o.key for o in ACTS if o.key in self.acts.data),
            movement_within_uk=self.movement_within_uk.data == "yes",
            act_details=self.act_details.data,
            means=frozenset(o.key for o in MEANS if o.key in self.means.data),
            means_details=self.means_details.data,
            exploitation_types=frozenset(k for k in EXPLOITATION_TYPE_KEYS if k in self.exploitation_types.data),
            other_exploitation_details=self.other_exploitation_details.data,
            purpose_details=self.purpose_details.data,
            where=self.where.data,
        )

    def value(self) -> dict[str, Any]:
        """The section as saved (JSON-ready; lists in the lists' order)."""
        return {
            "acts": [o.key for o in ACTS if o.key in self.acts.data],
            "movement_within_uk": self.movement_within_uk.data == "yes",
            "act_details": self.act_details.data,
            "means": [o.key for o in MEANS if o.key in self.means.data],
            "means_details": self.means_details.data,
            "exploitation_types": [k for k in EXPLOITATION_TYPE_KEYS if k in self.exploitation_types.data],
            "other_exploitation_details": self.other_exploitation_details.data,
            "purpose_details": self.purpose_details.data,
            "where": self.where.data,
        }


def _short(label: str) -> GovTextField:
    """A name or a reference: at most `SHORT_TEXT` characters."""
    return GovTextField(
        validators=[MaxLength(SHORT_TEXT, f"{label} must be {SHORT_TEXT:,} characters or fewer")], max_length=SHORT_TEXT
    )


ATTENDANCE_STATUSES = frozenset(s.value for s in AttendanceStatus)


def _attendance_needs(role: Seat) -> Any:
    """After a valid status: a deputy's name when a deputy came, a summary when only a written submission did.
    The message goes on that field (declared before the status, so it is listed in page order)."""
    label, key = ROLE_LABELS[role], role.value

    def check(form: GovForm, field: GovTextField) -> None:
        deputy, summary = form[f"deputy-{key}"], form[f"summary-{key}"]
        if field.data == AttendanceStatus.DEPUTY_PRESENT and not deputy.data:
            deputy.errors.append(f"Enter the name of the deputy for {label}")
        if field.data == AttendanceStatus.WRITTEN_SUBMISSION and not summary.data:
            summary.errors.append(f"Enter a short summary of the written submission from {label}")

    return check


class AttendanceForm(GovForm):
    """The register: for each role, who came, a deputy's name, a written submission's summary, how they attended.
    The fields depend on the conference's roles, so the page's class is made per request by `for_roles`."""

    roles: tuple[Seat, ...] = ()

    @classmethod
    def for_roles(cls, roles: Sequence[Seat]) -> type[AttendanceForm]:
        fields: dict[str, Any] = {}
        for role in roles:
            key = role.value
            fields[f"person-{key}"] = _short("Name")
            fields[f"deputy-{key}"] = _short("Deputy's name")
            fields[f"summary-{key}"] = _long("Summary")
            fields[f"status-{key}"] = GovTextField(
                validators=[
                    OneOf(ATTENDANCE_STATUSES, f"Select how {ROLE_LABELS[role]} attended"),
                    _attendance_needs(role),
                ],
                max_length=40,
            )
        return type("AttendanceForm", (cls,), {"roles": tuple(roles), **fields})

    def lines(self) -> list[AttendanceLine]:
        lines = []
        for role in self.roles:
            key = role.value
            if self[f"status-{key}"].data not in ATTENDANCE_STATUSES:
                continue
            status = AttendanceStatus(self[f"status-{key}"].data)
            deputy = self[f"deputy-{key}"].data if status == AttendanceStatus.DEPUTY_PRESENT else ""
            summary = self[f"summary-{key}"].data if status == AttendanceStatus.WRITTEN_SUBMISSION else ""
            lines.append(AttendanceLine(role, status, self[f"person-{key}"].data, deputy, summary))
        return lines


class InformationForm(GovForm):
    """Each agency's information, one text per role (made per request by `for_roles`: the conference's roles, or
    an agency member's own)."""

    roles: tuple[Seat, ...] = ()

    @classmethod
    def for_roles(cls, roles: Sequence[Seat]) -> type[InformationForm]:
        fields = {f"information-{r.value}": _long(f"Information from {ROLE_LABELS[r]}") for r in roles}
        return type("InformationForm", (cls,), {"roles": tuple(roles), **fields})

    def value(self) -> dict[str, str]:
        texts = {role.value: self[f"information-{role.value}"].data for role in self.roles}
        return {key: text for key, text in texts.items() if text}


AGENCIES = frozenset(r.value for r in Seat)


class IndicatorsForm(GovForm):
    """The indicators ticked from the record's catalogue, each with the agency that raised it, a note and whether
    it is known or suspected. Made per request by `for_catalogue` (the catalogue is versioned per record). What the
    rules ask of the ticks (`rules.indicators.validate_ticks`) is checked after the fields."""

    catalogue: IndicatorCatalogue

    @classmethod
    def for_catalogue(cls, catalogue: IndicatorCatalogue) -> type[IndicatorsForm]:
        fields: dict[str, Any] = {}
        for indicator in catalogue.indicators:
            name = f"indicator-{indicator.key}"
            fields[name] = GovTextField(max_length=3)
            fields[f"{name}-agency"] = GovTextField(max_length=40)
            fields[f"{name}-note"] = GovTextField(max_length=NOTE_LENGTH)
            fields[f"{name}-level"] = GovTextField(max_length=20)
        return type("IndicatorsForm", (cls,), {"catalogue": catalogue, **fields})

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        self.ticks: list[IndicatorTick] = []
        names: list[str] = []
        for indicator in self.catalogue.indicators:
            name = f"indicator-{indicator.key}"
            if self[name].data != "yes":
                continue
            agency, level = self[f"{name}-agency"].data, self[f"{name}-level"].data or "yes"
            if agency not in AGENCIES:
                self.add_error(f"{name}-agency", f"Select the agency that raised '{indicator.label}'")
            elif level not in LEVELS:
                self.add_error(f"{name}-level", f"Select whether '{indicator.label}' is known or suspected")
            else:
                self.ticks.append(IndicatorTick(indicator.key, Seat(agency), self[f"{name}-note"].data, level))
                names.append(name)
        for problem in validate_ticks(self.ticks, self.catalogue):
            index_text = problem.field.split("-")[1]
            suffix = problem.field[len(f"indicators-{index_text}") :]
            self.add_error(names[int(index_text)] + suffix, problem.message)
        return not self.gov_errors

    def value(self) -> dict[str, Any]:
        return {
            "catalogue_version": self.catalogue.version,
            "ticks": [{"key": t.key, "agency": t.agency.value, "note": t.note, "level": t.level} for t in self.ticks],
        }


class RecorderForm(GovForm):
    """The chair names a coordinator to write the record (their user id), or nobody (empty)."""

    recorder = GovTextField(max_length=64)
