"""Autosave (JSON) and the conflict view: a save that lost to someone else's is kept and shown beside what is
saved now. The chair or the named recorder autosaves any section; an agency member their own information."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from conference.auth.policy import Permission, requires
from conference.convening.models import Conference
from conference.forms import FormErrors
from conference.urls import in_database_range
from decisions import common, forms, queries
from decisions.blueprint import (
    PREFIX,
    bp,
    conflict_page,
    load,
)
from decisions.recording import queries as recording_queries
from decisions.recording import services as recording
from decisions.recording.views import information_roles
from rules.indicators import IndicatorCatalogue
from rules.vocabulary import Seat


def _information(form: Any, roles: Sequence[Seat], errors: FormErrors) -> dict[str, str] | None:
    information = forms.InformationForm.for_roles(roles)(formdata=form)
    return information.value() if forms.read_form(information, errors) else None


def _indicators(form: Any, catalogue: IndicatorCatalogue, errors: FormErrors) -> dict[str, Any] | None:
    indicators = forms.IndicatorsForm.for_catalogue(catalogue)(formdata=form)
    return indicators.value() if forms.read_form(indicators, errors) else None


def _child_views(form: Any, errors: FormErrors) -> dict[str, str] | None:
    views = forms.ChildViewsForm(formdata=form)
    return views.value() if forms.read_form(views, errors) else None


def _elements(form: Any, errors: FormErrors) -> dict[str, Any] | None:
    elements = forms.ElementsForm(formdata=form)
    return elements.value() if forms.read_form(elements, errors) else None


_AUTOSAVE_READERS: dict[str, Callable[[Conference, Any, FormErrors], Any]] = {
    "information": lambda c, f, e: _information(f, forms.seat_roles(c), e),
    "child_views": lambda c, f, e: _child_views(f, e),
    "elements": lambda c, f, e: _elements(f, e),
    "indicators": lambda c, f, e: _indicators(f, recording.record_catalogue(queries.get_record(c.id)), e),
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
    conference, record = load(conference_id)
    whole = common.may_write_record(g.user, record)
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
        own, _whole = information_roles(conference, record)
        read = _information(form, own, errors)
        saved = (record.sections or {}).get("information", {})
        value = None if read is None else recording.merge_information(saved, read, own)
    if value is None:
        return jsonify(saved=False, errors={f: errors.get(f) for f in errors}), 422
    try:
        new_version = recording.save_section(record, section, value, version, g.user)
    except common.SaveConflict as conflict:
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
    except common.DecisionError as error:
        return jsonify(saved=False, error=str(error)), 409
    return jsonify(saved=True, version=new_version)


@bp.route(f"{PREFIX}/conflicts/<uuid:conflict_id>")
@requires(Permission.DECISION_AGENCY_INFO)
def show_conflict(conference_id: uuid.UUID, conflict_id: uuid.UUID) -> ResponseReturnValue:
    """A save of yours that lost to someone else's (kept, never applied): your text beside what is saved now."""
    conference, record = load(conference_id)
    kept = recording_queries.get_conflict(record, conflict_id, g.user)
    conflict = common.SaveConflict(
        kept.section, kept.attempted, (record.sections or {}).get(kept.section), record.version, kept.id
    )
    return conflict_page(conference, record, conflict, status=200)
