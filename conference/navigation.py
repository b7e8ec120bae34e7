"""The service navigation in the page header, built once per role and section and reused (issue 14).

Every signed-in page shows it; built in the template it cost five permission checks and five ``url_for`` calls per
request (profiled in docs/benchmarks.md). What it shows depends only on the user's role (permissions are by role,
``conference.auth.policy.ROLE_PERMISSIONS``), the section of the page (the blueprint of the endpoint, marked
active) and the app's routes, so each app keeps the HTML per (role, section). Nothing about the person is in it.
"""

from __future__ import annotations

import threading

from flask import Flask, request, url_for
from markupsafe import Markup, escape

from conference.auth.models import User
from conference.auth.policy import Permission, has_permission

#: (endpoint, label, permission), in the order shown.
ITEMS: tuple[tuple[str, str, Permission], ...] = (
    ("dashboard.dashboard", "Dashboard", Permission.DASHBOARD_VIEW),
    ("planning.plan_week", "Plan the week", Permission.PLAN_WEEK),
    ("cases.list_cases", "Cases", Permission.CASE_LIST),
    ("directory.list_agencies", "Directory", Permission.DIRECTORY_VIEW),
    ("users.list_users", "Accounts", Permission.USERS_MANAGE),
)
KEY = "convene.navigation"
_lock = threading.Lock()


def _section(endpoint: str | None) -> str:
    return endpoint.split(".")[0] if endpoint else ""


def _build(app: Flask, user: User, section: str) -> Markup:
    items = []
    for endpoint, label, permission in ITEMS:
        if not has_permission(user, permission) or endpoint not in app.view_functions:
            continue
        active = " govuk-service-navigation__item--active" if _section(endpoint) == section else ""
        items.append(
            f'<li class="govuk-service-navigation__item{active}">'
            f'<a class="govuk-service-navigation__link" href="{escape(url_for(endpoint))}">{escape(label)}</a></li>'
        )
    return Markup("\n".join(items))  # constant markup; the labels and addresses are escaped


def navigation_items(app: Flask, user: User | None) -> Markup:
    """The ``<li>`` items of the service navigation for ``user`` on the current page (empty when signed out)."""
    if user is None:
        return Markup("")
    section = _section(request.endpoint)
    key = (str(user.role), section, request.script_root)
    copies: dict[tuple[str, str, str], Markup] = app.extensions.setdefault(KEY, {})
    found = copies.get(key)
    if found is None:
        found = _build(app, user, section)
        with _lock:
            copies[key] = found
    return found
