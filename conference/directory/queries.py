"""Reading the directory: the agencies of every area or of one, an agency with its people, an agency an administrator
manages."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from conference.auth.models import User
from conference.directory.models import Agency, LocalAuthority
from conference.extensions import db


def find_agencies() -> list[Agency]:
    """Every agency, by area, kind and name."""
    return list(
        db.session.scalars(select(Agency).join(LocalAuthority).order_by(LocalAuthority.name, Agency.kind, Agency.name))
        .unique()
        .all()
    )


def find_agencies_in_area(user: User) -> list[Agency]:
    """The agencies of the user's own area, by name (an administrator adds accounts to them)."""
    return list(
        db.session.scalars(
            select(Agency).where(Agency.local_authority_id == user.agency.local_authority_id).order_by(Agency.name)
        )
    )


def get_agency(agency_id: uuid.UUID) -> Agency:
    """The agency with its people loaded; 404 when there is none."""
    agency = (
        db.session.scalars(select(Agency).where(Agency.id == agency_id).options(selectinload(Agency.people)))
        .unique()
        .first()
    )
    if agency is None:
        raise NotFound()
    return agency


def get_managed_agency(user: User, agency_id: uuid.UUID) -> Agency:
    """An agency of the administrator's own area (they manage the directory of their area); 404 otherwise."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.local_authority_id != user.agency.local_authority_id:
        raise NotFound()
    return agency
