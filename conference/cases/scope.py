"""The scope of the cases each user may see, as one SQL condition applied in every case query (ACC-2)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from conference.auth.models import Role, User
from conference.auth.policy import AREA_SCOPED_ROLES
from conference.cases.models import Case, CaseAgency


def case_scope(user: User) -> ColumnElement[bool]:
    """The SQL condition for the cases this user may see. Applied in every case query (ACC-2)."""
    role = Role(user.role)
    if role in AREA_SCOPED_ROLES:
        return Case.local_authority_id == user.agency.local_authority_id
    if role == Role.AGENCY_MEMBER:
        return Case.id.in_(select(CaseAgency.case_id).where(CaseAgency.agency_id == user.agency_id))
    return false()


def scope_key(role: Role | str, agency_id: object, area_id: object) -> str:
    """A name for the set of cases ``case_scope`` gives a user of ``role`` in that agency and area: users with the
    same key see the same cases (for caches shared between users; change it together with ``case_scope``). The
    dashboard gives who a session belongs to, as read with it (``conference.auth.sessions.SignedIn``)."""
    role = Role(role)
    if role in AREA_SCOPED_ROLES:
        return f"area:{area_id}"
    if role == Role.AGENCY_MEMBER:
        return f"agency:{agency_id}"
    return "none"
