"""Service-wide pages: the start page, health check and the accessibility statement."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, has_permission, public, requires
from conference.extensions import check_database

bp = Blueprint("main", __name__)


@bp.route("/")
@requires(Permission.SIGNED_IN)
def index() -> ResponseReturnValue:
    if has_permission(g.user, Permission.DASHBOARD_VIEW) and "dashboard.dashboard" in _endpoints():
        return redirect(url_for("dashboard.dashboard"))
    if has_permission(g.user, Permission.CASE_LIST):
        return redirect(url_for("cases.list_cases"))
    return redirect(url_for("directory.list_agencies"))


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    check_database()
    return {"status": "ok"}


@bp.route("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    return render_template("main/accessibility.html")
