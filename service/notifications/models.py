"""One email to one recipient about one event, and the addresses that asked for less mail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class NotificationState(enum.StrEnum):
    PENDING = "PENDING"  # waiting for its job (again, after a temporary failure)
    SENDING = "SENDING"  # claimed by a job that is talking to the SMTP server
    SENT = "SENT"  # the SMTP server accepted it
    FAILED = "FAILED"  # permanently: a 5xx, a template that fails, or retries ran out
    SKIPPED = "SKIPPED"  # non-essential mail to an address that opted out


# What the recipient of a message to a submitter becomes when their personal data is erased.
ERASED_RECIPIENT = "[erased]"


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("event_key", "recipient", name="uq_notification_once"),
        sa.Index("ix_notifications_state", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_key: str = Field(max_length=120)
    recipient: str = Field(max_length=254)
    template: str = Field(max_length=60)
    language: str = Field(max_length=5)
    proposal_id: int | None = Field(default=None, foreign_key="proposals.id", index=True)
    # What the template needs beyond the submission: a reason, a question, a digest's items.
    context: dict[str, Any] = Field(
        default_factory=dict, sa_type=sa.JSON, sa_column_kwargs={"server_default": "{}"}
    )
    state: NotificationState = Field(
        default=NotificationState.PENDING,
        sa_type=sa.Enum(NotificationState, native_enum=False, length=10),
    )
    message_id: str = Field(default="", max_length=200)
    attempts: int = 0
    last_error: str = Field(default="", sa_type=sa.Text)
    claim_token: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When it was queued, or queued again by hand; temporary failures are retried for a window
    # (INTAKE_MAIL_RETRY_WINDOW_HOURS) from here.
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MailOptOut(SQLModel, table=True):
    """An address that followed the link in a message: it receives essential mail only."""

    __tablename__ = "mail_opt_outs"

    email: str = Field(primary_key=True, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeadlineStep(enum.StrEnum):
    REMINDER = "REMINDER"  # before the deadline, to the agency's reviewers
    AGENCY = "AGENCY"  # after it, to the agency's admins
    SECRETARIAT = "SECRETARIAT"  # later (at once without an agency admin), to the secretariat


class DeadlineNotice(SQLModel, table=True):
    """A step of one deadline's mail that has been taken: its notifications are queued.

    The notifications' event keys already make each step happen once; these rows let the
    schedule pass over what is done, so that a backlog of thousands of overdue submissions
    costs it nothing once they have all been escalated. A new deadline (after a pause or an
    extension) has no steps taken yet.
    """

    __tablename__ = "deadline_notices"

    proposal_id: int = Field(foreign_key="proposals.id", primary_key=True)
    deadline: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    step: DeadlineStep = Field(
        primary_key=True, sa_type=sa.Enum(DeadlineStep, native_enum=False, length=12)
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
