"""Agencies involved in a case: the opening questions on the new-case page, the case page's section, and the page
where a coordinator adds or removes an agency (issue 9)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, has_permission, requires
from conference.cases import involvement
from conference.cases.forms import AgenciesForm
from conference.cases.models import Case
from conference.cases.queries import get_case
from conference.cases.sections import register_case_section

bp = Blueprint("involvement", __name__, url_prefix="/cases")


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


@bp.route("/<uuid:case_id>/agencies", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def case_agencies(case_id: uuid.UUID) -> ResponseReturnValue:
    case = get_case(g.user, case_id)
    form = AgenciesForm()
    if form.check():
        try:
            if form.removing:
                agency = involvement.withdraw_agency(g.user, case, form.agency_id)
                session["involvement_banner"] = f"{agency.name} is no longer involved"
            else:
                agency = involvement.involve_agency(g.user, case, form.agency_id)
                session["involvement_banner"] = f"{agency.name} is now involved"
        except involvement.InvolvementError as error:
            form.add_error("agency", str(error))
        else:
            return redirect(url_for("involvement.case_agencies", case_id=case.id))
    return render_template(
        "cases/agencies.html",
        case=case,
        errors=form.gov_errors,
        banner=session.pop("involvement_banner", None) if not form.gov_errors else None,
        to_add=involvement.find_agencies_to_add(case),
        **_section(case),
    ), form.status
