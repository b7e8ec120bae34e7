"""The child's facts on the case page (with "changed since the last meeting", age on each meeting's date, the
approaching-18 alert and linked cases), changing facts with a reason, their history, and linking cases."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.models import User
from conference.auth.policy import Permission, has_permission, requires
from conference.cases import facts, linked, queries
from conference.cases.fact_models import LinkKind
from conference.cases.models import Case, Gender, MissingRisk
from conference.cases.sections import register_case_section
from conference.convening import fact_deadlines
from conference.db import utcnow
from conference.forms import FormErrors, parse_date, text_field
from rules.age import ADULTHOOD_ALERT_DAYS
from rules.timescales import london_date

bp = Blueprint("case_facts", __name__, url_prefix="/cases")
MESSAGES = "case_facts_messages"
REASON_LENGTH = 2000
DATE_FACTS = ("child_born_on", "age_assessment_requested_on", "age_assessment_carried_out_on")


def _section(case: Case) -> dict[str, Any]:
    user: User = g.user
    history = facts.find_fact_changes(case.id)
    meetings = fact_deadlines.find_meetings_with_dates(case.id)
    last_at = fact_deadlines.last_meeting_at(meetings)
    now = utcnow()
    return {
        "facts": facts.FACTS_BY_NAME,
        "changed": facts.facts_changed_since(history, last_at),
        "last_meeting_at": last_at,
        "history_count": len(history),
        "meetings": [
            (
                c,
                facts.age_of_child_on(case, history, london_date(c.start_at)) if c.start_at else None,
                c.status.value in ("draft", "invited") and (c.start_at is None or c.start_at > now),
            )
            for c in meetings
        ],
        "alert": facts.approaching_adulthood(case, history, london_date(now)),
        "alert_days": ADULTHOOD_ALERT_DAYS,
        "age_now": facts.age_of_child_on(case, history, london_date(now)),
        "linked": linked.find_linked_cases(user, case.id),
        "messages": session.pop(MESSAGES, None),
    }


register_case_section(5, "cases/facts_section.html", _section)


# --- change the facts -----------------------------------------------------------------------------------------


def _form_from_case(case: Case) -> dict[str, str]:
    """The form as the case stands: the fields, and the values seen (``seen-<fact>``) for the conflict check."""
    saved = facts.current_facts(case)
    form: dict[str, str] = {}
    for name, value in saved.items():
        form[f"seen-{name}"] = value
        if name in DATE_FACTS:
            on = date.fromisoformat(value) if value else None
            form[f"{name}-day"] = str(on.day) if on else ""
            form[f"{name}-month"] = str(on.month) if on else ""
            form[f"{name}-year"] = str(on.year) if on else ""
        else:
            form[name] = value
    return form


def _read_facts(form: Mapping[str, str], errors: FormErrors) -> facts.FactEdit | None:
    """Every fact as the person left it (stored texts), in page order so the error summary follows the page."""
    values: dict[str, str] = {}
    for name, label in (("child_first_name", "First name"), ("child_last_name", "Last name")):
        values[name] = text_field(form, name, max_length=120)
        if len(values[name]) > 120:
            errors.add(name, f"{label} must be 120 characters or fewer")
    if not values["child_first_name"]:
        errors.add("child_first_name", "Enter the child's first name, or the name they use")
    _read_age(form, values, errors)
    values["age_disputed"] = "yes" if form.get("age_disputed") == "yes" else "no"
    values["gender"] = form.get("gender", "")
    if values["gender"] not in {g.value for g in Gender}:
        errors.add("gender", "Select the child's gender, or 'Not known'")
    for name, label, length in (("nationality", "Nationality", 80), ("languages", "Languages", 200)):
        values[name] = text_field(form, name, max_length=length)
        if len(values[name]) > length:
            errors.add(name, f"{label} must be {length} characters or fewer")
    values["interpreter_needed"] = form.get("interpreter_needed", "")
    if values["interpreter_needed"] not in {"yes", "no"}:
        errors.add("interpreter_needed", "Select yes if the child needs an interpreter")
    values["missing_risk"] = form.get("missing_risk", "")
    if values["missing_risk"] not in {r.value for r in MissingRisk}:
        errors.add("missing_risk", "Select the risk of the child going missing")
    values["legal_status"] = text_field(form, "legal_status", max_length=200)
    if len(values["legal_status"]) > 200:
        errors.add("legal_status", "Legal or immigration status must be 200 characters or fewer")
    _read_age_assessment(form, values, errors)
    reason = text_field(form, "reason", max_length=REASON_LENGTH)
    if not reason:
        errors.add("reason", "Enter the reason for the change")
    elif len(reason) > REASON_LENGTH:
        errors.add("reason", f"Reason must be {REASON_LENGTH:,} characters or fewer")
    if errors:
        return None
    seen = {spec.name: str(form.get(f"seen-{spec.name}", "")) for spec in facts.FACTS if f"seen-{spec.name}" in form}
    return facts.FactEdit(values=values, seen=seen, reason=reason)


def _read_age(form: Mapping[str, str], values: dict[str, str], errors: FormErrors) -> None:
    born_on = parse_date(form, "child_born_on", "date of birth", errors, required=False, past=True)
    values["child_born_on"] = born_on.isoformat() if born_on else ""
    age_text = text_field(form, "child_estimated_age", max_length=3)
    values["child_estimated_age"] = ""
    if age_text:
        if not age_text.isdecimal() or not 0 <= int(age_text) <= 25:
            errors.add("child_estimated_age", "Estimated age must be a whole number between 0 and 25")
        else:
            values["child_estimated_age"] = str(int(age_text))
    if born_on is None and not age_text and "child_born_on-day" not in errors:
        errors.add("child_born_on-day", "Enter the child's date of birth or their estimated age")


def _read_age_assessment(form: Mapping[str, str], values: dict[str, str], errors: FormErrors) -> None:
    requested_on = parse_date(
        form,
        "age_assessment_requested_on",
        "the date the age assessment was requested",
        errors,
        required=False,
        past=True,
    )
    done_on = parse_date(
        form,
        "age_assessment_carried_out_on",
        "the date the age assessment was carried out",
        errors,
        required=False,
        past=True,
    )
    if requested_on and done_on and done_on < requested_on:
        errors.add(
            "age_assessment_carried_out_on-day",
            "The date the age assessment was carried out must be the same as or after the date it was requested",
        )
    outcome = text_field(form, "age_assessment_outcome", max_length=300)
    if len(outcome) > 300:
        errors.add("age_assessment_outcome", "Outcome must be 300 characters or fewer")
    elif outcome and done_on is None and "age_assessment_carried_out_on-day" not in errors:
        errors.add("age_assessment_carried_out_on-day", "Enter the date the age assessment was carried out")
    values["age_assessment_requested_on"] = requested_on.isoformat() if requested_on else ""
    values["age_assessment_carried_out_on"] = done_on.isoformat() if done_on else ""
    values["age_assessment_outcome"] = outcome


def _field_id(name: str) -> str:
    return f"{name}-day" if name in DATE_FACTS else name


@bp.route("/<uuid:case_id>/facts", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def change_facts(case_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = queries.get_case(user, case_id)
    errors = FormErrors()
    form = _form_from_case(case)
    status = 200
    if request.method == "POST":
        form = request.form.to_dict()
        edit = _read_facts(form, errors)
        if edit is not None:
            try:
                result = facts.change_case_facts(user, case, edit)
            except facts.FactConflict as conflict:
                for name, saved in conflict.saved.items():
                    spec = facts.FACTS_BY_NAME[name]
                    errors.add(
                        _field_id(name),
                        f"{spec.label} was changed by someone else to '{facts.display_text(spec, saved)}' while you "
                        "were editing. Check your answer and save again",
                    )
                    form[f"seen-{name}"] = saved  # saving again applies what the person has now checked
                status = 409
            except facts.FactChangeError as error:
                errors.add("reason", str(error))
            else:
                labels = ", ".join(facts.FACTS_BY_NAME[c.fact].label for c in result.changes)
                session["case_banner"] = f"Facts changed: {labels}"
                if result.messages:
                    session[MESSAGES] = result.messages
                return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template(
        "cases/facts_change.html",
        case=case,
        form=form,
        errors=errors,
        genders=list(Gender),
        risks=list(MissingRisk),
    ), (status if status != 200 else (400 if errors else 200))


@bp.route("/<uuid:case_id>/facts/history")
@requires(Permission.CASE_VIEW)
def fact_history(case_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = queries.get_case(user, case_id)
    history = facts.record_history_viewed(user, case)
    return render_template(
        "cases/facts_history.html",
        case=case,
        history=history,
        specs=facts.FACTS_BY_NAME,
        authors=facts.find_authors(history),
        display=facts.display_text,
        show_identity=has_permission(user, Permission.CASE_IDENTITY),
    )


# --- link cases ---------------------------------------------------------------------------------------------------


@bp.route("/<uuid:case_id>/links/new", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def link_case(case_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = queries.get_case(user, case_id)
    errors = FormErrors()
    form: dict[str, str] = {}
    if request.method == "POST":
        form = request.form.to_dict()
        reference = text_field(form, "reference", max_length=20)
        kind = form.get("kind", "")
        reason = text_field(form, "reason", max_length=REASON_LENGTH)
        if not reference:
            errors.add("reference", "Enter the reference of the case to link, for example NB-2026-0042")
        elif len(reference) > 20:
            errors.add("reference", "Reference must be 20 characters or fewer")
        if kind not in {k.value for k in LinkKind}:
            errors.add("kind", "Select how the children are connected")
        if not reason:
            errors.add("reason", "Enter the reason for linking the cases")
        elif len(reason) > REASON_LENGTH:
            errors.add("reason", f"Reason must be {REASON_LENGTH:,} characters or fewer")
        if not errors:
            try:
                linked.link_cases(user, case, reference, LinkKind(kind), reason)
            except linked.LinkError as error:
                errors.add("reference", str(error))
            else:
                session["case_banner"] = f"Case linked to {reference.upper()}"
                return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template(
        "cases/facts_link.html", case=case, form=form, errors=errors, kinds=list(LinkKind)
    ), 400 if errors else 200
