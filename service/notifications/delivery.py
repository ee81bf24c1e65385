"""One delivery attempt in three steps, each its own transaction: claim, send, settle.

The claim (state SENDING with a fresh token) is committed before the SMTP conversation starts, so
a second job finds the row taken and leaves it alone. Only a claim older than
INTAKE_MAIL_CLAIM_STALE_SECONDS, left by a worker that died, is taken over, and the message then
goes out again with the same Message-ID. docs/architecture.md states the exact guarantee.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel.ext.asyncio.session import AsyncSession

from service.notifications import repository
from service.notifications.catalog import KINDS
from service.notifications.mailer import SendFailure, UndeliverableAddress
from service.notifications.models import ERASED_RECIPIENT, Notification, NotificationState
from service.notifications.service import compose, is_opted_out
from service.settings import Settings

_FINISHED = frozenset({NotificationState.SENT, NotificationState.FAILED, NotificationState.SKIPPED})


@dataclass(frozen=True, slots=True)
class Claimed:
    notification_id: int
    token: str
    message: EmailMessage


@dataclass(frozen=True, slots=True)
class Settled:
    """Nothing (more) to send: sent, failed for good, skipped or gone."""

    state: NotificationState | None


@dataclass(frozen=True, slots=True)
class Busy:
    """Another job holds a fresh claim; look again after `until`."""

    until: datetime


@dataclass(frozen=True, slots=True)
class RetryAt:
    at: datetime


async def claim(
    session: AsyncSession, notification_id: int, settings: Settings, now: datetime
) -> Claimed | Settled | Busy:
    """Render the message and take the row for this attempt, or say why not."""
    notification = await repository.get(session, notification_id, for_update=True)
    if notification is None:
        return Settled(None)
    if notification.state in _FINISHED:
        return Settled(notification.state)
    stale = timedelta(seconds=settings.mail_claim_stale_seconds)
    claimed_at = notification.claimed_at
    if (
        notification.state is NotificationState.SENDING
        and claimed_at is not None
        and claimed_at + stale > now
    ):
        return Busy(claimed_at + stale)
    if notification.recipient == ERASED_RECIPIENT:
        # Erased while it waited for a retry (or while another attempt held it): never sent.
        notification.state = NotificationState.SKIPPED
        notification.last_error = "the recipient's personal data was erased"
        return Settled(NotificationState.SKIPPED)
    kind = KINDS.get(notification.template)
    if (
        kind is not None
        and not kind.essential
        and await is_opted_out(session, notification.recipient)
    ):
        notification.state = NotificationState.SKIPPED
        notification.last_error = "the recipient opted out of non-essential mail"
        return Settled(NotificationState.SKIPPED)
    try:
        message = await compose(session, notification, settings)
    except UndeliverableAddress as error:
        _fail(notification, f"undeliverable address: {error}", now)
        return Settled(NotificationState.FAILED)
    except Exception as error:
        # A template or its data that fails now fails on every retry: visible at once instead.
        _fail(notification, f"could not render: {type(error).__name__}: {error}", now)
        return Settled(NotificationState.FAILED)
    token = uuid.uuid4().hex
    notification.state, notification.claim_token, notification.claimed_at = (
        NotificationState.SENDING,
        token,
        now,
    )
    notification.attempts += 1
    notification.message_id = str(message["Message-ID"])
    assert notification.id is not None
    return Claimed(notification.id, token, message)


async def settle_sent(
    session: AsyncSession, notification_id: int, token: str, now: datetime
) -> bool:
    """Record the SMTP server's acceptance; False when the claim was taken over meanwhile."""
    notification = await _claimed(session, notification_id, token)
    if notification is None:
        return False
    notification.state, notification.sent_at = NotificationState.SENT, now
    notification.last_error = ""
    return True


async def settle_failure(
    session: AsyncSession,
    notification_id: int,
    token: str,
    failure: SendFailure,
    settings: Settings,
    now: datetime,
) -> Settled | RetryAt | None:
    """FAILED for a permanent failure or once the retry window is over; otherwise when to retry.

    None when the claim was taken over meanwhile: the other attempt settles the row.
    """
    notification = await _claimed(session, notification_id, token)
    if notification is None:
        return None
    if failure.permanent:
        _fail(notification, failure.description, now)
        return Settled(NotificationState.FAILED)
    window = timedelta(hours=settings.mail_retry_window_hours)
    if now - notification.created_at >= window:
        hours = f"{settings.mail_retry_window_hours:g}"
        _fail(notification, f"gave up after {hours} h: {failure.description}", now)
        return Settled(NotificationState.FAILED)
    notification.state, notification.claim_token, notification.claimed_at = (
        NotificationState.PENDING,
        "",
        None,
    )
    notification.last_error = failure.description[:2000]
    delay = min(
        settings.mail_retry_initial_seconds * 2 ** max(notification.attempts - 1, 0),
        settings.mail_retry_max_interval_seconds,
    )
    return RetryAt(now + timedelta(seconds=delay))


async def _claimed(session: AsyncSession, notification_id: int, token: str) -> Notification | None:
    notification = await repository.get(session, notification_id, for_update=True)
    if (
        notification is None
        or notification.state is not NotificationState.SENDING
        or notification.claim_token != token
    ):
        return None
    return notification


def _fail(notification: Notification, error: str, now: datetime) -> None:
    notification.state, notification.failed_at = NotificationState.FAILED, now
    notification.claim_token, notification.claimed_at = "", None
    notification.last_error = error[:2000]
