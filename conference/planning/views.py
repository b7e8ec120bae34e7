"""Plan the week (issue 14): choose a period, queue a plan run, watch it, compare it with the one-at-a-time
result, accept some or all of it (check answers, then invitations), and export it (CSV, one calendar per person)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires
from conference.convening.models import ConferenceStatus
from conference.convening.services import ConveningError
from conference.db import utcnow
from conference.forms import FormErrors
from conference.planning import due as due_meetings
from conference.planning import services
from conference.planning.forms import AcceptPlanForm, ChooseMeetingsForm, PlanPeriodForm
from conference.planning.models import PlanRun, PlanStatus
from conference.planning.picture import build_timeline
from rules.display import to_london

bp = Blueprint("planning", __name__, url_prefix="/planning")
BANNER = "planning_banner"
_PERSON_ID = re.compile(r"^[0-9a-f-]{36}$")


def _date_form(defaults: dict[str, Any]) -> dict[str, str]:
    form = {}
    for name, value in defaults.items():
        form.update({f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)})
    return form


def _render_start(form: dict[str, str], errors: FormErrors, move_invited: bool) -> ResponseReturnValue:
    now = utcnow()
    today = to_london(now).date()
    waiting = services.find_waiting(g.user, today, today + timedelta(days=6))
    return render_template(
        "planning/start.html",
        form=form,
        errors=errors,
        move_invited=move_invited,
        waiting_count=len(waiting),
        due=services.find_due(g.user, today, today + timedelta(days=6), now_at=now),
        due_ahead_days=due_meetings.DUE_AHEAD_DAYS,
        runs=services.find_recent_runs(g.user),
    ), 400 if errors else 200


@bp.route("", methods=["GET"])
@requires(Permission.PLAN_WEEK)
def plan_week() -> ResponseReturnValue:
    today = to_london(utcnow()).date()
    form = _date_form({"from": today, "to": today + timedelta(days=6)})
    return _render_start(form, FormErrors(), False)


@bp.route("", methods=["POST"])
@requires(Permission.PLAN_WEEK)
def start_plan() -> ResponseReturnValue:
    form = PlanPeriodForm()
    move_invited = form.move_invited.data == "yes"
    if not form.check():
        return _render_start(form.values(), form.gov_errors, move_invited)
    period = form.period()
    try:
        run, new = services.request_plan(g.user, period.from_on, period.to_on, move_invited=period.move_invited)
    except services.PlanningError as problem:
        form.add_error("from-day", str(problem))
        return _render_start(form.values(), form.gov_errors, move_invited)
    if not new:
        session[BANNER] = "This plan was already being made: here it is"
    return redirect(url_for("planning.show_run", run_id=run.id))


def _run(run_id: uuid.UUID) -> PlanRun:
    try:
        return services.get_run(g.user, run_id)
    except LookupError:
        abort(404)


def _run_page(run: PlanRun, errors: FormErrors | None = None, selected: list[str] | None = None) -> ResponseReturnValue:
    errors = errors or FormErrors()
    proposals = services.proposed_meetings(run) if run.status is PlanStatus.DONE else []
    current = services.find_current_meetings(run)
    arranged = {
        p.id
        for p in proposals
        if (c := current.get(p.id)) is not None
        and (
            (not p.meeting.get("invited") and c.status is not ConferenceStatus.DRAFT)
            or (p.meeting.get("invited") and c.ical_sequence != p.meeting.get("sequence"))
        )
    }
    timeline = build_timeline(proposals, services.people_names(run), run.from_on, run.to_on) if proposals else None
    return render_template(
        "planning/run.html",
        run=run,
        errors=errors,
        banner=session.pop(BANNER, None),
        proposals=proposals,
        arranged=arranged,
        selected=selected
        if selected is not None
        else [p.id for p in proposals if p.acceptable and p.id not in arranged],
        comparison=services.comparison(run) if run.status is PlanStatus.DONE else [],
        timeline=timeline,
        names=services.people_names(run),
        people=services.person_ids_in(run) if run.status is PlanStatus.DONE else [],
        waiting_total=len(run.meetings),
    ), 400 if errors else 200


@bp.route("/runs/<uuid:run_id>", methods=["GET"])
@requires(Permission.PLAN_WEEK)
def show_run(run_id: uuid.UUID) -> ResponseReturnValue:
    return _run_page(_run(run_id))


@bp.route("/runs/<uuid:run_id>/status", methods=["GET"])
@requires(Permission.PLAN_WEEK)
def run_status(run_id: uuid.UUID) -> ResponseReturnValue:
    run = _run(run_id)
    response = jsonify({"status": run.status.value, "label": run.status.label})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/runs/<uuid:run_id>/check", methods=["POST"])
@requires(Permission.PLAN_WEEK)
def check(run_id: uuid.UUID) -> ResponseReturnValue:
    run = _run(run_id)
    if run.status is not PlanStatus.DONE:
        return redirect(url_for("planning.show_run", run_id=run.id))
    form = ChooseMeetingsForm()
    form.check()
    return _check_page(run, form.meeting.data, form.gov_errors, "")


def _check_page(run: PlanRun, ids: list[str], errors: FormErrors, venue: str) -> ResponseReturnValue:
    chosen = [p for p in services.proposed_meetings(run) if p.acceptable and p.id in ids]
    if not chosen:
        errors.add("meetings", "Select at least one meeting to arrange")
        return _run_page(run, errors, selected=[])
    current = services.find_current_meetings(run)
    needs_place = [p.id for p in chosen if (c := current.get(p.id)) is not None and not (c.venue or c.video_link)]
    return render_template(
        "planning/check.html",
        run=run,
        errors=errors,
        chosen=chosen,
        names=services.people_names(run),
        needs_place=needs_place,
        venue=venue,
    ), 400 if errors else 200


@bp.route("/runs/<uuid:run_id>/accept", methods=["POST"])
@requires(Permission.PLAN_WEEK)
def accept(run_id: uuid.UUID) -> ResponseReturnValue:
    run = _run(run_id)
    form = AcceptPlanForm()
    ids, venue, errors = form.meeting.data, form.venue.data, form.gov_errors
    if not form.check():
        return _check_page(run, ids, errors, venue[:300])
    if run.status is not PlanStatus.DONE:
        return redirect(url_for("planning.show_run", run_id=run.id))
    if not any(p.acceptable and p.id in ids for p in services.proposed_meetings(run)):
        errors.add("meetings", "Select at least one meeting to arrange")
        return _run_page(run, errors, selected=[])
    try:
        # A refusal answers 400, which rolls back whatever was done before the problem was found.
        invited, moved = services.accept_meetings(g.user, run, ids, venue=venue)
    except (services.PlanningError, ConveningError) as problem:
        errors.add("venue" if "venue" in str(problem) else "check-meetings", str(problem))
        return _check_page(run, ids, errors, venue)
    parts = []
    if invited:
        parts.append(f"Invitations sent for {invited} {'meeting' if invited == 1 else 'meetings'}")
    if moved:
        parts.append(f"updates sent for {moved} moved {'meeting' if moved == 1 else 'meetings'}")
    session[BANNER] = "; ".join(parts)
    return redirect(url_for("planning.show_run", run_id=run.id))


@bp.route("/runs/<uuid:run_id>/plan.csv", methods=["GET"])
@requires(Permission.PLAN_WEEK)
def plan_csv(run_id: uuid.UUID) -> ResponseReturnValue:
    run = _run(run_id)
    if run.status is not PlanStatus.DONE:
        abort(404)
    filename = f"plan-{run.from_on.isoformat()}-to-{run.to_on.isoformat()}.csv"
    return Response(
        services.export_plan_csv(g.user, run),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/runs/<uuid:run_id>/people/<person_id>.ics", methods=["GET"])
@requires(Permission.PLAN_WEEK)
def person_calendar(run_id: uuid.UUID, person_id: str) -> ResponseReturnValue:
    run = _run(run_id)
    if (
        run.status is not PlanStatus.DONE
        or not _PERSON_ID.match(person_id)
        or person_id not in services.person_ids_in(run)
    ):
        abort(404)
    filename = f"plan-{run.from_on.isoformat()}-{person_id[:8]}.ics"
    return Response(
        services.export_person_calendar(g.user, run, person_id),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
