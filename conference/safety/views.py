"""The safety pages: the checklist on the case page and its items, and missing episodes (record with check answers,
notify partners, reconvene in one click, return and return-home interview)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.models import User
from conference.auth.policy import Permission, has_permission, requires
from conference.cases.models import Case
from conference.cases.queries import get_case
from conference.cases.sections import register_case_list_marks, register_case_section
from conference.convening.services import ConveningError
from conference.db import utcnow
from conference.forms import FormErrors
from conference.safety import forms, queries, services
from rules.safety import GOLDEN_HOUR, PoliceRisk, SafetyStatus, is_overdue, is_repeated

bp = Blueprint("safety", __name__)
BANNER = "safety_banner"


def _case_section(case: Case) -> dict[str, Any]:
    now = utcnow()
    checks = queries.find_case_checklist(case)
    episodes = queries.find_case_episodes(case)
    return {
        "now": now,
        "checks": checks,
        "overdue": {c.id for c in checks if is_overdue(c.status, c.due_at, now)},
        "golden_hour_ends_at": case.identified_at + GOLDEN_HOUR,
        "episodes": episodes,
        "repeated": is_repeated([e.last_seen_at for e in episodes], now),
        "can_edit": has_permission(getattr(g, "user", None), Permission.CASE_EDIT),
    }


register_case_section(10, "safety/_case_section.html", _case_section)


def _list_marks(cases: list[Case]) -> dict[Any, list[str]]:
    repeated = queries.find_repeatedly_missing([c.id for c in cases], utcnow())
    return {case_id: ["Repeatedly missing"] for case_id in repeated}


register_case_list_marks(_list_marks)


# --- the checklist ---------------------------------------------------------------------------------------------


@bp.route("/cases/<uuid:case_id>/safety/<uuid:check_id>", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def update_check(case_id: uuid.UUID, check_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = get_case(user, case_id)
    check = queries.get_safety_check(case, check_id)
    agencies = queries.find_owner_agencies(case)
    form = forms.CheckForm(agency_ids={a.id for a in agencies})
    if form.check():
        update = form.update()
        services.update_safety_check(user, case, check, update)
        session["case_banner"] = f"{check.label}: {update.status.label}"
        return redirect(url_for("cases.show_case", case_id=case.id) + "#safety")
    page = {"status": check.status.value, "owner_agency_id": str(check.owner_agency_id or ""), "note": check.note}
    return render_template(
        "safety/check.html",
        case=case,
        check=check,
        agencies=agencies,
        statuses=list(SafetyStatus),
        form=request.form.to_dict() if form.is_submitted() else page,
        errors=form.gov_errors,
        now=utcnow(),
    ), form.status


@bp.route("/cases/<uuid:case_id>/safety/start", methods=["POST"])
@requires(Permission.CASE_EDIT)
def start_checklist(case_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case = get_case(user, case_id)
    try:
        services.start_missing_checklist(user, case)
    except services.SafetyError:
        pass  # already started (a second click): the case page shows it
    else:
        session["case_banner"] = "Safety checklist started"
    return redirect(url_for("cases.show_case", case_id=case.id) + "#safety")


# --- missing episodes ------------------------------------------------------------------------------------------


@bp.route("/cases/<uuid:case_id>/missing-episodes/new", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def new_episode(case_id: uuid.UUID) -> ResponseReturnValue:
    """Enter the episode, check the answers (the partners will be told), then record it."""
    user: User = g.user
    case = get_case(user, case_id)
    form = forms.EpisodeForm()
    page = request.form.to_dict() if form.is_submitted() else {}
    if form.is_submitted() and not form.changing and form.validate():
        if form.confirmed:
            episode = services.record_missing_episode(user, case, form.details())
            session[BANNER] = "recorded"
            return redirect(url_for("safety.show_episode", episode_id=episode.id))
        return render_template(
            "safety/episode_check.html",
            case=case,
            details=form.details(),
            form={k: v for k, v in page.items() if k not in ("csrf_token", "confirm", "step")},
            agencies=[a.agency.name for a in case.agencies if a.agency_id != user.agency_id],
        )
    return render_template(
        "safety/episode_new.html", case=case, form=page, errors=form.gov_errors, risks=list(PoliceRisk)
    ), form.status


@bp.route("/missing-episodes/<uuid:episode_id>")
@requires(Permission.CASE_VIEW)
def show_episode(episode_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case, episode = queries.get_missing_episode(user, episode_id)
    services.record_episode_view(user, episode)
    return render_template(
        "safety/episode.html",
        case=case,
        episode=episode,
        now=utcnow(),
        banner=session.pop(BANNER, None),
        can_edit=has_permission(user, Permission.CASE_EDIT),
        can_convene=has_permission(user, Permission.CONFERENCE_CONVENE),
        errors=FormErrors(),
    )


@bp.route("/missing-episodes/<uuid:episode_id>/reconvene", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def reconvene(episode_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case, episode = queries.get_missing_episode(user, episode_id)
    try:
        conference = services.reconvene_from_episode(user, case, episode)
    except (services.SafetyError, ConveningError) as error:
        errors = FormErrors()
        errors.add("reconvene", str(error))
        return render_template(
            "safety/episode.html",
            case=case,
            episode=episode,
            now=utcnow(),
            banner=None,
            can_edit=has_permission(user, Permission.CASE_EDIT),
            can_convene=True,
            errors=errors,
        ), 409
    return redirect(url_for("convening.timescale", conference_id=conference.id))


@bp.route("/missing-episodes/<uuid:episode_id>/return", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def record_return(episode_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case, episode = queries.get_missing_episode(user, episode_id)
    if episode.found_at is not None:
        return redirect(url_for("safety.show_episode", episode_id=episode.id))
    form = forms.ReturnForm(last_seen_at=episode.last_seen_at)
    if form.check():
        services.record_return(user, case, episode, *form.answer())
        session[BANNER] = "returned"
        return redirect(url_for("safety.show_episode", episode_id=episode.id))
    page = request.form.to_dict() if form.is_submitted() else {}
    return render_template(
        "safety/return.html", case=case, episode=episode, form=page, errors=form.gov_errors
    ), form.status


@bp.route("/missing-episodes/<uuid:episode_id>/return-interview", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def record_interview(episode_id: uuid.UUID) -> ResponseReturnValue:
    user: User = g.user
    case, episode = queries.get_missing_episode(user, episode_id)
    if episode.found_at is None or episode.return_interview_done_at is not None:
        return redirect(url_for("safety.show_episode", episode_id=episode.id))
    form = forms.InterviewForm(found_at=episode.found_at)
    if form.check() and form.held_at is not None:
        services.record_return_interview(user, case, episode, form.held_at)
        session[BANNER] = "interviewed"
        return redirect(url_for("safety.show_episode", episode_id=episode.id))
    page = request.form.to_dict() if form.is_submitted() else {}
    return render_template(
        "safety/interview.html", case=case, episode=episode, form=page, errors=form.gov_errors
    ), form.status
