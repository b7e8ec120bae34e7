"""The case dashboard (coordinators and managers) and the agency engagement report with its CSV download."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, g, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from conference.auth.models import User
from conference.auth.policy import Permission, requires
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
from conference.db import utcnow
from conference.extensions import EXPORT_LIMIT, limiter, user_rate_key
from conference.forms import FormErrors, parse_date
from rules.display import to_london

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 366


def _period(args: dict[str, str], errors: FormErrors, today: date) -> tuple[engagement.Period, dict[str, str]]:
    """The report period from the date inputs; the last 90 days when none is given."""
    default_from = today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    form = {
        f"{name}-{part}": args.get(f"{name}-{part}", "") for name in ("from", "to") for part in ("day", "month", "year")
    }
    if not any(form.values()):
        form.update(
            {
                "from-day": str(default_from.day),
                "from-month": str(default_from.month),
                "from-year": str(default_from.year),
                "to-day": str(today.day),
                "to-month": str(today.month),
                "to-year": str(today.year),
            }
        )
    from_on = parse_date(form, "from", "the start of the period", errors, today=today)
    to_on = parse_date(form, "to", "the end of the period", errors, today=today)
    if from_on and to_on:
        if to_on < from_on:
            errors.add("to-day", "The end of the period must be after the start of the period")
        elif (to_on - from_on).days >= MAX_PERIOD_DAYS:
            errors.add("to-day", "The period must be 366 days or shorter")
    if errors or from_on is None or to_on is None:
        return engagement.Period(default_from, today), form
    return engagement.Period(from_on, to_on), form


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
    errors = FormErrors()
    period, period_form = _period(request.args.to_dict(), errors, today)

    def render() -> str:
        context = panels_context(g.user, now, today, period)
        return render_template("dashboard/_panels.html", errors=errors, period_form=period_form, **context)

    if errors:  # a page with errors is not kept: it shows what was typed
        panels = Markup(render())  # the output of an autoescaped template
    else:
        key = (scope_key(g.user), str(g.user.role), tuple(sorted(period_form.items())))
        panels = cache.rendered(key, render)
    return render_template("dashboard/dashboard.html", errors=errors, panels=panels), 400 if errors else 200


@bp.route("/engagement.csv")
@requires(Permission.DASHBOARD_VIEW)
@limiter.limit(EXPORT_LIMIT, key_func=user_rate_key)
def engagement_csv() -> ResponseReturnValue:
    errors = FormErrors()
    today = to_london(utcnow()).date()
    period, _ = _period(request.args.to_dict(), errors, today)
    if errors:
        return dashboard()
    export = services.export_engagement_csv(g.user, period)
    return Response(
        export.body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )
