"""The case pages' forms (open a case, change the child's facts, link a case, the agencies involved): one WTForms
class per page on `conference.forms.GovForm`, fields declared in page order so the error summary follows the page,
with the GOV.UK wording the pages had when they were read by hand."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import request
from wtforms.validators import StopValidation

from conference.cases import facts, involvement
from conference.cases.fact_models import LinkKind
from conference.cases.models import Case, Gender, MissingRisk
from conference.cases.services import NewCase
from conference.db import utcnow
from conference.forms import (
    GovDateField,
    GovForm,
    GovTextField,
    GovTimeField,
    MaxLength,
    OneOf,
    Required,
    local_datetime,
)

YES_NO = frozenset({"yes", "no"})
NAME_LENGTH = 120
REASON_LENGTH = 2000
DATE_FACTS = ("child_born_on", "age_assessment_requested_on", "age_assessment_carried_out_on")
AGE_OR_BIRTH = "Enter the child's date of birth or their estimated age"

#: The opening questions, in page order: (field, legend, hint, error).
OPENING_QUESTIONS = (
    (
        "foreign_national",
        "Is the child a foreign national?",
        "Convene will involve the Home Office (immigration, Border Force).",
        "Select yes if the child is a foreign national",
    ),
    (
        "in_education",
        "Is the child in education?",
        "Convene will involve education.",
        "Select yes if the child is in education",
    ),
    (
        "guardian_allocated",
        "Has an Independent Child Trafficking Guardian (ICTG) been allocated?",
        "Convene will involve the ICTG service.",
        "Select yes if an Independent Child Trafficking Guardian has been allocated",
    ),
    (
        "nrm_referral_made",
        "Has a National Referral Mechanism (NRM) referral been made?",
        "Convene will involve the Single Competent Authority.",
        "Select yes if an NRM referral has been made",
    ),
)
_QUESTION_ERRORS = {name: message for name, _, _, message in OPENING_QUESTIONS}


def _text(length: int, label: str, *validators: Any) -> GovTextField:
    """A trimmed text of at most ``length`` characters ("<label> must be N characters or fewer")."""
    return GovTextField(
        validators=[*validators, MaxLength(length, f"{label} must be {length:,} characters or fewer")],
        max_length=length,
    )


def _yes_no(message: str) -> GovTextField:
    return GovTextField(validators=[OneOf(YES_NO, message)], max_length=3)


class ChildForm(GovForm):
    """The child's details, shared by opening a case and changing its facts (the fields both pages show first)."""

    child_first_name = _text(NAME_LENGTH, "First name", Required("Enter the child's first name, or the name they use"))
    child_last_name = _text(NAME_LENGTH, "Last name")
    child_born_on = GovDateField("date of birth", required=False, past=True)
    child_estimated_age = GovTextField(max_length=3)
    age_disputed = GovTextField(max_length=3)
    gender = GovTextField(
        validators=[OneOf({g.value for g in Gender}, "Select the child's gender, or 'Not known'")], max_length=40
    )
    nationality = _text(80, "Nationality")
    languages = _text(200, "Languages")
    interpreter_needed = _yes_no("Select yes if the child needs an interpreter")

    def validate_child_estimated_age(self, field: GovTextField) -> None:
        if field.data and (not field.data.isdecimal() or not 0 <= int(field.data) <= 25):
            raise StopValidation("Estimated age must be a whole number between 0 and 25")
        born = self.child_born_on
        if born.data is None and not field.data and not born.errors:
            born.errors.append(AGE_OR_BIRTH)  # listed at the date of birth, where the page asks first

    @property
    def estimated_age(self) -> int | None:
        return int(self.child_estimated_age.data) if self.child_estimated_age.data else None


class NewCaseForm(ChildForm):
    """Open a case: the child's details, when the child was identified, the risk of going missing, and the
    opening questions that decide the agencies involved."""

    identified_on = GovDateField("the date the child was identified", past=True)
    identified_time = GovTimeField("the time the child was identified")
    missing_risk = GovTextField(
        validators=[OneOf({r.value for r in MissingRisk}, "Select the risk of the child going missing")], max_length=40
    )
    foreign_national = _yes_no(_QUESTION_ERRORS["foreign_national"])
    in_education = _yes_no(_QUESTION_ERRORS["in_education"])
    guardian_allocated = _yes_no(_QUESTION_ERRORS["guardian_allocated"])
    nrm_referral_made = _yes_no(_QUESTION_ERRORS["nrm_referral_made"])

    def validate_identified_time(self, field: GovTimeField) -> None:
        if self.identified_on.data is None or field.data is None:
            return
        if local_datetime(self.identified_on.data, field.data.hour, field.data.minute) > utcnow():
            raise StopValidation("The time the child was identified must be in the past")

    def details(self) -> NewCase:
        """The case to open (after validation)."""
        assert self.identified_on.data is not None and self.identified_time.data is not None, "only after validation"
        identified = self.identified_time.data
        return NewCase(
            child_first_name=self.child_first_name.data,
            child_last_name=self.child_last_name.data,
            child_born_on=self.child_born_on.data,
            child_estimated_age=self.estimated_age,
            age_disputed=self.age_disputed.data == "yes",
            gender=Gender(self.gender.data),
            nationality=self.nationality.data,
            languages=self.languages.data,
            interpreter_needed=self.interpreter_needed.data == "yes",
            identified_at=local_datetime(self.identified_on.data, identified.hour, identified.minute),
            missing_risk=MissingRisk(self.missing_risk.data),
        )

    def answers(self) -> involvement.OpeningAnswers:
        """The opening answers (after validation)."""
        return involvement.OpeningAnswers(**{name: self[name].data == "yes" for name in _QUESTION_ERRORS})


