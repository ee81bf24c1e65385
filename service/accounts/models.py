"""Officials who sign in: reviewers, agency admins, the secretariat and admins."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Role(enum.StrEnum):
    REVIEWER = "REVIEWER"
    AGENCY_ADMIN = "AGENCY_ADMIN"
    SECRETARIAT = "SECRETARIAT"
    ADMIN = "ADMIN"


class NotificationMode(enum.StrEnum):
    INSTANT = "INSTANT"  # one email per assignment, reminder or triage item
    DIGEST = "DIGEST"  # those gathered into one email each business day


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=sa.Enum(Role, native_enum=False, length=20))
    agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    language: str = Field(default="vi", max_length=5)
    notification_mode: NotificationMode = Field(
        default=NotificationMode.INSTANT,
        sa_type=sa.Enum(NotificationMode, native_enum=False, length=10),
        sa_column_kwargs={"server_default": NotificationMode.INSTANT.value},
    )
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Every session cookie carries the generation it was signed in under; signing out moves it
    # on, so that no copy of an earlier cookie opens the account again (the cookie is signed,
    # not stored: nothing else on the server could revoke it).
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ApiToken(SQLModel, table=True):
    """A bearer token for an agency portal; only a hash of the secret is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: Role = Field(sa_type=sa.Enum(Role, native_enum=False, length=20))
    agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_by: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountChange(SQLModel, table=True):
    """Who created, changed, deactivated or reactivated which official's account, and when."""

    __tablename__ = "account_changes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    action: str = Field(max_length=20)  # created, changed, deactivated, reactivated
    actor: str = Field(max_length=254)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    detail: str = Field(default="", sa_type=sa.Text)  # e.g. "role: REVIEWER → AGENCY_ADMIN"
    # The same, structured: [{"field": "role", "before": "REVIEWER", "after": "AGENCY_ADMIN"}],
    # so that pages name fields, roles and agencies in their language. Rows recorded before it
    # have only `detail`.
    changes: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )
