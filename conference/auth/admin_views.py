"""Pages for administrators: the accounts in their area."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth import admin
from conference.auth.forms import EditUserForm, NewUserForm
from conference.auth.models import Role
from conference.auth.policy import Permission, requires
from conference.directory import queries as directory_queries

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("")
@requires(Permission.USERS_MANAGE)
def list_users() -> ResponseReturnValue:
    return render_template(
        "users/list.html", users=admin.find_users_in_area(g.user), banner=session.pop("users_banner", None)
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def new_user() -> ResponseReturnValue:
    agencies = directory_queries.find_agencies_in_area(g.user)
    form = NewUserForm(agencies=agencies)
    if form.check():
        user, code = admin.create_account(g.user, form.new_account(), str(current_app.config["SECRET_KEY"]))
        return render_template("users/enrolment_code.html", user=user, code=code, created=True)
    agency_items = [{"value": "", "text": "Select an agency"}] + [
        {"value": str(a.id), "text": a.name, "selected": str(a.id) == form.agency_id.data} for a in agencies
    ]
    return render_template(
        "users/new.html", errors=form.gov_errors, roles=list(Role), agency_items=agency_items
    ), form.status


@bp.route("/<uuid:user_id>", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def edit_user(user_id: uuid.UUID) -> ResponseReturnValue:
    user = admin.get_user_in_area(g.user, user_id)
    form = EditUserForm(editing_self=user.id == g.user.id)
    if form.check():
        changed = admin.change_role(g.user, user, Role(form.role.data))
        changed = admin.set_active(g.user, user, form.active.data == "yes") or changed
        session["users_banner"] = f"{user.display_name}'s account updated" if changed else "Nothing changed"
        return redirect(url_for("users.list_users"))
    return render_template("users/edit.html", user=user, errors=form.gov_errors, roles=list(Role)), form.status


@bp.route("/<uuid:user_id>/reset-authenticator", methods=["POST"])
@requires(Permission.USERS_MANAGE)
def reset_authenticator(user_id: uuid.UUID) -> ResponseReturnValue:
    user = admin.get_user_in_area(g.user, user_id)
    if user.id == g.user.id:
        session["users_banner"] = "Ask another administrator to reset your own authenticator app"
        return redirect(url_for("users.list_users"))
    code = admin.reset_authenticator(g.user, user, str(current_app.config["SECRET_KEY"]))
    # Shown once, on this page only: it is stored hashed and cannot be shown again.
    return render_template("users/enrolment_code.html", user=user, code=code)


@bp.route("/<uuid:user_id>/unlock", methods=["POST"])
@requires(Permission.USERS_MANAGE)
def unlock(user_id: uuid.UUID) -> ResponseReturnValue:
    user = admin.get_user_in_area(g.user, user_id)
    changed = admin.unlock_account(g.user, user)
    session["users_banner"] = f"{user.display_name}'s account unlocked" if changed else "Nothing changed"
    return redirect(url_for("users.list_users"))
