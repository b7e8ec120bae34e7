"""The chair's journey: record the meeting (task list), autosave, check answers and sign off, versions, PDFs,
amendments, and the NRM referral and tracker on the case."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from conference.audit import record_event, record_refusal
from conference.auth.models import User
from conference.auth.policy import Permission, has_permission, requires
from conference.cases import queries as case_queries
from conference.cases.models import Case
from conference.cases.sections import register_case_section
from conference.convening.models import Conference
from conference.db import utcnow
from conference.directory.models import Agency, Person
from conference.extensions import PDF_LIMIT, db, limiter, user_rate_key
from conference.forms import FormErrors, parse_date
from conference.urls import in_database_range
from decisions import documents, forms, queries, services
from decisions.letters import MAX_LETTER_BYTES, LetterRefused, check_letter
from decisions.models import ActionStatus, DecisionRecord, RecordStatus
from decisions.nrm import missing_required, option_list
from decisions.pdf import PdfError, pdf_filename, render_minutes_pdf, render_nrm_pack_pdf
from rules.clock import LONDON
from rules.elements import ACTS, EXPLOITATION_GROUPS, MEANS, WHERE_OPTIONS, summarise_elements
from rules.indicators import CURRENT_VERSION, LEVELS, IndicatorCatalogue, catalogue_for
from rules.nrm_tracker import track_nrm
from rules.outcomes import (
    CONCLUSIVE_GROUNDS_OUTCOMES,
    REASONABLE_GROUNDS_OUTCOMES,
    STAGES,
    STRATEGY_TYPES,
    TEXT_MAX_LENGTH,
    abuse_categories,
    asks_reporter_referral,
    enquiries_question,
    non_punishment_label,
)
from rules.quorum import ATTENDANCE_LABELS, ROLE_LABELS, AttendanceStatus, quorum_rule
from rules.vocabulary import MeetingType, Seat

bp = Blueprint("decisions", __name__)
PREFIX = "/conferences/<uuid:conference_id>/record"
BANNER = "decisions_banner"
LETTER_REQUEST_LIMIT = MAX_LETTER_BYTES + 256 * 1024  # the letter and the rest of the form

SECTION_TITLES = {
    "attendance": "Attendance register",
    "quorum": "Quorum",
    "information": "Information shared",
    "child_views": "The child's views and wishes",
    "elements": "Trafficking elements",
    "indicators": "Indicators",
    "outcome": "Outcome",
    "actions": "Action plan",
}
SECTION_ENDPOINTS = {
    "attendance": "decisions.attendance",
    "quorum": "decisions.quorum",
    "information": "decisions.information",
    "child_views": "decisions.child_views",
    "elements": "decisions.elements",
    "indicators": "decisions.indicators",
    "outcome": "decisions.outcome",
    "actions": "decisions.actions",
}


# --- helpers ----------------------------------------------------------------------------------------------


def _load(conference_id: uuid.UUID) -> tuple[Conference, DecisionRecord]:
    """The conference and its record. A GET creates nothing (an unsaved empty record is shown); a POST opens it."""
    conference = queries.get_conference(g.user, conference_id)
    if request.method == "POST":
        return conference, services.open_record(conference)
    return conference, services.find_or_new_record(conference)


def _load_for_writing(conference_id: uuid.UUID) -> tuple[Conference, DecisionRecord]:
    """Only the chair, or the coordinator the chair named recorder, writes the record's sections (ACC-4)."""
    conference, record = _load(conference_id)
    if not services.may_write_record(g.user, record):
        abort(403)
    return conference, record


def _version_field() -> int:
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    if not in_database_range(version):
        abort(400)
    return version


def _banner(text: str) -> None:
    session[BANNER] = text


def _common(conference: Conference, record: DecisionRecord, **extra: Any) -> dict[str, Any]:
    return {
        "conference": conference,
        "record": record,
        "case": conference.case,
        "roles": forms.seat_roles(conference),
        "role_labels": ROLE_LABELS,
        "editable": record.status != RecordStatus.SIGNED,
        "banner": session.pop(BANNER, None),
        **extra,
    }


def _conflict_page(
    conference: Conference, record: DecisionRecord, conflict: services.SaveConflict, status: int = 409
) -> ResponseReturnValue:
    return render_template(
        "decisions/conflict.html",
        **_common(conference, record),
        conflict=conflict,
        section_title=SECTION_TITLES.get(conflict.section, conflict.section),
        section_endpoint=SECTION_ENDPOINTS.get(conflict.section, "decisions.task_list"),
        mine=_readable(conflict.mine),
        saved=_readable(conflict.saved),
    ), status


def _label(key: str) -> str:
    """A stored key as people say it: a role ("Police"), a section title, or the words of the key."""
    if key in {r.value for r in Seat}:
        return ROLE_LABELS[Seat(key)].capitalize()
    return SECTION_TITLES.get(key) or key.replace("_", " ").capitalize()


def _readable(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A section's stored value as label/text rows, for the conflict view."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            label = _label(str(key))
            if isinstance(item, dict | list):
                rows += _readable(item, f"{prefix}{label}: ")
            else:
                rows.append((f"{prefix}{label}", "" if item is None else str(item)))
        return rows
    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value, start=1):
            rows += _readable(item, f"{prefix}{index}. ") if isinstance(item, dict | list) else [(prefix, str(item))]
        return rows
    return [(prefix or "Value", "" if value is None else str(value))]


def _save_section_or_conflict(
    conference: Conference, record: DecisionRecord, section: str, value: Any, endpoint: str
) -> ResponseReturnValue:
    try:
        services.save_section(record, section, value, _version_field(), g.user)
    except services.SaveConflict as conflict:
        return _conflict_page(conference, record, conflict)
    except services.DecisionError as error:
        return _refused(conference, record, str(error))
    _banner(f"{SECTION_TITLES[section]} saved")
    return redirect(url_for("decisions.task_list", conference_id=conference.id))


def _refused(conference: Conference, record: DecisionRecord, message: str) -> ResponseReturnValue:
    return render_template("decisions/refused.html", **_common(conference, record), message=message), 409


def _form_data() -> dict[str, str]:
    return request.form.to_dict()


# --- task list --------------------------------------------------------------------------------------------


def _task_status(record: DecisionRecord, conference: Conference) -> dict[str, str]:
    sections = record.sections or {}
    done = {s: s in sections for s in SECTION_TITLES}
    done["attendance"] = bool(record.attendance)
    done["actions"] = bool(record.actions) or "actions" in sections
    quorum = services.quorum_for(conference, record)
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
    conference, record = _load(conference_id)
    elements = services.elements_record(record.sections or {})
    summary = summarise_elements(elements, is_child=True)
    return render_template(
        "decisions/task_list.html",
        **_common(conference, record),
        titles=SECTION_TITLES,
        endpoints=SECTION_ENDPOINTS,
        status=_task_status(record, conference),
        summary=summary,
        quorum=services.quorum_for(conference, record),
        can_record=services.may_write_record(g.user, record),
        can_add_information=bool(services.agency_roles(conference, g.user))
        and has_permission(g.user, Permission.DECISION_AGENCY_INFO),
        can_sign=has_permission(g.user, Permission.DECISION_SIGN_OFF),
        recorder_choices=services.find_recorder_choices(conference)
        if has_permission(g.user, Permission.DECISION_SIGN_OFF)
        else [],
        versions=queries.find_versions(record.id),
    )


@bp.route(f"{PREFIX}/recorder", methods=["POST"])
@requires(Permission.DECISION_SIGN_OFF)
def recorder(conference_id: uuid.UUID) -> ResponseReturnValue:
    """The chair names a coordinator to write the record for this conference, or takes it back."""
    conference, record = _load(conference_id)
    choices = {str(u.id): u for u in services.find_recorder_choices(conference)}
    chosen = request.form.get("recorder", "")
    if chosen and chosen not in choices:
        abort(400)
    try:
        services.name_recorder(record, choices.get(chosen), g.user)
    except services.DecisionError as error:
        return _refused(conference, record, str(error))
    person = choices.get(chosen)
    _banner(f"{person.display_name} can now write the record" if person else "Only you can now write the record")
    return redirect(url_for("decisions.task_list", conference_id=conference.id))


# --- attendance and quorum --------------------------------------------------------------------------------


def _default_people(conference: Conference) -> dict[str, str]:
    people: dict[str, str] = {}
    for attendee in sorted(conference.attendees, key=lambda a: a.deputy_rank):
        people.setdefault(attendee.seat.role.value, attendee.person.name)
    return people


@bp.route(f"{PREFIX}/attendance", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def attendance(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    roles = forms.seat_roles(conference)
    errors = FormErrors()
    form: dict[str, str] = {}
    for line in services.attendance_lines(record):
        form |= {
            f"status-{line.role.value}": line.status.value,
            f"person-{line.role.value}": line.person_name,
            f"deputy-{line.role.value}": line.deputy_name,
            f"summary-{line.role.value}": line.submission_summary,
        }
    for role, name in _default_people(conference).items():
        form.setdefault(f"person-{role}", name)
    if request.method == "POST":
        form = _form_data()
        lines = forms.read_attendance(form, roles, errors)
        if not errors:
            try:
                services.save_attendance(record, lines, _version_field(), g.user)
            except services.SaveConflict as conflict:
                return _conflict_page(conference, record, conflict)
            except services.DecisionError as error:
                return _refused(conference, record, str(error))
            _banner("Attendance register saved")
            return redirect(url_for("decisions.quorum", conference_id=conference.id))
    return render_template(
        "decisions/attendance.html",
        **_common(conference, record),
        errors=errors,
        form=form,
        statuses=list(AttendanceStatus),
        status_labels=ATTENDANCE_LABELS,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/quorum", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def quorum(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    result = services.quorum_for(conference, record)
    rule = quorum_rule(conference.meeting_type, conference.nation)
    errors = FormErrors()
    form = dict((record.sections or {}).get("quorum", {}))
    form = {
        "continue_without_quorum": "yes" if form.get("continue_without_quorum") else "",
        "quorum_reason": form.get("reason", ""),
    }
    if request.method == "POST":
        if result is None or result.met:
            return redirect(url_for("decisions.task_list", conference_id=conference.id))
        form = _form_data()
        value = forms.read_quorum(form, errors, g.user.display_name)
        if value is not None:
            record_event(
                db.session,
                "decision.quorum_override",
                object_type="decision",
                object_id=record.id,
                detail={"missing": [r.value for r in result.missing_roles]},
            )
            return _save_section_or_conflict(conference, record, "quorum", value, "decisions.quorum")
    return render_template(
        "decisions/quorum.html", **_common(conference, record), errors=errors, form=form, result=result, rule=rule
    ), 400 if errors else 200


# --- information, child's views --------------------------------------------------------------------------


def _information_roles(conference: Conference, record: DecisionRecord) -> tuple[list[Seat], bool]:
    """The roles whose information this user may write, and whether they write the whole record."""
    if services.may_write_record(g.user, record):
        return forms.seat_roles(conference), True
    if not has_permission(g.user, Permission.DECISION_AGENCY_INFO):
        abort(403)
    own = services.agency_roles(conference, g.user)
    if not own:
        abort(403)
    return own, False


def _merge_information(saved: dict[str, str], value: dict[str, str], own: list[Seat]) -> dict[str, str]:
    """An agency member's save replaces their own agency's information only; the rest stays as saved."""
    keep = {k: v for k, v in saved.items() if k not in {r.value for r in own}}
    return {**keep, **value}


@bp.route(f"{PREFIX}/information", methods=["GET", "POST"])
@requires(Permission.DECISION_AGENCY_INFO)
def information(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load(conference_id)
    roles, whole = _information_roles(conference, record)
    errors = FormErrors()
    saved = (record.sections or {}).get("information", {})
    form = {f"information-{k}": v for k, v in saved.items()}
    if request.method == "POST":
        form = _form_data()
        value = forms.read_information(form, roles, errors)
        if value is not None:
            if not whole:
                value = _merge_information(saved, value, roles)
            return _save_section_or_conflict(conference, record, "information", value, "decisions.information")
    return render_template(
        "decisions/information.html", **{**_common(conference, record), "roles": roles}, errors=errors, form=form
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/child-views", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def child_views(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    errors = FormErrors()
    form = dict((record.sections or {}).get("child_views", {}))
    if request.method == "POST":
        form = _form_data()
        value = forms.read_child_views(form, errors)
        if value is not None:
            return _save_section_or_conflict(conference, record, "child_views", value, "decisions.child_views")
    return render_template(
        "decisions/child_views.html", **_common(conference, record), errors=errors, form=form
    ), 400 if errors else 200


# --- elements and indicators -----------------------------------------------------------------------------


@bp.route(f"{PREFIX}/elements", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def elements(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    errors = FormErrors()
    saved = dict((record.sections or {}).get("elements", {}))
    form: Any = MultiDict()
    for key, value in saved.items():
        if isinstance(value, list):
            form.setlist(key, value)
        elif isinstance(value, bool):
            form[key] = "yes" if value else ""
        else:
            form[key] = value
    if request.method == "POST":
        form = request.form
        value = forms.read_elements(form, errors)
        if value is not None:
            return _save_section_or_conflict(conference, record, "elements", value, "decisions.elements")
    summary = summarise_elements(services.elements_record(record.sections or {}), is_child=True)
    return render_template(
        "decisions/elements.html",
        **_common(conference, record),
        errors=errors,
        form=form,
        acts=ACTS,
        means=MEANS,
        groups=EXPLOITATION_GROUPS,
        wheres=WHERE_OPTIONS,
        summary=summary,
    ), 400 if errors else 200


def _record_catalogue(record: DecisionRecord) -> IndicatorCatalogue:
    """The catalogue of the record: the version its ticks were saved with (an older record keeps it), else the
    current one."""
    saved = (record.sections or {}).get("indicators") or {}
    if saved.get("ticks"):
        return catalogue_for(int(saved.get("catalogue_version", 1)))
    return catalogue_for(CURRENT_VERSION)


@bp.route(f"{PREFIX}/indicators", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def indicators(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    catalogue = _record_catalogue(record)
    errors = FormErrors()
    form: dict[str, str] = {}
    for tick in (record.sections or {}).get("indicators", {}).get("ticks", []):
        name = f"indicator-{tick['key']}"
        form |= {name: "yes", f"{name}-agency": tick["agency"], f"{name}-note": tick.get("note", "")}
        form[f"{name}-level"] = tick.get("level", "yes")
    if request.method == "POST":
        form = _form_data()
        value = forms.read_indicators(form, catalogue, errors)
        if value is not None:
            return _save_section_or_conflict(conference, record, "indicators", value, "decisions.indicators")
    return render_template(
        "decisions/indicators.html",
        **_common(conference, record),
        errors=errors,
        form=form,
        catalogue=catalogue,
        agency_roles=list(Seat),
        levels=LEVELS,
    ), 400 if errors else 200


# --- outcome ----------------------------------------------------------------------------------------------


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
    conference, record = _load_for_writing(conference_id)
    roles = forms.seat_roles(conference)
    errors = FormErrors()
    form = _outcome_form(dict((record.sections or {}).get("outcome", {})))
    if request.method == "POST":
        form = _form_data()
        value = forms.read_outcome(form, conference, roles, errors)
        if value is not None:
            return _save_section_or_conflict(conference, record, "outcome", value, "decisions.outcome")
    mt = conference.meeting_type
    voting = quorum_rule(mt, conference.nation).voting
    return render_template(
        "decisions/outcome.html",
        **_common(conference, record),
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


# --- actions ----------------------------------------------------------------------------------------------


def _owners(conference: Conference) -> dict[str, Person]:
    query = (
        select(Person)
        .join(Agency, Person.agency_id == Agency.id)
        .where(Agency.local_authority_id == conference.case.local_authority_id)
        .order_by(Agency.name, Person.name)
    )
    people = {str(p.id): p for p in db.session.scalars(query)}
    for attendee in conference.attendees:
        people.setdefault(str(attendee.person_id), attendee.person)
    return people


@bp.route(f"{PREFIX}/actions", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def actions(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    people = _owners(conference)
    errors = FormErrors()
    form: dict[str, str] = {"idempotency_key": uuid.uuid4().hex}
    if request.method == "POST":
        form = _form_data()
        key = form.get("idempotency_key", "")
        if not (8 <= len(key) <= 64):
            abort(400)
        details = forms.read_action(form, people, errors)
        if details is not None:
            try:
                claim = services.claim_idempotency_key(g.user, key, services.body_hash(form))
            except services.IdempotencyReplay as replay:
                return redirect(replay.location)
            except services.IdempotencyMismatch:
                abort(422)
            except services.IdempotencyInFlight:
                abort(409)
            try:
                services.add_action(record, services.NewAction(*details), g.user)
            except services.DecisionError as error:
                return _refused(conference, record, str(error))
            location = url_for("decisions.actions", conference_id=conference.id)
            claim.response_location = location
            _banner("Action added")
            return redirect(location)
    return render_template(
        "decisions/actions.html",
        **_common(conference, record),
        errors=errors,
        form=form,
        people=people,
        statuses=list(ActionStatus),
        now=utcnow(),
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/actions/<uuid:action_id>/status", methods=["POST"])
@requires(Permission.DECISION_RECORD)
def action_status(conference_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load_for_writing(conference_id)
    action = queries.get_action(record, action_id)
    errors = FormErrors()
    status = forms.read_action_status(request.form, errors)
    if status is None:
        abort(400)
    services.set_action_status(record, action, status, g.user)
    _banner("Action updated")
    return redirect(url_for("decisions.actions", conference_id=conference.id))


# --- autosave (JSON) --------------------------------------------------------------------------------------

_AUTOSAVE_READERS: dict[str, Callable[[Conference, Any, FormErrors], Any]] = {
    "information": lambda c, f, e: forms.read_information(f, forms.seat_roles(c), e),
    "child_views": lambda c, f, e: forms.read_child_views(f, e),
    "elements": lambda c, f, e: forms.read_elements(f, e),
    "indicators": lambda c, f, e: forms.read_indicators(f, _record_catalogue(queries.get_record(c.id)), e),
    "outcome": lambda c, f, e: forms.read_outcome(f, c, forms.seat_roles(c), e),
}


def _same_origin() -> bool:
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return request.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


@bp.route(f"{PREFIX}/autosave", methods=["POST"])
@requires(Permission.DECISION_AGENCY_INFO)
def autosave(conference_id: uuid.UUID) -> ResponseReturnValue:
    """Save a section as JSON: ``{"section", "version", "fields": {name: value or [values]}}``.

    The chair (or named recorder) saves any section; an agency member only their own agency's information."""
    conference, record = _load(conference_id)
    whole = services.may_write_record(g.user, record)
    if request.mimetype != "application/json":
        return jsonify(error="Send application/json"), 415
    if not _same_origin():
        return jsonify(error="Cross-origin requests are refused"), 403
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or payload.get("section") not in _AUTOSAVE_READERS:
        return jsonify(error="Send a section, a version and fields"), 400
    version, fields = payload.get("version"), payload.get("fields")
    if not isinstance(version, int) or not isinstance(fields, dict):
        return jsonify(error="Send a section, a version and fields"), 400
    if isinstance(version, bool) or not in_database_range(version):
        return jsonify(error="The version is not one this record has had: reload the page"), 400
    form: MultiDict[str, str] = MultiDict()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            form.add(str(name), str(item))
    errors = FormErrors()
    section = str(payload["section"])
    if not whole and section != "information":
        return jsonify(error="Only the chair or the recorder writes this section"), 403
    if whole:
        value = _AUTOSAVE_READERS[section](conference, form, errors)
    else:
        own, _whole = _information_roles(conference, record)
        read = forms.read_information(form, own, errors)
        saved = (record.sections or {}).get("information", {})
        value = None if read is None else _merge_information(saved, read, own)
    if value is None:
        return jsonify(saved=False, errors={f: errors.get(f) for f in errors}), 422
    try:
        new_version = services.save_section(record, section, value, version, g.user)
    except services.SaveConflict as conflict:
        return jsonify(
            saved=False,
            conflict=True,
            saved_version=conflict.saved_version,
            mine=conflict.mine,
            theirs=conflict.saved,
            conflict_url=url_for(
                "decisions.show_conflict", conference_id=conference.id, conflict_id=conflict.conflict_id
            ),
        ), 409
    except services.DecisionError as error:
        return jsonify(saved=False, error=str(error)), 409
    return jsonify(saved=True, version=new_version)


@bp.route(f"{PREFIX}/conflicts/<uuid:conflict_id>")
@requires(Permission.DECISION_AGENCY_INFO)
def show_conflict(conference_id: uuid.UUID, conflict_id: uuid.UUID) -> ResponseReturnValue:
    """A save of yours that lost to someone else's (kept, never applied): your text beside what is saved now."""
    conference, record = _load(conference_id)
    kept = queries.get_conflict(record, conflict_id, g.user)
    conflict = services.SaveConflict(
        kept.section, kept.attempted, (record.sections or {}).get(kept.section), record.version, kept.id
    )
    return _conflict_page(conference, record, conflict, status=200)


# --- check answers, sign-off, amendment -------------------------------------------------------------------


@bp.route(f"{PREFIX}/check", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN_OFF)
@limiter.limit("5/minute", methods=["POST"], key_func=user_rate_key)  # sign-off re-authentication: guessing
def check(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load(conference_id)
    if record.status == RecordStatus.SIGNED:
        return redirect(url_for("decisions.show_version", conference_id=conference.id, number=record.signed_version))
    problems = services.sign_off_problems(conference, record)
    errors = FormErrors()
    if request.method == "POST":
        answers = forms.read_sign_off(request.form, errors)
        if answers is not None and not problems:
            try:
                version = services.sign_off(
                    conference, record, g.user, password=answers[0], code=answers[1], base_version=_version_field()
                )
            except services.ReauthFailed as failed:
                errors.add(failed.field, failed.message)
            except services.DecisionError as error:
                errors.add("password", str(error))
            else:
                _banner(f"Decision signed off: version {version.number}")
                return redirect(url_for("decisions.show_version", conference_id=conference.id, number=version.number))
        elif problems and not errors:
            errors.add("problems", "Complete every section before signing off")
    snapshot = services.build_snapshot(
        conference,
        record,
        g.user,
        number=record.signed_version + 1,
        kind="draft",
        reason=record.amendment_reason,
        signed_at=utcnow(),
    )
    return render_template(
        "decisions/check.html",
        **_common(conference, record),
        errors=errors,
        problems=problems,
        minutes=documents.minutes_view(snapshot),
        endpoints=SECTION_ENDPOINTS,
        titles=SECTION_TITLES,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/amend", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN_OFF)
def amend(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = _load(conference_id)
    if record.status != RecordStatus.SIGNED:
        return redirect(url_for("decisions.task_list", conference_id=conference.id))
    errors = FormErrors()
    form: dict[str, str] = {}
    if request.method == "POST":
        form = _form_data()
        reason = forms.read_reason(form, errors)
        if reason is not None:
            try:
                services.start_amendment(record, reason, g.user)
            except services.DecisionError as error:
                return _refused(conference, record, str(error))
            _banner("Amendment started: change the sections, then check and sign off again")
            return redirect(url_for("decisions.task_list", conference_id=conference.id))
    return render_template(
        "decisions/amend.html", **_common(conference, record), errors=errors, form=form
    ), 400 if errors else 200


# --- versions, compare, PDFs ------------------------------------------------------------------------------


@bp.route(f"{PREFIX}/versions")
@requires(Permission.DECISION_VIEW)
def versions(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    all_versions = queries.find_versions(record.id)
    signer_ids = {v.signed_by_id for v in all_versions}
    signers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(signer_ids)))}
    return render_template(
        "decisions/versions.html", **_common(conference, record), versions=all_versions, signers=signers
    )


@bp.route(f"{PREFIX}/versions/<int:number>")
@requires(Permission.DECISION_VIEW)
def show_version(conference_id: uuid.UUID, number: int) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    version = queries.get_version(record.id, number)
    snapshot = services.version_snapshot(version)
    record_event(
        db.session,
        "decision.version.view",
        object_type="decision",
        object_id=record.id,
        detail={"version": number, "case_id": str(conference.case_id)},
    )
    return render_template(
        "decisions/version.html",
        **_common(conference, record),
        version=version,
        minutes=documents.minutes_view(snapshot),
        count=len(queries.find_versions(record.id)),
    )


@bp.route(f"{PREFIX}/versions/compare")
@requires(Permission.DECISION_VIEW)
def compare(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    all_versions = queries.find_versions(record.id)
    numbers = [v.number for v in all_versions]
    errors = FormErrors()
    try:
        left = int(request.args.get("from", numbers[0] if numbers else 0))
        right = int(request.args.get("to", numbers[-1] if numbers else 0))
    except ValueError:
        left = right = 0
    changes: list[services.Change] | None = None
    if left not in numbers:
        errors.add("from", "Select a version to compare from")
    if right not in numbers:
        errors.add("to", "Select a version to compare with")
    if not errors:
        before = services.version_snapshot(queries.get_version(record.id, left))
        after = services.version_snapshot(queries.get_version(record.id, right))
        changes = services.compare_snapshots(before, after)
        record_event(
            db.session,
            "decision.version.compare",
            object_type="decision",
            object_id=record.id,
            detail={"from": left, "to": right},
        )
    return render_template(
        "decisions/compare.html",
        **_common(conference, record),
        versions=all_versions,
        left=left,
        right=right,
        changes=changes,
        labels={c.path: " › ".join(_label(part) for part in c.path.split(".")) for c in changes or []},
        errors=errors,
    ), 400 if errors else 200


def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_unavailable(kind: str) -> ResponseReturnValue:
    response = render_template("decisions/pdf_unavailable.html", kind=kind)
    return response, 503, {"Retry-After": "30"}


@bp.route(f"{PREFIX}/versions/<int:number>/minutes.pdf")
@requires(Permission.MINUTES_DOWNLOAD)
@limiter.shared_limit(PDF_LIMIT, scope="pdf", key_func=user_rate_key)
def minutes_pdf(conference_id: uuid.UUID, number: int) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    version = queries.get_version(record.id, number)
    view = documents.minutes_view(services.version_snapshot(version))
    try:
        data = render_minutes_pdf(view)
    except PdfError:
        record_refusal(
            db.session,
            "export.minutes",
            object_type="decision",
            object_id=record.id,
            outcome="failure",
            detail={"version": number},
        )
        return _pdf_unavailable("minutes")
    record_event(db.session, "export.minutes", object_type="decision", object_id=record.id, detail={"version": number})
    return _pdf_response(data, pdf_filename("minutes", conference.reference, number))


# --- the NRM referral and tracker (per case) --------------------------------------------------------------


def _nrm_context(case: Case) -> dict[str, Any]:
    referral = queries.find_referral(case.id)
    latest = queries.find_latest_signed_version(case.id)
    snapshot = services.version_snapshot(latest) if latest else None
    pack = documents.nrm_pack(case, snapshot, referral)
    return {
        "case": case,
        "referral": referral,
        "latest": latest,
        "pack": pack,
        "snapshot": snapshot,
        "missing": missing_required(pack),
        "tracker": _tracker(case, referral),
        "letters": queries.find_letters(case.id),
        "negative": services.negative_decision(referral),
        "update": services.pending_sca_update(case, referral),
    }


def _tracker(case: Case, referral: Any) -> Any:
    if referral is None:
        return None
    try:
        return track_nrm(
            case.nation.value,
            referral.referred_on,
            reference=referral.reference,
            rg_decided_on=referral.rg_decided_on,
            rg_outcome=referral.rg_outcome,
            cg_decided_on=referral.cg_decided_on,
            cg_outcome=referral.cg_outcome,
            today=datetime.now(LONDON).date(),
            devolved_pilot=queries.is_devolved_pilot_case(case.id),
        )
    except ValueError:
        return None


def _nrm_outcomes(case: Case) -> dict[str, Any]:
    from rules.vocabulary import Nation

    return {
        "rg_options": REASONABLE_GROUNDS_OUTCOMES,
        "cg_options": CONCLUSIVE_GROUNDS_OUTCOMES[Nation(case.nation)],
        "stages": STAGES,
    }


@bp.route("/cases/<uuid:case_id>/nrm", methods=["GET"])
@requires(Permission.NRM_REFER)
def nrm(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    record_event(db.session, "nrm.view", object_type="case", object_id=case.id)
    return render_template(
        "decisions/nrm.html",
        **_nrm_context(case),
        **_nrm_outcomes(case),
        errors=FormErrors(),
        form={},
        banner=session.pop(BANNER, None),
    )


@bp.route("/cases/<uuid:case_id>/nrm/answers", methods=["GET", "POST"])
@requires(Permission.NRM_REFER)
def nrm_answers(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    fields = [f for f in context["pack"].fields() if f.kind not in ("checkboxes", "documents")]
    errors = FormErrors()
    form: Any = {}
    saved = documents.referral_answers(context["referral"].answers if context["referral"] else {})
    if request.method == "GET":
        record_event(db.session, "nrm.answers.view", object_type="case", object_id=case.id)
    for key, value in saved.items():
        form[key] = "\n".join(value) if isinstance(value, tuple) else value
    submissions = documents.written_submissions(context["snapshot"])
    selected = list((context["referral"].evidence_roles or []) if context["referral"] else [])
    if request.method == "POST":
        form = request.form
        selected = [r for r in form.getlist("evidence") if r in submissions]
        answers = forms.read_nrm_answers(form, fields, errors)
        if answers is not None:
            services.save_referral_answers(case, answers, g.user, evidence_roles=selected)
            _banner("NRM referral answers saved")
            return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm_answers.html",
        **context,
        errors=errors,
        form=form,
        fields=fields,
        submissions=[(role, f"Written submission from {documents.role_label(role)}") for role in submissions],
        selected_evidence=selected,
        lists=sorted({f.choices for f in fields if f.choices}),
        option_list=option_list,
    ), 400 if errors else 200


@bp.route("/cases/<uuid:case_id>/nrm/submitted", methods=["POST"])
@requires(Permission.NRM_REFER)
def nrm_submitted(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    errors = FormErrors()
    form = _form_data()
    answer = forms.read_referral(form, errors)
    if answer is not None:
        try:
            services.mark_referral_submitted(case, answer[0], answer[1], [f.key for f in context["missing"]], g.user)
        except services.DecisionError as error:
            errors.add("referred_on-day", str(error))
        else:
            _banner("NRM referral marked as submitted")
            return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm.html", **context, **_nrm_outcomes(case), errors=errors, form=form, banner=None
    ), 400


@bp.url_value_preprocessor
def _allow_letter_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A decision letter may be up to 10 MB, above the app's limit. URL value preprocessors run before every
    before_request hook (the guard reads the form for its CSRF check), so the limit is raised here, for this
    one form only."""
    if endpoint == "decisions.nrm_decision":
        request.max_content_length = LETTER_REQUEST_LIMIT


@bp.route("/cases/<uuid:case_id>/nrm/decisions", methods=["POST"])
@requires(Permission.NRM_REFER)
def nrm_decision(case_id: uuid.UUID) -> ResponseReturnValue:
    from rules.vocabulary import Nation

    case = case_queries.get_case(g.user, case_id)
    errors = FormErrors()
    form = _form_data()
    answer = forms.read_nrm_decision(form, Nation(case.nation), errors)
    upload = request.files.get("letter")
    letter = upload.read(MAX_LETTER_BYTES + 1) if upload is not None and upload.filename else None
    if letter is not None:
        try:
            check_letter(letter)
        except LetterRefused as refused:
            errors.add("letter", str(refused))
    if answer is not None and not errors:
        try:
            services.record_nrm_decision(case, answer[0], answer[1], answer[2], g.user)
            if letter is not None:
                services.record_decision_letter(case, answer[0], letter, g.user)
        except services.DecisionError as error:
            db.session.rollback()
            errors.add("decided_on-day", str(error))
        else:
            _banner("NRM decision recorded" + (" with its letter" if letter is not None else ""))
            return redirect(url_for("decisions.nrm", case_id=case.id))
    if letter is not None and "letter" not in errors:
        errors.add("letter", "Choose the decision letter again: a file is not kept when the form has a problem")
    return render_template(
        "decisions/nrm.html", **_nrm_context(case), **_nrm_outcomes(case), errors=errors, form=form, banner=None
    ), 400


@bp.route("/cases/<uuid:case_id>/nrm/letters/<stage>.pdf")
@requires(Permission.NRM_REFER)
def nrm_letter(case_id: uuid.UUID, stage: str) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    letter = queries.find_letter(case.id, stage)
    if letter is None:
        abort(404)
    record_event(db.session, "export.nrm_letter", object_type="case", object_id=case.id, detail={"stage": stage})
    short = "rg" if stage == "reasonable_grounds" else "cg"
    response = Response(letter.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{case.reference}-nrm-{short}-letter.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.route("/cases/<uuid:case_id>/nrm/reconsideration", methods=["GET", "POST"])
@requires(Permission.NRM_REFER)
def nrm_reconsideration(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    referral = context["referral"]
    if context["negative"] is None or referral is None:
        abort(404)
    errors = FormErrors()
    form: dict[str, Any] = {
        "text": referral.reconsideration_text or services.reconsideration_draft(case, referral, context["pack"]),
        "status": referral.reconsideration_status or "drafted",
    }
    if request.method == "POST":
        form = _form_data()
        text = form.get("text", "").strip()
        status = form.get("status", "")
        if not text:
            errors.add("text", "Enter the request")
        elif len(text) > TEXT_MAX_LENGTH:
            errors.add("text", f"The request must be {TEXT_MAX_LENGTH:,} characters or fewer")
        if status not in ("drafted", "sent", "answered"):
            errors.add("status", "Select what happened to the request")
        on = parse_date(form, "on", "the date", errors, past=True)
        if not errors and on is not None:
            try:
                services.save_reconsideration(case, g.user, text=text, status=status, on=on)
            except services.DecisionError as error:
                errors.add("status", str(error))
            else:
                _banner("Reconsideration request saved")
                return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm_reconsideration.html", **context, errors=errors, form=form
    ), 400 if errors else 200


@bp.route("/cases/<uuid:case_id>/nrm/update", methods=["GET", "POST"])
@requires(Permission.NRM_REFER)
def nrm_update(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    update = context["update"]
    if update is None:
        _banner("There is no amendment to tell the Single Competent Authority about")
        return redirect(url_for("decisions.nrm", case_id=case.id))
    errors = FormErrors()
    form = _form_data() if request.method == "POST" else {}
    if request.method == "POST":
        if form.get("checked") != "yes":
            errors.add("checked", "Confirm that you have checked the changes and the referral answers")
        else:
            try:
                sent = services.send_sca_update(case, context["referral"], update, g.user)
            except services.DecisionError as error:
                errors.add("checked", str(error))
            else:
                _banner(
                    f"Update sent to the Single Competent Authority ({len(sent)} recipient"
                    + ("" if len(sent) == 1 else "s")
                    + ")"
                )
                return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm_update.html",
        **context,
        errors=errors,
        form=form,
        labels={c.path: " › ".join(_label(part) for part in c.path.split(".")) for c in update.changes},
    ), 400 if errors else 200


@bp.route("/cases/<uuid:case_id>/nrm/pack.pdf")
@requires(Permission.EXPORT_PDF)
@limiter.shared_limit(PDF_LIMIT, scope="pdf", key_func=user_rate_key)
def nrm_pack_pdf(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    number = context["latest"].number if context["latest"] else 1
    try:
        data = render_nrm_pack_pdf(context["pack"], version=number)
    except PdfError:
        record_refusal(db.session, "export.nrm_pack", object_type="case", object_id=case.id, outcome="failure")
        return _pdf_unavailable("NRM referral pack")
    record_event(
        db.session,
        "export.nrm_pack",
        object_type="case",
        object_id=case.id,
        detail={"missing": len(context["missing"])},
    )
    return _pdf_response(data, pdf_filename("nrm-pack", case.reference, number))


@bp.route("/cases/<uuid:case_id>/nrm/bundle.zip")
@requires(Permission.EXPORT_PDF)
def nrm_bundle(case_id: uuid.UUID) -> ResponseReturnValue:
    """One download for the referral: the pack, the signed minutes and the selected written submissions.
    File names carry references only."""
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    latest, snapshot = context["latest"], context["snapshot"]
    if latest is None or snapshot is None:
        abort(404)
    conference_reference = snapshot["conference"]["reference"]
    try:
        pack_pdf = render_nrm_pack_pdf(context["pack"], version=latest.number)
        minutes = render_minutes_pdf(documents.minutes_view(snapshot))
    except PdfError:
        record_event(db.session, "export.nrm_bundle", object_type="case", object_id=case.id, outcome="failure")
        return _pdf_unavailable("NRM referral pack")
    selected = set((context["referral"].evidence_roles or []) if context["referral"] else [])
    submissions = {r: t for r, t in documents.written_submissions(snapshot).items() if r in selected}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(pdf_filename("nrm-pack", case.reference, latest.number), pack_pdf)
        bundle.writestr(pdf_filename("minutes", conference_reference, latest.number), minutes)
        for role, text in sorted(submissions.items()):
            heading = f"Written submission from {documents.role_label(role)} to meeting {conference_reference}"
            bundle.writestr(f"{conference_reference}-written-submission-{role}.txt", f"{heading}\n\n{text}\n")
    record_event(
        db.session,
        "export.nrm_bundle",
        object_type="case",
        object_id=case.id,
        detail={"version": latest.number, "submissions": sorted(submissions)},
    )
    response = Response(buffer.getvalue(), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{case.reference}-nrm-referral-v{latest.number}.zip"'
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the case page section --------------------------------------------------------------------------------


def _case_section(case: Case) -> dict[str, Any]:
    now = utcnow()
    referral = queries.find_referral(case.id)
    return {
        "records": queries.find_case_records(case.id),
        "overdue": queries.find_overdue_actions(now, case.id),
        "tracker": _tracker(case, referral),
        "referral": referral,
        "disclosures": queries.find_disclosures(case.id),
    }


register_case_section(40, "decisions/_case_section.html", _case_section)
