"""Sign in with a password and a TOTP code, set up MFA, sign out."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth import mfa as totp
from conference.auth import reset, services
from conference.auth.models import User
from conference.auth.passwords import password_problem
from conference.auth.policy import Permission, public, requires
from conference.db import utcnow
from conference.extensions import limiter
from conference.forms import FormErrors
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
    errors = FormErrors()
    expired = bool(session.pop("flash_expired", False)) or getattr(session, "expired", False)
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if not email:
            errors.add("email", "Enter your email address")
        if not password:
            errors.add("password", "Enter your password")
        if not errors:
            user = services.authenticate(email, password)
            if user is None:
                errors.add("email", "Enter a correct email address and password")
            else:
                keep = {k: session[k] for k in ("next", "draft_id", "form_not_kept") if k in session}
                session.clear()
                session.update(keep)
                session["user_id"] = str(user.id)
                session["password_at"] = utcnow().isoformat()
                session.regenerate()  # type: ignore[attr-defined]
                return redirect(url_for("auth.mfa" if user.mfa_enrolled_at else "auth.mfa_setup"))
    status = 400 if errors else 200
    changed = bool(session.pop("password_changed", False))
    return render_template(
        "auth/login.html",
        errors=errors,
        email=email,
        expired=expired,
        changed=changed,
        draft_lost=bool(session.get("form_not_kept")),
    ), status


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
    errors = FormErrors()
    if request.method == "POST":
        code = request.form.get("code", "")
        if not code.strip():
            errors.add("code", "Enter the 6-digit code from your authenticator app")
        else:
            result = services.verify_mfa(user, code, _secret_key())
            if result.ok:
                return _complete_login()
            errors.add("code", result.message)
    return render_template("auth/mfa.html", errors=errors), 400 if errors else 200


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
    errors = FormErrors()
    accepted = bool(user.enrolment_code_hash) and session.get("enrolment_accepted") == _enrolment_mark(user)
    if not accepted:
        if request.method == "POST":
            code = request.form.get("enrolment_code", "")
            if not code.strip():
                errors.add("enrolment_code", "Enter the enrolment code your administrator gave you")
            else:
                result = services.check_enrolment_code(user, code, _secret_key())
                if result.ok:
                    session["enrolment_accepted"] = _enrolment_mark(user)
                    return redirect(url_for("auth.mfa_setup"))
                errors.add("enrolment_code", result.message)
        return render_template("auth/mfa_enrolment_code.html", errors=errors), 400 if errors else 200
    if "pending_totp" not in session:
        session["pending_totp"] = totp.encrypt_secret(totp.new_totp_secret(), _secret_key())
    secret = totp.decrypt_secret(session["pending_totp"], _secret_key())
    if request.method == "POST":
        code = request.form.get("code", "")
        if not code.strip():
            errors.add("code", "Enter the 6-digit code from your authenticator app")
        else:
            result = services.enrol_mfa(user, secret, code, _secret_key())
            if result.ok:
                session.pop("pending_totp", None)
                session.pop("enrolment_accepted", None)
                return _complete_login()
            errors.add("code", result.message)
    uri = totp.provisioning_uri(secret, user.email)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "auth/mfa_setup.html", errors=errors, qr=totp.qr_code_data_uri(uri), secret=grouped
    ), 400 if errors else 200


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
    errors = FormErrors()
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        if not email:
            errors.add("email", "Enter your email address")
        elif "@" not in email or len(email) > 254:
            errors.add("email", "Enter an email address in the correct format, like name@example.org")
        else:
            reset.request_password_reset(email)
            return render_template("auth/reset_sent.html", email=email)
    return render_template("auth/forgotten_password.html", errors=errors, email=email), 400 if errors else 200


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10/minute", methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    pending = reset.find_valid_reset(token)
    if pending is None:
        return render_template("auth/reset_expired.html"), 410
    errors = FormErrors()
    if request.method == "POST":
        password = request.form.get("password", "")
        confirm = request.form.get("confirm_password", "")
        user = reset.find_reset_user(pending)
        problem = password_problem(password, email=user.email if user else "", name=user.display_name if user else "")
        if problem:
            errors.add("password", problem)
        elif password != confirm:
            errors.add("confirm_password", "Enter the same password twice")
        if not errors:
            reset.reset_password(pending, password)
            session.clear()
            session["password_changed"] = True
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", errors=errors, token=token), 400 if errors else 200


@bp.route("/signed-out")
@public
def signed_out() -> ResponseReturnValue:
    return render_template("auth/signed_out.html")
