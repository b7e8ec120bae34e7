"""Typed settings for Convene.

Settings come from the environment (``CONVENE_*`` variables and ``DATABASE_URL``). The app refuses to
start with a missing or weak ``SECRET_KEY`` unless ``CONVENE_ENV=development`` is set explicitly, as
``make run`` does, and then it says so loudly on start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = REPO_ROOT / "instance"

WEAK_KEYS = {"", "dev", "secret", "changeme", "change-me", "development", "test", "password", "secret-key"}
MIN_SECRET_KEY_LENGTH = 32


class SettingsError(RuntimeError):
    """The settings cannot be used to run the service safely."""


@dataclass(frozen=True)
class Settings:
    environment: str = "production"  # production | development | test
    secret_key: str = ""
    database_url: str = ""
    # Rate-limit storage: memory:// for the embedded default, redis://127.0.0.1:6379 when scaled out.
    ratelimit_storage_url: str = "memory://"
    # Worker processes serving the app (CONVENE_WORKERS, else WEB_CONCURRENCY, which gunicorn also reads for its
    # default number of workers). memory:// counts per process, so more than one worker needs shared storage.
    workers: int = 1
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Sent mail goes here. The demo runs a local mail catcher on 127.0.0.1:1025.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_timeout_seconds: float = 10.0
    organiser_email: str = "meetings@convene.example"
    organiser_domain: str = "convene.example"
    # The address staff use to reach Convene; links in invitations and emails are built from it.
    external_url: str = "http://127.0.0.1:5000"
    # Number of reverse proxies in front of the app whose X-Forwarded-For we trust.
    proxy_hops: int = 0
    # Calendar servers inside the network Convene may read (host names, addresses or networks such as
    # 10.0.0.0/8). Everything else on loopback, private, link-local or metadata addresses is refused.
    calendar_allowed_hosts: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def is_test(self) -> bool:
        return self.environment == "test"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        environment = env.get("CONVENE_ENV", "production")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'convene.sqlite3'}"
        workers_text = env.get("CONVENE_WORKERS") or env.get("WEB_CONCURRENCY") or "1"
        if not workers_text.strip().isdigit():
            raise SettingsError(f"CONVENE_WORKERS (or WEB_CONCURRENCY) must be a whole number, not {workers_text!r}")
        return cls(
            environment=environment,
            workers=int(workers_text),
            secret_key=env.get("SECRET_KEY", ""),
            database_url=database_url,
            ratelimit_storage_url=env.get("CONVENE_RATELIMIT_STORAGE_URL", "memory://"),
            smtp_host=env.get("CONVENE_SMTP_HOST", "127.0.0.1"),
            smtp_port=int(env.get("CONVENE_SMTP_PORT", "1025")),
            organiser_email=env.get("CONVENE_ORGANISER_EMAIL", "meetings@convene.example"),
            organiser_domain=env.get("CONVENE_ORGANISER_DOMAIN", "convene.example"),
            external_url=env.get("CONVENE_EXTERNAL_URL", "http://127.0.0.1:5000").rstrip("/"),
            proxy_hops=int(env.get("CONVENE_PROXY_HOPS", "0")),
            calendar_allowed_hosts=tuple(
                h.strip() for h in env.get("CONVENE_CALENDAR_ALLOWED_HOSTS", "").split(",") if h.strip()
            ),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def validate(self) -> list[str]:
        """Return warnings for development; raise SettingsError where production would be unsafe."""
        warnings: list[str] = []
        weak = self.secret_key.strip().lower() in WEAK_KEYS or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        if weak:
            if self.is_development or self.is_test:
                warnings.append(
                    "SECRET_KEY is missing or weak. This is allowed only because CONVENE_ENV="
                    f"{self.environment}. Never run like this with real data."
                )
            else:
                raise SettingsError(
                    "SECRET_KEY is missing or weak. Set SECRET_KEY to a random value of at least "
                    f"{MIN_SECRET_KEY_LENGTH} characters, for example: python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'"
                )
        if self.workers > 1 and self.ratelimit_storage_url.startswith("memory://"):
            raise SettingsError(
                f"{self.workers} workers would each count sign-in attempts on their own (rate-limit storage "
                "memory://), so the limits would not hold. Set CONVENE_RATELIMIT_STORAGE_URL to shared storage, "
                "for example redis://127.0.0.1:6379, or run one worker (CONVENE_WORKERS=1)."
            )
        if self.environment not in {"production", "development", "test"}:
            raise SettingsError(f"CONVENE_ENV must be production, development or test, not {self.environment!r}")
        return warnings
