"""The global guard (deny by default), the unit of work per request, and the security headers."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask.ctx import _AppCtxGlobals
from flask.typing import ResponseReturnValue

from conference.audit import AuditContext, enter_context, leave_context, run_kept, run_views
from conference.auth.models import FormDraft
from conference.auth.policy import Permission, has_permission
from conference.auth.sessions import SignedIn
from conference.extensions import csrf, db
from conference.navigation import navigation_items

log = logging.getLogger(__name__)

MFA_ENDPOINTS = {"auth.mfa", "auth.mfa_setup", "auth.logout"}
NOT_SAVED_FIELDS = {
    "csrf_token",
    "password",
    "code",
    "current_password",
    "new_password",
    "confirm_password",
    "enrolment_code",
}


def _view_declaration(endpoint: str | None, app: Flask) -> tuple[bool, Permission | None]:
    if endpoint is None:
        return False, None
    if endpoint == "static":
        return True, None
    view = app.view_functions.get(endpoint)
    if view is None:
        return False, None
    return bool(getattr(view, "_public", False)), getattr(view, "_permission", None)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site may be a redirect target after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


MAX_DRAFT_BYTES = 256 * 1024


def _save_draft_and_redirect(user_id: uuid.UUID) -> ResponseReturnValue:
    """SES-6: a form posted just after a signed-in session expired is kept for that user and restored after they
    sign in again. Only for a real session of a known user (never for a made-up cookie), and at most 256 KB: a
    larger form is not kept and the person is told so after signing in."""
    data = {k: v for k, v in request.form.to_dict(flat=False).items() if k not in NOT_SAVED_FIELDS}
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        session["form_not_kept"] = True
    else:
        draft = FormDraft(user_id=user_id, path=request.path[:500], data=data)
        db.session.add(draft)
        db.session.flush()
        session["draft_id"] = str(draft.id)
    session["next"] = request.path
    session["flash_expired"] = True
    return redirect(url_for("auth.login"))


def _signed_in() -> SignedIn | None:
    """Who the session belongs to, checked on every request: a live session of an active, unlocked account (an
    administrator's change takes effect on the next request); otherwise the session is ended."""
    user_id = session.get("user_id")
    if not user_id:
        return None
    try:
        wanted = uuid.UUID(user_id)
    except ValueError:
        return None
    # Read with the session row in one statement (conference.auth.sessions).
    identity: SignedIn | None = getattr(session, "identity", None)
    if identity is None or identity.id != wanted or not identity.is_active or identity.locked_at is not None:
        session.destroy()  # type: ignore[attr-defined]
        return None
    return identity


class RequestGlobals(_AppCtxGlobals):
    """``flask.g``, whose ``user`` (the signed-in account, once the second factor is done) and ``pending_user``
    (the account between the password and the second factor) are made database objects only when something first
    uses them (``ServerSession.user``): the guard checks the session's ``SignedIn`` instead, and a page served from
    a cache needs no more (docs/benchmarks.md)."""

    def __getattr__(self, name: str) -> Any:
        if name not in ("user", "pending_user"):
            return super().__getattr__(name)
        values = self.__dict__
        account = session.user if values.get("account_signed_in") else None  # type: ignore[attr-defined]
        values["pending_user"] = account
        values["user"] = account if values.get("account_mfa_done") else None
        return values[name]


def guard() -> ResponseReturnValue | None:
    from flask import current_app

    g.request_id = uuid.uuid4().hex  # made here, never taken from the client (LOG-1)
    audit_context = AuditContext(request_id=g.request_id, ip=request.remote_addr or "")
    g.audit_token = enter_context(audit_context)
    g.csp_nonce = secrets.token_urlsafe(18)
    g.mfa_verified = False
    if request.method == "TRACE":
        abort(405)
    is_public, permission = _view_declaration(request.endpoint, current_app)
    user = _signed_in()
    mfa_done = bool(user is not None and session.get("mfa_at"))
    # g.user and g.pending_user: the account, made a database object only when first used (RequestGlobals).
    g.account_signed_in = user is not None
    g.account_mfa_done = mfa_done
    audit_context.user = user if mfa_done else None
    g.mfa_verified = mfa_done
    if request.routing_exception is not None:
        return None  # Flask raises it next: 404 or 405, the same for everyone
    if is_public:
        _check_csrf(current_app)
        return None
    if request.endpoint is None:
        abort(404)
    if permission is None:
        log.error("route without a permission declaration refused", extra={"event": request.endpoint})
        abort(403)
    if user is None:
        expired_user_id = getattr(session, "expired_user_id", None)
        if request.method == "POST" and expired_user_id is not None and request.form:
            return _save_draft_and_redirect(expired_user_id)
        if request.accept_mimetypes.best == "application/json":
            abort(401)
        if request.method == "GET":
            session["next"] = request.full_path.rstrip("?")
        return redirect(url_for("auth.login"))
    if not mfa_done:
        if request.endpoint in MFA_ENDPOINTS:
            _check_csrf(current_app)
            return None
        return redirect(url_for("auth.mfa" if g.pending_user.mfa_enrolled_at else "auth.mfa_setup"))
    if not has_permission(user, permission):
        abort(403)
    _check_csrf(current_app)
    return None


def _leave_audit_context(_error: BaseException | None) -> None:
    token = g.pop("audit_token", None)
    if token is not None:
        leave_context(token)


def _check_csrf(app: Flask) -> None:
    """CSRF on every state-changing request, checked after the guard so that an expired session's form is kept."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    view = app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "_csrf_exempt_reason", None):
        return
    csrf.protect()


def commit_unit_of_work(response: Response) -> Response:
    """One transaction per user action: commit once, after the view, only when the action completed (2xx, 3xx).

    A refusal (4xx) or a failure (5xx) rolls back everything the request did. What a refusal must keep (its
    audit row, the loser's text of a save conflict) is registered with ``conference.audit.keep_after_rollback``
    or ``record_refusal`` and committed on its own after the rollback.
    """
    if response.status_code < 400:
        run_views(db.session)
        run_kept(db.session)
        if db.session.registry.has():  # else the request never used the database session (a cached page)
            session = db.session()
            if session.in_transaction() or session.new or session.dirty or session.deleted:
                session.commit()  # else nothing was read or written in a transaction: nothing to commit
        return response
    db.session.rollback()
    if run_kept(db.session):
        db.session.commit()
    return response


#: Sent on every answer, whatever the view set (the same values a view may also set, such as ``nosniff``).
_FIXED_HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def security_headers(response: Response) -> Response:
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    # A view's own policy is stricter and kept: a file someone uploaded is served sandboxed, with nothing allowed.
    if "content-security-policy" not in present:
        nonce = getattr(g, "csp_nonce", "")
        headers.add(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            f"style-src 'self' 'nonce-{nonce}'; "
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
    for name, value in _FIXED_HEADERS:
        if name.lower() in present:
            headers[name] = value
        else:
            headers.add(name, value)  # one pass over the headers above instead of one per header
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    textual = response.mimetype and (response.mimetype.startswith("text/") or response.mimetype == "application/json")
    if textual and "charset" not in (response.content_type or ""):
        response.content_type = f"{response.mimetype}; charset=utf-8"
    return response


def _pop_form_not_kept() -> bool:
    """Told once, on the first page after signing in again, that a too-large form could not be kept."""
    if getattr(g, "user", None) is None or not session.get("form_not_kept"):
        return False
    return bool(session.pop("form_not_kept", False))


def register_security(app: Flask) -> None:
    app.app_ctx_globals_class = RequestGlobals
    app.before_request(guard)
    app.teardown_request(_leave_audit_context)
    # after_request functions run in reverse order of registration: headers last, commit first.
    app.after_request(security_headers)
    app.after_request(commit_unit_of_work)

    @app.context_processor
    def _security_context() -> dict[str, Any]:
        return {
            "csp_nonce": getattr(g, "csp_nonce", ""),
            "current_user": getattr(g, "user", None),
            "config_endpoints": app.view_functions.keys(),
            "form_not_kept": _pop_form_not_kept(),
            "has_permission": lambda p: has_permission(getattr(g, "user", None), p),
            "navigation_items": lambda: navigation_items(app, getattr(g, "user", None)),
        }
