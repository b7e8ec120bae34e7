"""Pages for a person's own account: change your password, your sessions."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth import account
from conference.auth.forms import ChangePasswordForm
from conference.auth.policy import Permission, requires
from conference.extensions import limiter, user_rate_key

bp = Blueprint("account", __name__, url_prefix="/account")


def _current_id() -> str | None:
    return getattr(session, "session_id", None)


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
    form = ChangePasswordForm(user=g.user)
    end_others = form.end_others
    if form.check():
        account.change_own_password(g.user, form.new_password.data, end_others=end_others, current_id=_current_id())
        session["account_banner"] = "Your password has been changed" + (
            ". You have been signed out everywhere else" if end_others else ""
        )
        return redirect(url_for("account.sessions"))
    return render_template("account/password.html", errors=form.gov_errors, end_others=end_others), form.status
