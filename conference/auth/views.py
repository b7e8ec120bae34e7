"""Sign in with a password and a TOTP code, set up MFA, sign out."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth import mfa as totp
from conference.auth import reset, services
from conference.auth.forms import (
    AuthenticatorCodeForm,
    EnrolmentCodeForm,
    ForgottenPasswordForm,
    NewAuthenticatorCodeForm,
    ResetPasswordForm,
    SignInForm,
)
from conference.auth.models import User
from conference.auth.policy import Permission, public, requires
from conference.db import utcnow
from conference.extensions import limiter
from conference.security import safe_next

bp = Blueprint("auth", __name__)


# Rate limits live in the limiter's shared storage (RATELIMIT_STORAGE_URI: Redis when more than one worker runs),
# keyed per account, per session and per address. The per-address limits are generous so that one person's
# failures (or a made-up email's) do not lock out colleagues behind the same office address; the per-account limits
# and the account lock (services.LOCK_AFTER) do the real work.
PER_ADDRESS = "60/minute"
PER_ACCOUNT = "5/minute"


def _login_rate_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"login:{email}" if email else f"login-ip:{request.remote_addr}"


def _account_rate_key() -> str:
    """The account being signed in to (password done, second factor pending)."""
    return f"account:{session.get('user_id') or request.remote_addr}"


def _session_rate_key() -> str:
    """This browser's session; before sign-in (no session row yet) its signed pre-session, told apart by the CSRF
    token it carries, so that one browser's failures do not count against colleagues at the same address."""
    row = getattr(session, "row", None)
    if row is not None:
        return f"session:{row.id}"
    token = session.get("csrf_token")
    if token:
        return "pre-session:" + hashlib.sha256(str(token).encode()).hexdigest()[:32]
    return f"no-session:{request.remote_addr}"


def _secret_key() -> str:
    return str(current_app.config["SETTINGS"].secret_key)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit("10/minute", methods=["POST"], key_func=_login_rate_key)
@limiter.limit("10/minute", methods=["POST"], key_func=_session_rate_key)
def login() -> ResponseReturnValue:
    form = SignInForm()
    expired = bool(session.pop("flash_expired", False)) or getattr(session, "expired", False)
    if form.check():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.add_error("email", "Enter a correct email address and password")
        else:
            keep = {k: session[k] for k in ("next", "draft_id", "form_not_kept") if k in session}
            session.clear()
            session.update(keep)
            session["user_id"] = str(user.id)
            session["password_at"] = utcnow().isoformat()
            session.regenerate()  # type: ignore[attr-defined]
            return redirect(url_for("auth.mfa" if user.mfa_enrolled_at else "auth.mfa_setup"))
    changed = bool(session.pop("password_changed", False))
    return render_template(
        "auth/login.html",
        errors=form.gov_errors,
        email=form.email.data,
        expired=expired,
        changed=changed,
        draft_lost=bool(session.get("form_not_kept")),
    ), form.status


@bp.route("/login/code", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_account_rate_key)
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_session_rate_key)
def mfa() -> ResponseReturnValue:
    user = g.pending_user
    if g.mfa_verified:
        return redirect(url_for("main.index"))
    if not user.mfa_enrolled_at:
        return redirect(url_for("auth.mfa_setup"))
    form = AuthenticatorCodeForm()
    if form.check():
        result = services.verify_mfa(user, form.code.data, _secret_key())
        if result.ok:
            return _complete_login()
        form.add_error("code", result.message)
    return render_template("auth/mfa.html", errors=form.gov_errors), form.status


def _enrolment_mark(user: User) -> str:
    """What the session remembers once the enrolment code is accepted: tied to that code, so a newer code (or the
    code's use) makes it worthless."""
    return hashlib.sha256(f"{user.id}|{user.enrolment_code_hash}".encode()).hexdigest()


@bp.route("/login/set-up-authenticator", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
@limiter.limit(PER_ADDRESS, methods=["POST"])
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_account_rate_key)
@limiter.limit(PER_ACCOUNT, methods=["POST"], key_func=_session_rate_key)
def mfa_setup() -> ResponseReturnValue:
    """Two steps: the one-time enrolment code from an administrator, then the new authenticator's QR code and key.
    A password (or a reset link) alone never reaches the second step."""
    user = g.pending_user
    if user.mfa_enrolled_at:
        return redirect(url_for("auth.mfa"))
    accepted = bool(user.enrolment_code_hash) and session.get("enrolment_accepted") == _enrolment_mark(user)
    if not accepted:
        enrolment = EnrolmentCodeForm()
        if enrolment.check():
            result = services.check_enrolment_code(user, enrolment.enrolment_code.data, _secret_key())
            if result.ok:
                session["enrolment_accepted"] = _enrolment_mark(user)
                return redirect(url_for("auth.mfa_setup"))
            enrolment.add_error("enrolment_code", result.message)
        return render_template("auth/mfa_enrolment_code.html", errors=enrolment.gov_errors), enrolment.status
    if "pending_totp" not in session:
        session["pending_totp"] = totp.encrypt_secret(totp.new_totp_secret(), _secret_key())
    secret = totp.decrypt_secret(session["pending_totp"], _secret_key())
    form = NewAuthenticatorCodeForm()
    if form.check():
        result = services.enrol_mfa(user, secret, form.code.data, _secret_key())
        if result.ok:
            session.pop("pending_totp", None)
            session.pop("enrolment_accepted", None)
            return _complete_login()
        form.add_error("code", result.message)
    uri = totp.provisioning_uri(secret, user.email)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "auth/mfa_setup.html", errors=form.gov_errors, qr=totp.qr_code_data_uri(uri), secret=grouped
    ), form.status


def _complete_login() -> ResponseReturnValue:
    session["mfa_at"] = utcnow().isoformat()
    session.regenerate()  # type: ignore[attr-defined]
    target = safe_next(session.pop("next", None)) or url_for("main.index")
    draft_id = session.pop("draft_id", None)
    if draft_id:
        draft = services.find_form_draft(g.pending_user, draft_id)
        if draft is not None:
            session["restore_draft"] = draft_id
            target = safe_next(draft.path) or target
    return redirect(target)


@bp.route("/logout", methods=["POST"])
@requires(Permission.SIGNED_IN)
def logout() -> ResponseReturnValue:
    if g.pending_user is not None:
        services.record_logout(g.pending_user)
    session.destroy()  # type: ignore[attr-defined]
    response = redirect(url_for("auth.signed_out"))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.route("/login/forgotten-password", methods=["GET", "POST"])
@public
@limiter.limit("5/minute", methods=["POST"])
def forgotten_password() -> ResponseReturnValue:
    form = ForgottenPasswordForm()
    if form.check():
        reset.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgotten_password.html", errors=form.gov_errors, email=form.email.data), form.status


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10/minute", methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    pending = reset.find_valid_reset(token)
    if pending is None:
        return render_template("auth/reset_expired.html"), 410
    form = ResetPasswordForm(user=reset.find_reset_user(pending))
    if form.check():
        reset.reset_password(pending, form.password.data)
        session.clear()
        session["password_changed"] = True
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", errors=form.gov_errors, token=token), form.status


@bp.route("/signed-out")
@public
def signed_out() -> ResponseReturnValue:
    return render_template("auth/signed_out.html")
