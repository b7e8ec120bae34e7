"""The one decisions blueprint ``bp`` and the helpers every decisions view module shares: loading the conference
and its record (a GET creates nothing), who may write it, the page context, the banner, the conflict and refusal
pages, the PDF responses. The routes attach in decisions/{recording,sign_off,nrm,actions}/views.py."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request, session
from flask.typing import ResponseReturnValue

from conference.convening.models import Conference
from conference.urls import in_database_range
from decisions import common, forms, queries
from decisions.letters import MAX_LETTER_BYTES
from decisions.models import DecisionRecord, RecordStatus
from rules.quorum import ROLE_LABELS
from rules.vocabulary import Seat

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


def load(conference_id: uuid.UUID) -> tuple[Conference, DecisionRecord]:
    """The conference and its record. A GET creates nothing (an unsaved empty record is shown); a POST opens it."""
    conference = queries.get_conference(g.user, conference_id)
    if request.method == "POST":
        return conference, common.open_record(conference, g.user)
    return conference, common.find_or_new_record(conference)


def load_for_writing(conference_id: uuid.UUID) -> tuple[Conference, DecisionRecord]:
    """Only the chair, or the coordinator the chair named recorder, writes the record's sections (ACC-4)."""
    conference, record = load(conference_id)
    if not common.may_write_record(g.user, record):
        abort(403)
    return conference, record


def version_field() -> int:
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    if not in_database_range(version):
        abort(400)
    return version


def set_banner(text: str) -> None:
    session[BANNER] = text


def common_context(conference: Conference, record: DecisionRecord, **extra: Any) -> dict[str, Any]:
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


def conflict_page(
    conference: Conference, record: DecisionRecord, conflict: common.SaveConflict, status: int = 409
) -> ResponseReturnValue:
    return render_template(
        "decisions/conflict.html",
        **common_context(conference, record),
        conflict=conflict,
        section_title=SECTION_TITLES.get(conflict.section, conflict.section),
        section_endpoint=SECTION_ENDPOINTS.get(conflict.section, "decisions.task_list"),
        mine=readable(conflict.mine),
        saved=readable(conflict.saved),
    ), status


def label_of(key: str) -> str:
    """A stored key as people say it: a role ("Police"), a section title, or the words of the key."""
    if key in {r.value for r in Seat}:
        return ROLE_LABELS[Seat(key)].capitalize()
    return SECTION_TITLES.get(key) or key.replace("_", " ").capitalize()


def readable(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A section's stored value as label/text rows, for the conflict view."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            label = label_of(str(key))
            if isinstance(item, dict | list):
                rows += readable(item, f"{prefix}{label}: ")
            else:
                rows.append((f"{prefix}{label}", "" if item is None else str(item)))
        return rows
    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value, start=1):
            rows += readable(item, f"{prefix}{index}. ") if isinstance(item, dict | list) else [(prefix, str(item))]
        return rows
    return [(prefix or "Value", "" if value is None else str(value))]


def refused(conference: Conference, record: DecisionRecord, message: str) -> ResponseReturnValue:
    return render_template("decisions/refused.html", **common_context(conference, record), message=message), 409


def form_data() -> dict[str, str]:
    return request.form.to_dict()


def pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_unavailable(kind: str) -> ResponseReturnValue:
    response = render_template("decisions/pdf_unavailable.html", kind=kind)
    return response, 503, {"Retry-After": "30"}
