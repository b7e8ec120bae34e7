"""Pages for administrators: the accounts in their area."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth import admin
from conference.auth.models import Role
from conference.auth.policy import Permission, requires
from conference.directory import queries as directory_queries
from conference.forms import FormErrors

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
    errors = FormErrors()
    if request.method == "POST":
        name = request.form.get("display_name", "").strip()
        email = request.form.get("email", "").strip()
        role_value = request.form.get("role", "")
        agency = next((a for a in agencies if str(a.id) == request.form.get("agency_id", "")), None)
        if not name:
            errors.add("display_name", "Enter their full name")
        elif len(name) > 160:
            errors.add("display_name", "Name must be 160 characters or fewer")
        if "@" not in email or len(email) > 254 or " " in email or email.startswith("@") or email.endswith("@"):
            errors.add("email", "Enter an email address in the correct format, like name@example.org")
        elif admin.email_taken(email):
            errors.add("email", "This email address already has an account")
        if role_value not in {r.value for r in Role}:
            errors.add("role", "Select a role")
        if agency is None:
            errors.add("agency_id", "Select an agency")
        if not errors and agency is not None:
            details = admin.NewAccount(display_name=name, email=email, role=Role(role_value), agency=agency)
            user, code = admin.create_account(g.user, details, str(current_app.config["SECRET_KEY"]))
            return render_template("users/enrolment_code.html", user=user, code=code, created=True)
    chosen = request.form.get("agency_id", "")
    agency_items = [{"value": "", "text": "Select an agency"}] + [
        {"value": str(a.id), "text": a.name, "selected": str(a.id) == chosen} for a in agencies
    ]
    return render_template(
        "users/new.html", errors=errors, roles=list(Role), agency_items=agency_items
    ), 400 if errors else 200


@bp.route("/<uuid:user_id>", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def edit_user(user_id: uuid.UUID) -> ResponseReturnValue:
    user = admin.get_user_in_area(g.user, user_id)
    errors = FormErrors()
    if request.method == "POST":
        role_value = request.form.get("role", "")
        active_value = request.form.get("active", "")
        if role_value not in {r.value for r in Role}:
            errors.add("role", "Select a role")
        if active_value not in {"yes", "no"}:
            errors.add("active", "Select whether the account can be used")
        if user.id == g.user.id and (active_value == "no" or role_value != Role.ADMINISTRATOR):
            errors.add("role", "You cannot remove your own administrator access. Ask another administrator")
        if not errors:
            changed = admin.change_role(g.user, user, Role(role_value))
            changed = admin.set_active(g.user, user, active_value == "yes") or changed
            session["users_banner"] = f"{user.display_name}'s account updated" if changed else "Nothing changed"
            return redirect(url_for("users.list_users"))
    return render_template("users/edit.html", user=user, errors=errors, roles=list(Role)), 400 if errors else 200


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
