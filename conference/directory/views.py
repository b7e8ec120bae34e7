"""The directory of agencies and people."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from conference.auth.policy import Permission, requires
from conference.directory.models import Agency, LocalAuthority
from conference.extensions import db

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.route("/agencies")
@requires(Permission.DIRECTORY_VIEW)
def list_agencies() -> ResponseReturnValue:
    agencies = db.session.scalars(
        select(Agency).join(LocalAuthority).order_by(LocalAuthority.name, Agency.kind, Agency.name)
    ).unique().all()
    return render_template("directory/agencies.html", agencies=agencies)


@bp.route("/agencies/<uuid:agency_id>")
@requires(Permission.DIRECTORY_VIEW)
def show_agency(agency_id: uuid.UUID) -> ResponseReturnValue:
    agency = db.session.scalars(
        select(Agency).where(Agency.id == agency_id).options(selectinload(Agency.people))
    ).unique().first()
    if agency is None:
        raise NotFound()
    return render_template("directory/agency.html", agency=agency)
