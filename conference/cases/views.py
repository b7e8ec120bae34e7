"""Case list, new case, case page, and who viewed a case."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.models import User
from conference.auth.policy import Permission, has_permission, requires
from conference.cases import access_log, involvement, queries, services
from conference.cases.involvement_views import OPENING_QUESTIONS, read_opening_answers
from conference.cases.models import Gender, MissingRisk
from conference.cases.sections import case_list_marks, case_sections
from conference.db import utcnow
from conference.forms import FormErrors, local_datetime, parse_date, parse_time_of_day, restored_form_data, text_field

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("")
@requires(Permission.CASE_LIST)
def list_cases() -> ResponseReturnValue:
    try:
        sort = queries.CaseSort(request.args.get("sort", "urgency"))
    except ValueError:
        sort = queries.CaseSort.URGENCY
    include_closed = request.args.get("closed") == "yes"
    cases = queries.find_cases(g.user, sort=sort, include_closed=include_closed)
    access_log.record_case_list_viewed(g.user, len(cases))
    return render_template(
        "cases/list.html",
        cases=cases,
        marks=case_list_marks(cases),
        sort=sort,
        sorts=list(queries.CaseSort),
        include_closed=include_closed,
        now=utcnow(),
        show_identity=has_permission(g.user, Permission.CASE_IDENTITY),
        created=session.pop("case_created", None),
    )


def _validate_new_case(form: dict[str, str], errors: FormErrors) -> services.NewCase | None:
    first_name = text_field(form, "child_first_name", max_length=120)
    last_name = text_field(form, "child_last_name", max_length=120)
    if not first_name:
        errors.add("child_first_name", "Enter the child's first name, or the name they use")
    elif len(first_name) > 120:
        errors.add("child_first_name", "First name must be 120 characters or fewer")
    if len(last_name) > 120:
        errors.add("child_last_name", "Last name must be 120 characters or fewer")
    born_on = parse_date(form, "child_born_on", "date of birth", errors, required=False, past=True)
    age_text = text_field(form, "child_estimated_age", max_length=3)
    age: int | None = None
    if age_text:
        if not age_text.isdecimal() or not 0 <= int(age_text) <= 25:
            errors.add("child_estimated_age", "Estimated age must be a whole number between 0 and 25")
        else:
            age = int(age_text)
    if born_on is None and not age_text and "child_born_on-day" not in errors:
        errors.add("child_born_on-day", "Enter the child's date of birth or their estimated age")
    # Checked in page order, so that the error summary lists problems in the order of the form.
    gender = form.get("gender", "")
    if gender not in {g.value for g in Gender}:
        errors.add("gender", "Select the child's gender, or 'Not known'")
    nationality = text_field(form, "nationality", max_length=80)
    languages = text_field(form, "languages", max_length=200)
    if len(nationality) > 80:
        errors.add("nationality", "Nationality must be 80 characters or fewer")
    if len(languages) > 200:
        errors.add("languages", "Languages must be 200 characters or fewer")
    interpreter = form.get("interpreter_needed", "")
    if interpreter not in {"yes", "no"}:
        errors.add("interpreter_needed", "Select yes if the child needs an interpreter")
    identified_at = _identified_at(form, errors)
    risk = form.get("missing_risk", "")
    if risk not in {r.value for r in MissingRisk}:
        errors.add("missing_risk", "Select the risk of the child going missing")
    if errors or identified_at is None:
        return None
    return services.NewCase(
        child_first_name=first_name,
        child_last_name=last_name,
        child_born_on=born_on,
        child_estimated_age=age,
        age_disputed=form.get("age_disputed") == "yes",
        gender=Gender(gender),
        nationality=nationality,
        languages=languages,
        interpreter_needed=interpreter == "yes",
        identified_at=identified_at,
        missing_risk=MissingRisk(risk),
    )


def _identified_at(form: dict[str, str], errors: FormErrors) -> datetime | None:
    identified_on = parse_date(form, "identified_on", "the date the child was identified", errors, past=True)
    time_text = text_field(form, "identified_time", max_length=10)
    identified_time = parse_time_of_day(time_text) if time_text else None
    if not time_text:
        errors.add("identified_time", "Enter the time the child was identified")
    elif identified_time is None:
        errors.add("identified_time", "Enter a real time, for example 2:30pm or 14:30")
    if identified_on is None or identified_time is None:
        return None
    identified_at = local_datetime(identified_on, *identified_time)
    if identified_at > utcnow():
        errors.add("identified_time", "The time the child was identified must be in the past")
        return None
    return identified_at


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new_case() -> ResponseReturnValue:
    errors = FormErrors()
    form: dict[str, str] = restored_form_data() or {}
    restored = bool(form)
    if request.method == "POST":
        form = request.form.to_dict()
        details = _validate_new_case(form, errors)
        answers = read_opening_answers(form, errors)
        if details is not None and answers is not None:
            opened = involvement.open_case_with_agencies(g.user, details, answers)
            session["case_created"] = opened.case.reference
            session["involvement_missing"] = [kind.label for kind in opened.missing]
            return redirect(url_for("cases.show_case", case_id=opened.case.id))
    return render_template(
        "cases/new.html",
        errors=errors,
        form=form,
        restored=restored,
        genders=list(Gender),
        risks=list(MissingRisk),
        opening_questions=OPENING_QUESTIONS,
    ), 400 if errors else 200


@bp.route("/<uuid:case_id>")
@requires(Permission.CASE_VIEW)
def show_case(case_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = queries.get_case(user, case_id)
    show_identity = has_permission(user, Permission.CASE_IDENTITY)
    services.record_case_view(user, case, restricted=show_identity)
    sections = [(s.template, s.context(case)) for s in case_sections()]
    created = session.pop("case_created", None)
    banner = session.pop("case_banner", None)
    return render_template(
        "cases/case.html",
        case=case,
        show_identity=show_identity,
        now=utcnow(),
        sections=sections,
        created=created,
        banner=banner,
        can_see_access_log=has_permission(user, Permission.CASE_ACCESS_LOG),
    )


@bp.route("/<uuid:case_id>/access-log")
@requires(Permission.CASE_ACCESS_LOG)
def case_access_log(case_id: uuid.UUID) -> ResponseReturnValue:
    case = queries.get_case(g.user, case_id)
    log = access_log.view_access_log(g.user, case)
    return render_template("cases/access_log.html", case=case, events=log.events, users=log.users)
