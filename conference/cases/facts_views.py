"""The child's facts on the case page (with "changed since the last meeting", age on each meeting's date, the
approaching-18 alert and linked cases), changing facts with a reason, their history, and linking cases."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.models import User
from conference.auth.policy import Permission, has_permission, requires
from conference.cases import facts, linked, queries
from conference.cases.fact_models import LinkKind
from conference.cases.forms import FactsForm, LinkCaseForm, facts_page_from_case
from conference.cases.models import Case, Gender, MissingRisk
from conference.cases.sections import register_case_section
from conference.convening import fact_deadlines
from conference.db import utcnow
from rules.age import ADULTHOOD_ALERT_DAYS
from rules.timescales import london_date

bp = Blueprint("case_facts", __name__, url_prefix="/cases")
MESSAGES = "case_facts_messages"


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


@bp.route("/<uuid:case_id>/facts", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def change_facts(case_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = queries.get_case(user, case_id)
    form = FactsForm()
    page = request.form.to_dict() if form.is_submitted() else facts_page_from_case(case)
    status = 200
    if form.check():
        try:
            result = facts.change_case_facts(user, case, form.edit())
        except facts.FactConflict as conflict:
            form.add_conflict(conflict, page)
            status = 409
        except facts.FactChangeError as error:
            form.add_error("reason", str(error))
        else:
            labels = ", ".join(facts.FACTS_BY_NAME[c.fact].label for c in result.changes)
            session["case_banner"] = f"Facts changed: {labels}"
            if result.messages:
                session[MESSAGES] = result.messages
            return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template(
        "cases/facts_change.html",
        case=case,
        form=page,
        errors=form.gov_errors,
        genders=list(Gender),
        risks=list(MissingRisk),
    ), status if status != 200 else form.status


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
    form = LinkCaseForm()
    if form.check():
        try:
            linked.link_cases(user, case, form.reference.data, form.link_kind, form.reason.data)
        except linked.LinkError as error:
            form.add_error("reference", str(error))
        else:
            session["case_banner"] = f"Case linked to {form.reference.data.upper()}"
            return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template(
        "cases/facts_link.html",
        case=case,
        form=request.form.to_dict() if form.is_submitted() else {},
        errors=form.gov_errors,
        kinds=list(LinkKind),
    ), form.status
