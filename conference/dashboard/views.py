"""The case dashboard (coordinators and managers) and the agency engagement report with its CSV download."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, g, render_template, request, session
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from conference.auth.models import User
from conference.auth.policy import Permission, requires
from conference.auth.sessions import SignedIn
from conference.cases.scope import scope_key
from conference.dashboard import (
    approaching_adulthood,
    cache,
    decisions_adapter,
    engagement,
    queries,
    safety_panels,
    services,
)
from conference.dashboard.forms import PeriodForm
from conference.db import utcnow
from conference.extensions import EXPORT_LIMIT, limiter, user_rate_key
from rules.display import to_london

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def panels_context(user: User, now: datetime, today: date, period: engagement.Period) -> dict[str, Any]:
    """What templates/dashboard/_panels.html shows. A new panel is one more entry here (a query taking the user,
    scoped by ``case_scope``) and one ``{% include %}`` of its partial there."""
    report = engagement.engagement_report(user, period)
    return {
        "now": now,
        "cases": queries.find_urgent_cases(user),
        "coming_up": queries.find_meetings_coming_up(user, now),
        "awaiting": queries.find_meetings_awaiting_decision(user, now),
        "decisions_available": decisions_adapter.available(),
        "overdue_actions": decisions_adapter.find_overdue_actions(user, now),
        "referrals": decisions_adapter.find_waiting_referrals(user, today),
        "approaching": approaching_adulthood.find_children_approaching_18(user, today),
        "safety": safety_panels.find_safety_panels(user, now, *period.bounds()),
        "period": period,
        "report": report,
        "chart": engagement.engagement_chart(report),
    }


@bp.route("")
@requires(Permission.DASHBOARD_VIEW)
def dashboard() -> ResponseReturnValue:
    now = utcnow()
    today = to_london(now).date()
    form = PeriodForm.read(request.args, today)
    errors, period, period_form = form.gov_errors, form.period, form.page

    def render() -> str:
        context = panels_context(g.user, now, today, period)
        return render_template("dashboard/_panels.html", errors=errors, period_form=period_form, **context)

    def render_page(panels: Markup) -> str:
        return render_template("dashboard/dashboard.html", errors=errors, panels=panels)

    if errors:  # a page with errors is not kept: it shows what was typed
        return render_page(Markup(render())), 400  # the output of an autoescaped template
    # Who is asking, as read with the session (conference.auth.sessions.SignedIn; the guard let only a signed-in
    # session through): a page served from the cache needs nothing more from the database.
    who: SignedIn = session.identity  # type: ignore[attr-defined]
    key = (scope_key(who.role, who.agency_id, who.area_id), str(who.role), tuple(sorted(period_form.items())))
    if session.get("form_not_kept"):  # a banner to show once: the page is made afresh
        return render_page(cache.rendered(key, render))
    page_key = (session.session_id, who.id, who.display_name, who.agency_id, key)  # type: ignore[attr-defined]
    return cache.page(page_key, key, render, render_page, g.csp_nonce)


@bp.route("/engagement.csv")
@requires(Permission.DASHBOARD_VIEW)
@limiter.limit(EXPORT_LIMIT, key_func=user_rate_key)
def engagement_csv() -> ResponseReturnValue:
    form = PeriodForm.read(request.args, to_london(utcnow()).date())
    if form.gov_errors:
        return dashboard()
    export = services.export_engagement_csv(g.user, form.period)
    return Response(
        export.body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )
