"""Recording the meeting: the task list, naming the recorder, and the sections (attendance, quorum, information,
the child's views, elements, indicators, outcome). Autosave and the conflict view are in autosave_views.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from conference.auth.policy import Permission, has_permission, requires
from conference.convening.models import Conference
from conference.forms import FormErrors
from decisions import common, forms
from decisions.blueprint import (
    PREFIX,
    SECTION_ENDPOINTS,
    SECTION_TITLES,
    bp,
    common_context,
    conflict_page,
    form_data,
    load,
    load_for_writing,
    refused,
    set_banner,
    version_field,
)
from decisions.models import DecisionRecord
from decisions.recording import services as recording
from decisions.recording.submission_queries import submissions_by_role
from decisions.sign_off import queries as sign_off_queries
from rules.elements import ACTS, EXPLOITATION_GROUPS, MEANS, WHERE_OPTIONS, summarise_elements
from rules.indicators import LEVELS
from rules.outcomes import (
    STAGES,
    STRATEGY_TYPES,
    abuse_categories,
    asks_reporter_referral,
    enquiries_question,
    non_punishment_label,
)
from rules.quorum import ATTENDANCE_LABELS, AttendanceStatus, quorum_rule
from rules.vocabulary import MeetingType, Seat


def _saved_or_refused(
    conference: Conference, record: DecisionRecord, save: Callable[[], object], banner: str, endpoint: str
) -> ResponseReturnValue:
    """Run one recording save: the conflict page or the refusal if it fails, else the banner and a redirect."""
    try:
        save()
    except common.SaveConflict as conflict:
        return conflict_page(conference, record, conflict)
    except common.DecisionError as error:
        return refused(conference, record, str(error))
    set_banner(banner)
    return redirect(url_for(endpoint, conference_id=conference.id))


def _save_section_or_conflict(
    conference: Conference, record: DecisionRecord, section: str, value: Any
) -> ResponseReturnValue:
    return _saved_or_refused(
        conference,
        record,
        lambda: recording.save_section(record, section, value, version_field(), g.user),
        f"{SECTION_TITLES[section]} saved",
        "decisions.task_list",
    )


def _task_status(record: DecisionRecord, conference: Conference) -> dict[str, str]:
    sections = record.sections or {}
    done = {s: s in sections for s in SECTION_TITLES}
    done["attendance"] = bool(record.attendance)
    done["actions"] = bool(record.actions) or "actions" in sections
    quorum = recording.quorum_for(conference, record)
    status = {}
    for section in SECTION_TITLES:
        status[section] = "Completed" if done[section] else "Not yet started"
    if quorum is None:
        status["quorum"] = "Cannot start yet"
    elif quorum.met:
        status["quorum"] = "Completed"
    elif not sections.get("quorum", {}).get("continue_without_quorum"):
        status["quorum"] = "Not met"
    return status


@bp.route(PREFIX)
@requires(Permission.DECISION_VIEW)
def task_list(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load(conference_id)
    elements = common.elements_record(record.sections or {})
    summary = summarise_elements(elements, is_child=True)
    return render_template(
        "decisions/task_list.html",
        **common_context(conference, record),
        titles=SECTION_TITLES,
        endpoints=SECTION_ENDPOINTS,
        status=_task_status(record, conference),
        summary=summary,
        quorum=recording.quorum_for(conference, record),
        can_record=common.may_write_record(g.user, record),
        can_add_information=bool(recording.agency_roles(conference, g.user))
        and has_permission(g.user, Permission.DECISION_AGENCY_INFO),
        can_sign=has_permission(g.user, Permission.DECISION_SIGN_OFF),
        recorder_choices=recording.find_recorder_choices(conference)
        if has_permission(g.user, Permission.DECISION_SIGN_OFF)
        else [],
        versions=sign_off_queries.find_versions(record.id),
    )


@bp.route(f"{PREFIX}/recorder", methods=["POST"])
@requires(Permission.DECISION_SIGN_OFF)
def recorder(conference_id: uuid.UUID) -> ResponseReturnValue:
    """The chair names a coordinator to write the record for this conference, or takes it back."""
    conference, record = load(conference_id)
    choices = {str(u.id): u for u in recording.find_recorder_choices(conference)}
    chosen = forms.RecorderForm().recorder.data
    if chosen and chosen not in choices:
        abort(400)
    try:
        recording.name_recorder(record, choices.get(chosen), g.user)
    except common.DecisionError as error:
        return refused(conference, record, str(error))
    person = choices.get(chosen)
    set_banner(f"{person.display_name} can now write the record" if person else "Only you can now write the record")
    return redirect(url_for("decisions.task_list", conference_id=conference.id))


def _default_people(conference: Conference) -> dict[str, str]:
    people: dict[str, str] = {}
    for attendee in sorted(conference.attendees, key=lambda a: a.deputy_rank):
        people.setdefault(attendee.seat.role.value, attendee.person.name)
    return people


@bp.route(f"{PREFIX}/attendance", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def attendance(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    roles = forms.seat_roles(conference)
    register = forms.AttendanceForm.for_roles(roles)()
    errors = register.gov_errors
    form: dict[str, str] = {}
    for line in recording.attendance_lines(record):
        form |= {
            f"status-{line.role.value}": line.status.value,
            f"person-{line.role.value}": line.person_name,
            f"deputy-{line.role.value}": line.deputy_name,
            f"summary-{line.role.value}": line.submission_summary,
        }
    for role, name in _default_people(conference).items():
        form.setdefault(f"person-{role}", name)
    if register.is_submitted():
        form = form_data()
        if register.validate():
            return _saved_or_refused(
                conference,
                record,
                lambda: recording.save_attendance(record, register.lines(), version_field(), g.user),
                "Attendance register saved",
                "decisions.quorum",
            )
    return render_template(
        "decisions/attendance.html",
        **common_context(conference, record),
        errors=errors,
        form=form,
        statuses=list(AttendanceStatus),
        status_labels=ATTENDANCE_LABELS,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/quorum", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def quorum(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    result = recording.quorum_for(conference, record)
    rule = quorum_rule(conference.meeting_type, conference.nation)
    override = forms.QuorumForm()
    errors = override.gov_errors
    form = dict((record.sections or {}).get("quorum", {}))
    form = {
        "continue_without_quorum": "yes" if form.get("continue_without_quorum") else "",
        "quorum_reason": form.get("reason", ""),
    }
    if override.is_submitted():
        if result is None or result.met:
            return redirect(url_for("decisions.task_list", conference_id=conference.id))
        form = form_data()
        if override.validate():
            value = override.value(g.user.display_name)
            missing = result.missing_roles
            return _saved_or_refused(
                conference,
                record,
                lambda: recording.save_quorum_override(record, value, missing, version_field(), g.user),
                f"{SECTION_TITLES['quorum']} saved",
                "decisions.task_list",
            )
    return render_template(
        "decisions/quorum.html",
        **common_context(conference, record),
        errors=errors,
        form=form,
        result=result,
        rule=rule,
    ), 400 if errors else 200


def information_roles(conference: Conference, record: DecisionRecord) -> tuple[list[Seat], bool]:
    """The roles whose information this user may write, and whether they write the whole record."""
    if common.may_write_record(g.user, record):
        return forms.seat_roles(conference), True
    if not has_permission(g.user, Permission.DECISION_AGENCY_INFO):
        abort(403)
    own = recording.agency_roles(conference, g.user)
    if not own:
        abort(403)
    return own, False


@bp.route(f"{PREFIX}/information", methods=["GET", "POST"])
@requires(Permission.DECISION_AGENCY_INFO)
def information(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load(conference_id)
    roles, whole = information_roles(conference, record)
    posted = forms.InformationForm.for_roles(roles)()
    errors = posted.gov_errors
    saved = (record.sections or {}).get("information", {})
    form = {f"information-{k}": v for k, v in saved.items()}
    if posted.is_submitted():
        form = form_data()
        if posted.validate():
            value = posted.value()
            if not whole:
                value = recording.merge_information(saved, value, roles)
            return _save_section_or_conflict(conference, record, "information", value)
    return render_template(
        "decisions/information.html",
        **{**common_context(conference, record), "roles": roles},
        errors=errors,
        form=form,
        submissions=submissions_by_role(conference),
        can_copy=whole,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/child-views", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def child_views(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    views = forms.ChildViewsForm()
    errors = views.gov_errors
    form = dict((record.sections or {}).get("child_views", {}))
    if views.is_submitted():
        form = form_data()
        if views.validate():
            return _save_section_or_conflict(conference, record, "child_views", views.value())
    return render_template(
        "decisions/child_views.html", **common_context(conference, record), errors=errors, form=form
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/elements", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def elements(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    posted = forms.ElementsForm()
    errors = posted.gov_errors
    saved = dict((record.sections or {}).get("elements", {}))
    form: Any = MultiDict()
    for key, value in saved.items():
        if isinstance(value, list):
            form.setlist(key, value)
        elif isinstance(value, bool):
            form[key] = "yes" if value else ""
        else:
            form[key] = value
    if posted.is_submitted():
        form = request.form
        if posted.validate():
            return _save_section_or_conflict(conference, record, "elements", posted.value())
    summary = summarise_elements(common.elements_record(record.sections or {}), is_child=True)
    return render_template(
        "decisions/elements.html",
        **common_context(conference, record),
        errors=errors,
        form=form,
        acts=ACTS,
        means=MEANS,
        groups=EXPLOITATION_GROUPS,
        wheres=WHERE_OPTIONS,
        summary=summary,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/indicators", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def indicators(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    catalogue = recording.record_catalogue(record)
    posted = forms.IndicatorsForm.for_catalogue(catalogue)()
    errors = posted.gov_errors
    form: dict[str, str] = {}
    for tick in (record.sections or {}).get("indicators", {}).get("ticks", []):
        name = f"indicator-{tick['key']}"
        form |= {name: "yes", f"{name}-agency": tick["agency"], f"{name}-note": tick.get("note", "")}
        form[f"{name}-level"] = tick.get("level", "yes")
    if posted.is_submitted():
        form = form_data()
        if posted.validate():
            return _save_section_or_conflict(conference, record, "indicators", posted.value())
    return render_template(
        "decisions/indicators.html",
        **common_context(conference, record),
        errors=errors,
        form=form,
        catalogue=catalogue,
        agency_roles=list(Seat),
        levels=LEVELS,
    ), 400 if errors else 200


def _outcome_form(saved: dict[str, Any]) -> dict[str, str]:
    form = {k: v for k, v in saved.items() if isinstance(v, str)}
    for role, vote in (saved.get("votes") or {}).items():
        form[f"votes-{role}"] = vote
    for item in saved.get("dissent") or []:
        form[f"dissent-{item['agency']}"] = item["reason"]
    if saved.get("reconvene_on"):
        on = date.fromisoformat(saved["reconvene_on"])
        form |= {
            "reconvene_on-day": str(on.day),
            "reconvene_on-month": str(on.month),
            "reconvene_on-year": str(on.year),
        }
    return form


@bp.route(f"{PREFIX}/outcome", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def outcome(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    roles = forms.seat_roles(conference)
    errors = FormErrors()
    form = _outcome_form(dict((record.sections or {}).get("outcome", {})))
    if request.method == "POST":
        form = form_data()
        value = forms.read_outcome(form, conference, roles, errors)
        if value is not None:
            return _save_section_or_conflict(conference, record, "outcome", value)
    mt = conference.meeting_type
    voting = quorum_rule(mt, conference.nation).voting
    return render_template(
        "decisions/outcome.html",
        **common_context(conference, record),
        errors=errors,
        form=form,
        is_strategy=mt in STRATEGY_TYPES,
        is_panel=mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL,
        choices=forms.outcome_choices(conference),
        vote_choices=forms.vote_choices(conference),
        voting=voting,
        stages=STAGES,
        enquiries=enquiries_question(conference.nation),
        non_punishment=non_punishment_label(conference.nation),
        categories=abuse_categories(mt, conference.nation),
        asks_reporter=asks_reporter_referral(mt, conference.nation),
    ), 400 if errors else 200
