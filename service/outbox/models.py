"""Jobs written in the same transaction as the state change that implies them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class OutboxState(enum.StrEnum):
    PENDING = "PENDING"
    DONE = "DONE"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: str = Field(primary_key=True, max_length=40)
    job: str = Field(max_length=60)
    payload: dict[str, object] = Field(sa_type=sa.JSON)
    state: OutboxState = Field(
        default=OutboxState.PENDING, sa_type=sa.Enum(OutboxState, native_enum=False, length=10)
    )
    attempts: int = 0
    last_error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_outbox_pending", "state", "available_at"),)