class FactsForm(ChildForm):
    """Change the child's facts, with a reason. The values each person saw (``seen-<fact>``, from the page) go with
    the change, for the conflict check."""

    missing_risk = GovTextField(
        validators=[OneOf({r.value for r in MissingRisk}, "Select the risk of the child going missing")], max_length=40
    )
    legal_status = _text(200, "Legal or immigration status")
    age_assessment_requested_on = GovDateField("the date the age assessment was requested", required=False, past=True)
    age_assessment_carried_out_on = GovDateField(
        "the date the age assessment was carried out", required=False, past=True
    )
    age_assessment_outcome = _text(300, "Outcome")
    reason = _text(REASON_LENGTH, "Reason", Required("Enter the reason for the change"))

    def validate_age_assessment_carried_out_on(self, field: GovDateField) -> None:
        requested_on = self.age_assessment_requested_on.data
        if requested_on and field.data and field.data < requested_on:
            raise StopValidation(
                "The date the age assessment was carried out must be the same as or after the date it was requested"
            )

    def validate_age_assessment_outcome(self, field: GovTextField) -> None:
        done = self.age_assessment_carried_out_on
        if field.data and done.data is None and not done.errors:
            done.errors.append("Enter the date the age assessment was carried out")

    def edit(self) -> facts.FactEdit:
        """Every fact as the person left it (stored texts), with the values they saw (after validation)."""
        values = {
            "child_first_name": self.child_first_name.data,
            "child_last_name": self.child_last_name.data,
            "child_born_on": _iso(self.child_born_on.data),
            "child_estimated_age": str(self.estimated_age) if self.estimated_age is not None else "",
            "age_disputed": "yes" if self.age_disputed.data == "yes" else "no",
            "gender": self.gender.data,
            "nationality": self.nationality.data,
            "languages": self.languages.data,
            "interpreter_needed": self.interpreter_needed.data,
            "missing_risk": self.missing_risk.data,
            "legal_status": self.legal_status.data,
            "age_assessment_requested_on": _iso(self.age_assessment_requested_on.data),
            "age_assessment_carried_out_on": _iso(self.age_assessment_carried_out_on.data),
            "age_assessment_outcome": self.age_assessment_outcome.data,
        }
        posted = request.form
        seen = {spec.name: str(posted[f"seen-{spec.name}"]) for spec in facts.FACTS if f"seen-{spec.name}" in posted}
        return facts.FactEdit(values=values, seen=seen, reason=self.reason.data)

    def add_conflict(self, conflict: facts.FactConflict, page: dict[str, str]) -> None:
        """Name each fact someone else changed meanwhile; saving again applies what the person has now checked."""
        for name, saved in conflict.saved.items():
            spec = facts.FACTS_BY_NAME[name]
            self.add_error(
                f"{name}-day" if name in DATE_FACTS else name,
                f"{spec.label} was changed by someone else to '{facts.display_text(spec, saved)}' while you "
                "were editing. Check your answer and save again",
            )
            page[f"seen-{name}"] = saved


def _iso(on: date | None) -> str:
    return on.isoformat() if on else ""


def facts_page_from_case(case: Case) -> dict[str, str]:
    """The facts page as the case stands: the fields, and the values seen (``seen-<fact>``) for the conflict check."""
    page: dict[str, str] = {}
    for name, value in facts.current_facts(case).items():
        page[f"seen-{name}"] = value
        if name in DATE_FACTS:
            on = date.fromisoformat(value) if value else None
            page[f"{name}-day"] = str(on.day) if on else ""
            page[f"{name}-month"] = str(on.month) if on else ""
            page[f"{name}-year"] = str(on.year) if on else ""
        else:
            page[name] = value
    return page


class LinkCaseForm(GovForm):
    """Link a case: the other case's reference, how the children are connected, and why."""

    reference = _text(20, "Reference", Required("Enter the reference of the case to link, for example NB-2026-0042"))
    kind = GovTextField(
        validators=[OneOf({k.value for k in LinkKind}, "Select how the children are connected")], max_length=40
    )
    reason = _text(REASON_LENGTH, "Reason", Required("Enter the reason for linking the cases"))

    @property
    def link_kind(self) -> LinkKind:
        return LinkKind(self.kind.data)


class AgenciesForm(GovForm):
    """Involve an agency (``agency``), or stop involving one (the button ``action`` = ``remove:<agency id>``).
    The service says what is wrong (an agency not offered, one not involved); the page shows it at ``agency``."""

    action = GovTextField(max_length=100)
    agency = GovTextField(max_length=100)

    @property
    def removing(self) -> bool:
        return self.action.data.startswith("remove:")

    @property
    def agency_id(self) -> uuid.UUID | None:
        """The agency to withdraw (from the button) or to involve (from the list); None if it is not an id."""
        value = self.action.data.split(":", 1)[1] if self.removing else self.agency.data
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
