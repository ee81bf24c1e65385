"""Officials who sign in: reviewers, agency admins, the secretariat and admins."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Role(enum.StrEnum):
    REVIEWER = "REVIEWER"
    AGENCY_ADMIN = "AGENCY_ADMIN"
    SECRETARIAT = "SECRETARIAT"
    ADMIN = "ADMIN"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=sa.Enum(Role, native_enum=False, length=20))
    agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    language: str = Field(default="vi", max_length=5)
    is_active: bool = True
