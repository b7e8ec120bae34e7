"""Convene: the web app. ``create_app`` returns a new app and only calls small ``_register_*`` helpers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from conference.config import INSTANCE_DIR, REPO_ROOT, Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    from conference import models  # noqa: F401  (every mapped class: relationships named by string resolve)
    from conference.logs import configure_logging

    configure_logging()
    settings = settings or Settings.from_env()
    for warning in settings.validate():
        log.warning(warning)
    app = Flask(__name__, static_folder="static", static_url_path="/assets", instance_path=str(INSTANCE_DIR))
    _register_config(app, settings)
    _register_templates(app)
    _register_extensions(app, settings)
    _register_converters(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)  # type: ignore[method-assign]
    return app


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    # Development and test only (validate() has refused production): a random key kept in instance/.
    path = INSTANCE_DIR / "dev-secret-key"
    if not path.exists():
        import secrets

        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_config(app: Flask, settings: Settings) -> None:
    key = _secret_key(settings)
    settings = settings.with_overrides(secret_key=key)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=key,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        TESTING=settings.is_test,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in the guard, after an expired session's form is kept
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_HEADERS_ENABLED=False,
        SESSION_COOKIE_NAME="__Host-convene",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if settings.is_development:
        log.warning(
            "Convene is running in DEVELOPMENT mode: demo data, a local mail catcher and a dev key. "
            "Never use this mode with real data."
        )


def _register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(REPO_ROOT / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from conference.filters import register_filters

    register_filters(app)


def _register_extensions(app: Flask, settings: Settings) -> None:
    from conference.auth.sessions import DatabaseSessionInterface
    from conference.extensions import csrf, db, limiter
    from conference.security import register_security

    db.init_app(app, settings.database_url)
    register_security(app)  # the guard runs before every other before_request hook
    csrf.init_app(app)
    limiter.init_app(app)
    # Convene limits only the routes it decorates (conference/extensions.py: no default, application or blueprint
    # limits), and a decorated route checks its own limits when it is called. The extension's check before every
    # request then had nothing to do, yet cost about 5% of a signed-in page served from a cache (profiled:
    # docs/benchmarks.md); tests/integration/test_costly_limits.py and the sign-in tests show the limits hold.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.session_interface = DatabaseSessionInterface()


def _register_converters(app: Flask) -> None:
    from conference.urls import DatabaseInt

    app.url_map.converters["int"] = DatabaseInt  # before any route is added


def _register_blueprints(app: Flask) -> None:
    from conference.auth.account_views import bp as account_bp
    from conference.auth.admin_views import bp as users_bp
    from conference.auth.views import bp as auth_bp
    from conference.cases.facts_views import bp as case_facts_bp
    from conference.cases.involvement_views import bp as involvement_bp
    from conference.cases.views import bp as cases_bp
    from conference.convening import (
        board_views,  # noqa: F401  (adds the board's routes to convening's bp)
        link_views,  # noqa: F401  (adds the personal-link routes to convening's bp)
        submission_views,  # noqa: F401  (adds the written submission routes to convening's bp)
    )
    from conference.convening.views import bp as convening_bp
    from conference.dashboard.views import bp as dashboard_bp
    from conference.directory.views import bp as directory_bp
    from conference.outbox.views import bp as outbox_bp
    from conference.planning.views import bp as planning_bp
    from conference.safety.views import bp as safety_bp
    from conference.views import bp as main_bp
    from decisions.views import bp as decisions_bp

    features = (convening_bp, safety_bp, decisions_bp, dashboard_bp, planning_bp, outbox_bp)
    cases = (cases_bp, case_facts_bp, involvement_bp)
    for bp in (main_bp, auth_bp, account_bp, users_bp, *cases, directory_bp, *features):
        app.register_blueprint(bp)
    _wire_features(app)


def _wire_features(app: Flask) -> None:
    """Hand a feature what it reads of a later one (the layers let it import only the features before it)."""
    from conference.convening.availability import read_uploaded_calendars
    from conference.convening.request import DecisionLookups
    from conference.dashboard import decisions_adapter
    from conference.warmup import WARM_UPS

    app.extensions["convening.decisions"] = DecisionLookups(
        enquiry_decisions=decisions_adapter.find_enquiry_decisions, referred_on=decisions_adapter.find_referred_on
    )
    app.extensions.setdefault(WARM_UPS, []).append(read_uploaded_calendars)


def _register_errors(app: Flask) -> None:
    from conference.extensions import db

    def render_error(status: int, template: str, **context: Any) -> tuple[str, int]:
        return render_template(f"errors/{template}.html", **context), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        if code == 429:
            from flask import request

            from conference.audit import record_refusal

            # No service runs here: the limiter refused the request before its view. The row names whoever the
            # guard found signed in (the audit context's user; nobody on the sign-in pages), which is what the
            # context is for; there is no `user` to pass.
            record_refusal(db.session, "rate_limited", outcome="refused", detail={"endpoint": request.endpoint or ""})
        template = {400: "400", 401: "401", 403: "403", 404: "404", 405: "405", 409: "409", 413: "413", 429: "429"}.get(
            code, "generic"
        )
        if code == 413:
            from flask import request

            limit = request.max_content_length or app.config.get("MAX_CONTENT_LENGTH") or 0
            return render_error(
                code, template, error=error, back=_way_back(app), limit_mb=max(1, limit // (1024 * 1024))
            )
        return render_error(code, template, error=error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        db.session.rollback()
        log.exception("unhandled error")
        return render_error(500, "500")


def _way_back(app: Flask) -> str | None:
    """Where "Go back to the form" leads: the page the request came from, if the browser said so and it is on
    this site; else the address the form was sent to, when that address is also a page (forms here post to
    themselves, and Convene sends ``Referrer-Policy: no-referrer``); else None."""
    from flask import request

    back = _same_site_referer()
    if back:
        return back
    try:
        app.url_map.bind_to_environ(request.environ).match(request.path, method="GET")
    except HTTPException:
        return None
    return request.full_path.rstrip("?")


def _same_site_referer() -> str | None:
    """The path (and query) of the page the request came from, if that page is on this site; otherwise None."""
    from urllib.parse import urlsplit

    from flask import request

    referer = request.headers.get("Referer", "")
    try:
        parts = urlsplit(referer)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _register_cli(app: Flask) -> None:
    from conference.cli import register_cli

    register_cli(app)


__all__ = ["create_app", "Settings", "Path"]
