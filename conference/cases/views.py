"""Case list, new case, case page, and who viewed a case."""

from __future__ import annotations

import uuid

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.models import User
from conference.auth.policy import Permission, has_permission, requires
from conference.cases import access_log, involvement, queries, services
from conference.cases.forms import OPENING_QUESTIONS, NewCaseForm
from conference.cases.models import Gender, MissingRisk
from conference.cases.sections import case_list_marks, case_sections
from conference.db import utcnow
from conference.forms import restored_form_data

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


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new_case() -> ResponseReturnValue:
    form = NewCaseForm()
    page: dict[str, str] = restored_form_data() or {}
    restored = bool(page)
    if form.is_submitted():
        page = request.form.to_dict()
    if form.check():
        opened = involvement.open_case_with_agencies(g.user, form.details(), form.answers())
        session["case_created"] = opened.case.reference
        session["involvement_missing"] = [kind.label for kind in opened.missing]
        return redirect(url_for("cases.show_case", case_id=opened.case.id))
    return render_template(
        "cases/new.html",
        errors=form.gov_errors,
        form=page,
        restored=restored,
        genders=list(Gender),
        risks=list(MissingRisk),
        opening_questions=OPENING_QUESTIONS,
    ), form.status


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
