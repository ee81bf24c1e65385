"""One email to one recipient about one event."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class NotificationState(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (sa.UniqueConstraint("event_key", "recipient", name="uq_notification_once"),)

    id: int | None = Field(default=None, primary_key=True)
    event_key: str = Field(max_length=120)
    recipient: str = Field(max_length=254)
    template: str = Field(max_length=60)
    language: str = Field(max_length=5)
    proposal_id: int | None = Field(default=None, foreign_key="proposals.id", index=True)
    state: NotificationState = Field(
        default=NotificationState.PENDING,
        sa_type=sa.Enum(NotificationState, native_enum=False, length=10),
    )
    message_id: str = Field(default="", max_length=200)
    attempts: int = 0
    last_error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
