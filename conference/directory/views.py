"""The directory of agencies and people."""

from __future__ import annotations

import uuid

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from conference.auth.policy import Permission, has_permission, requires
from conference.directory import queries, services
from conference.directory.forms import PersonForm
from conference.directory.models import Agency, AvailabilitySource, Person
from conference.extensions import CALENDAR_UPLOAD_LIMIT, has_calendar_upload, limiter, user_rate_key

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.route("/agencies")
@requires(Permission.DIRECTORY_VIEW)
def list_agencies() -> ResponseReturnValue:
    agencies = queries.find_agencies()
    return render_template("directory/agencies.html", agencies=agencies)


@bp.route("/agencies/<uuid:agency_id>")
@requires(Permission.DIRECTORY_VIEW)
def show_agency(agency_id: uuid.UUID) -> ResponseReturnValue:
    agency = queries.get_agency(agency_id)
    can_manage = has_permission(g.user, Permission.DIRECTORY_MANAGE) and (
        agency.local_authority_id == g.user.agency.local_authority_id
    )
    return render_template(
        "directory/agency.html", agency=agency, can_manage=can_manage, banner=session.pop("agency_banner", None)
    )


def _managed_agency(agency_id: uuid.UUID) -> Agency:
    """Administrators manage the directory of their own area."""
    return queries.get_managed_agency(g.user, agency_id)


@bp.route("/agencies/<uuid:agency_id>/people/new", methods=["GET", "POST"], endpoint="new_person")
@bp.route("/agencies/<uuid:agency_id>/people/<uuid:person_id>", methods=["GET", "POST"], endpoint="edit_person")
@requires(Permission.DIRECTORY_MANAGE)
@limiter.limit(
    CALENDAR_UPLOAD_LIMIT, methods=["POST"], key_func=user_rate_key, exempt_when=lambda: not has_calendar_upload()
)
def edit_person(agency_id: uuid.UUID, person_id: uuid.UUID | None = None) -> ResponseReturnValue:
    agency = _managed_agency(agency_id)
    person = None
    if person_id is not None:
        person = services.get_person(agency, person_id)
        if person is None:
            raise NotFound()
    form = PersonForm(person=person)
    if form.check():
        saved = services.save_person(g.user, agency, person, form.details())
        session["agency_banner"] = f"{saved.name} {'added' if person is None else 'updated'}"
        return redirect(url_for("directory.show_agency", agency_id=agency.id))
    return render_template(
        "directory/person.html",
        agency=agency,
        person=person,
        form=request.form.to_dict() if form.is_submitted() else _form_from(person),
        errors=form.gov_errors,
        weekdays=services.WEEKDAYS,
        sources=list(AvailabilitySource),
    ), form.status


def _form_from(person: Person | None) -> dict[str, str]:
    if person is None:
        return {
            "on_call": "no",
            "availability_source": "none",
            **{f"hours_{d}": "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
        }
    form = {
        "name": person.name,
        "job_title": person.job_title,
        "email": person.email,
        "role_tags": ", ".join(person.role_tags),
        "languages": ", ".join(person.languages or []),
        "on_call": "yes" if person.on_call else "no",
        "availability_source": person.availability_source.value,
        "availability_url": person.availability_url,
    }
    for key, _label in services.WEEKDAYS:
        form[f"hours_{key}"] = services.format_hours(person.working_hours.get(key, []))
    return form
