"""The permission policy: roles to permissions (the scope of the cases each user may see is
``conference.cases.scope.case_scope``).

Access is denied by default: every endpoint declares a permission (``@requires``) or is explicitly
public (``@public``); ``test_every_route_declares_a_permission_or_is_explicitly_public`` in
``tests/integration/test_security.py`` walks every route to prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from conference.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])


class Permission(StrEnum):
    SIGNED_IN = "signed_in"  # any signed-in, MFA-verified user
    CASE_LIST = "case.list"
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_EDIT = "case.edit"
    CASE_IDENTITY = "case.identity"  # see the child's identity fields
    CASE_ACCESS_LOG = "case.access_log"  # see who viewed a case
    AUDIT_READ = "audit.read"
    DIRECTORY_VIEW = "directory.view"
    DIRECTORY_MANAGE = "directory.manage"
    CONFERENCE_CONVENE = "conference.convene"
    CONFERENCE_VIEW = "conference.view"
    # Write the decision record's sections. The chair writes; a coordinator only when the chair named them the
    # recorder for that conference (checked on the record: decisions.common.may_write_record).
    DECISION_RECORD = "decision.record"
    # Add one's own agency's information to a record (agency members), nothing else.
    DECISION_AGENCY_INFO = "decision.agency_information"
    DECISION_SIGN_OFF = "decision.sign_off"
    DECISION_VIEW = "decision.view"
    EXPORT_PDF = "export.pdf"
    MINUTES_DOWNLOAD = "minutes.download"  # the signed minutes, for attendees (no child identity in them)
    NRM_REFER = "nrm.refer"
    DASHBOARD_VIEW = "dashboard.view"
    PLAN_WEEK = "planning.plan_week"  # plan many meetings together, and send their invitations
    USERS_MANAGE = "users.manage"


_EVERYONE = {Permission.SIGNED_IN, Permission.DIRECTORY_VIEW}
_CASE_READ = {
    Permission.CASE_LIST,
    Permission.CASE_VIEW,
    Permission.CONFERENCE_VIEW,
    Permission.DECISION_VIEW,
    Permission.MINUTES_DOWNLOAD,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COORDINATOR: frozenset(
        _EVERYONE
        | _CASE_READ
        | {
            Permission.CASE_CREATE,
            Permission.CASE_EDIT,
            Permission.CASE_IDENTITY,
            Permission.CONFERENCE_CONVENE,
            Permission.EXPORT_PDF,
            Permission.NRM_REFER,
            Permission.DASHBOARD_VIEW,
            Permission.DECISION_RECORD,
            Permission.PLAN_WEEK,
        }
    ),
    Role.CHAIR: frozenset(
        _EVERYONE
        | _CASE_READ
        | {
            Permission.CASE_IDENTITY,
            Permission.DECISION_RECORD,
            Permission.DECISION_SIGN_OFF,
            Permission.DECISION_AGENCY_INFO,
            Permission.EXPORT_PDF,
            Permission.NRM_REFER,
        }
    ),
    Role.AGENCY_MEMBER: frozenset(_EVERYONE | _CASE_READ | {Permission.DECISION_AGENCY_INFO}),
    Role.MANAGER: frozenset(
        _EVERYONE
        | _CASE_READ
        | {
            Permission.CASE_IDENTITY,
            Permission.CASE_ACCESS_LOG,
            Permission.AUDIT_READ,
            Permission.DASHBOARD_VIEW,
            Permission.EXPORT_PDF,
            Permission.PLAN_WEEK,
        }
    ),
    # Administrators run accounts and the directory; they do not read cases.
    Role.ADMINISTRATOR: frozenset(
        _EVERYONE | {Permission.DIRECTORY_MANAGE, Permission.USERS_MANAGE, Permission.AUDIT_READ}
    ),
}

AREA_SCOPED_ROLES = {Role.COORDINATOR, Role.CHAIR, Role.MANAGER}


class Account(Protocol):
    """What permissions are decided on: an account (``User``) or who a session belongs to (``SignedIn``)."""

    @property
    def role(self) -> Any: ...

    @property
    def is_active(self) -> bool: ...


def has_permission(user: Account | None, permission: Permission | str) -> bool:
    if user is None or not user.is_active:
        return False
    return Permission(permission) in ROLE_PERMISSIONS.get(Role(user.role), frozenset())


def requires(permission: Permission) -> Callable[[F], F]:
    """Declare the permission a view needs. The global guard enforces it."""

    def decorate(view: F) -> F:
        view._permission = permission  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: F) -> F:
    """Declare a view that needs no session (login pages, link replies with their own token, assets)."""
    view._public = True  # type: ignore[attr-defined]
    return view
