"""Accounts, server-side sessions and saved form drafts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.db import Base, IdMixin, TimestampMixin, enum_type, utcnow
from rules.vocabulary import AgencyKind, Nation


class Role(StrEnum):
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    AGENCY_MEMBER = "agency_member"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return {
            "coordinator": "Coordinator",
            "chair": "Chair",
            "agency_member": "Agency member",
            "manager": "Manager",
            "administrator": "Administrator",
        }[self.value]


# An account belongs to an agency of the directory (conference.directory.models.Agency), and through it to a local
# authority area, which scopes what the account sees. The platform does not import the directory (a feature): the
# relationship names the mapped class by its string, resolved by the model registry (conference/models.py), and these
# two protocols say what the platform reads of them.


class UserArea(Protocol):
    """What the platform reads of a user's local authority area (``conference.directory.models.LocalAuthority``)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def nation(self) -> Nation: ...


class UserAgency(Protocol):
    """What the platform reads of a user's agency (``conference.directory.models.Agency``)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def local_authority_id(self) -> uuid.UUID: ...

    @property
    def local_authority(self) -> UserArea: ...

    @property
    def kind(self) -> AgencyKind: ...


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # The directory entry for this user, when they also attend meetings.
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    # TOTP secret, encrypted at rest (Fernet). Never stored in plain text.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    # The last accepted TOTP time step: a code is usable once.
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(default=None)
    # A one-time enrolment code from an administrator is needed to set up an authenticator (a reset link alone
    # never is enough). Only its HMAC is stored; it expires and works once.
    enrolment_code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    enrolment_code_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Wrong passwords, codes and enrolment codes in a row; at LOCK_AFTER the account is locked until an
    # administrator unlocks it.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    agency: Mapped[UserAgency] = relationship("Agency", lazy="joined")


class UserSession(Base):
    """A server-side session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie token
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_at: Mapped[datetime | None] = mapped_column(default=None)
    mfa_at: Mapped[datetime | None] = mapped_column(default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FormDraft(IdMixin, Base):
    """Form data posted after a session expired, kept so that nothing is lost when the person logs in again."""

    __tablename__ = "form_drafts"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordReset(IdMixin, Base):
    """A single-use, short-lived password reset. Only the token's SHA-256 is stored."""

    __tablename__ = "password_resets"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
