"""Agencies involved in a case: the opening questions on the new-case page, the case page's section, and the page
where a coordinator adds or removes an agency (issue 9)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, has_permission, requires
from conference.cases import involvement
from conference.cases.models import Case
from conference.cases.queries import get_case
from conference.cases.sections import register_case_section
from conference.forms import FormErrors

bp = Blueprint("involvement", __name__, url_prefix="/cases")

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


def read_opening_answers(form: dict[str, str], errors: FormErrors) -> involvement.OpeningAnswers | None:
    """The new-case page's questions that decide the agencies involved; each needs a yes or no."""
    values: dict[str, bool] = {}
    for field, _, _, message in OPENING_QUESTIONS:
        answer = form.get(field, "")
        if answer not in ("yes", "no"):
            errors.add(field, message)
        values[field] = answer == "yes"
    if errors:
        return None
    return involvement.OpeningAnswers(**values)


def _section(case: Case) -> dict[str, Any]:
    links = involvement.find_involved_agencies(case)
    return {
        "links": links,
        "users": involvement.find_users_by_id({x.added_by_id for x in links if x.added_by_id}),
        "can_change": has_permission(getattr(g, "user", None), Permission.CASE_EDIT),
        # Kinds proposed when the case was opened that no agency serving the area has (shown once).
        "missing": session.pop("involvement_missing", []),
    }


register_case_section(10, "cases/_involved_agencies.html", _section)


def _agency_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@bp.route("/<uuid:case_id>/agencies", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def case_agencies(case_id: uuid.UUID) -> ResponseReturnValue:
    case = get_case(g.user, case_id)
    errors = FormErrors()
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action.startswith("remove:"):
                agency = involvement.withdraw_agency(g.user, case, _agency_id(action.split(":", 1)[1]))
                session["involvement_banner"] = f"{agency.name} is no longer involved"
            else:
                agency = involvement.involve_agency(g.user, case, _agency_id(request.form.get("agency", "")))
                session["involvement_banner"] = f"{agency.name} is now involved"
        except involvement.InvolvementError as error:
            errors.add("agency", str(error))
        else:
            return redirect(url_for("involvement.case_agencies", case_id=case.id))
    return render_template(
        "cases/agencies.html",
        case=case,
        errors=errors,
        banner=session.pop("involvement_banner", None) if not errors else None,
        to_add=involvement.find_agencies_to_add(case),
        **_section(case),
    ), 400 if errors else 200
