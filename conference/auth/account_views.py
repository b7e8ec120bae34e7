"""Pages for a person's own account: change your password, your sessions."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth import account
from conference.auth.passwords import password_problem, verify_password
from conference.auth.policy import Permission, requires
from conference.extensions import limiter, user_rate_key
from conference.forms import FormErrors

bp = Blueprint("account", __name__, url_prefix="/account")


def _current_id() -> str | None:
    row = getattr(session, "row", None)
    return getattr(row, "id", None)


@bp.route("/sessions")
@requires(Permission.SIGNED_IN)
def sessions() -> ResponseReturnValue:
    return render_template(
        "account/sessions.html",
        sessions=account.find_own_sessions(g.user, _current_id()),
        banner=session.pop("account_banner", None),
    )


@bp.route("/sessions/<handle>/end", methods=["POST"])
@requires(Permission.SIGNED_IN)
def end_session(handle: str) -> ResponseReturnValue:
    account.end_own_session(g.user, handle[:64], _current_id())
    session["account_banner"] = "Session ended"
    return redirect(url_for("account.sessions"))


@bp.route("/sessions/end-others", methods=["POST"])
@requires(Permission.SIGNED_IN)
def end_others() -> ResponseReturnValue:
    count = account.end_other_sessions(g.user, _current_id())
    session["account_banner"] = (
        "You have been signed out everywhere else" if count else "You were not signed in anywhere else"
    )
    return redirect(url_for("account.sessions"))


@bp.route("/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit("5/minute", methods=["POST"], key_func=user_rate_key)
def change_password() -> ResponseReturnValue:
    errors = FormErrors()
    end_others = request.form.get("end_other_sessions", "yes" if request.method == "GET" else "") == "yes"
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new = request.form.get("new_password", "")
        confirm = request.form.get("confirm_password", "")
        if not current:
            errors.add("current_password", "Enter your current password")
        elif not verify_password(g.user.password_hash, current):
            account.record_wrong_current_password(g.user)
            errors.add("current_password", "Enter your current password correctly")
        problem = password_problem(new, email=g.user.email, name=g.user.display_name)
        if problem:
            errors.add("new_password", problem.replace("Enter a password", "Enter a new password"))
        elif new != confirm:
            errors.add("confirm_password", "Enter the same password twice")
        elif new == current:
            errors.add("new_password", "Choose a password that is different from your current one")
        if not errors:
            account.change_own_password(g.user, new, end_others=end_others, current_id=_current_id())
            session["account_banner"] = "Your password has been changed" + (
                ". You have been signed out everywhere else" if end_others else ""
            )
            return redirect(url_for("account.sessions"))
    return render_template("account/password.html", errors=errors, end_others=end_others), 400 if errors else 200
