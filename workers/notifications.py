"""notification.send: deliver one email; notification.schedule: reminders, escalations, digests.

notification.send manages its own transactions instead of running inside one like the other
outbox jobs: the claim must be committed before the SMTP conversation, and no database
transaction (on SQLite, the single writer) may stay open while a mail server takes its time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from service.db import utcnow
from service.notifications import delivery
from service.notifications import repository as notification_rows
from service.notifications.mailer import classify
from service.notifications.models import NotificationState
from service.notifications.ratelimit import SendRate
from service.notifications.schedule import queue_deadline_mail, queue_digests
from service.notifications.service import SEND_JOB
from service.outbox import service as outbox
from service.runtime import Runtime

logger = logging.getLogger(__name__)

_WAITING = frozenset({NotificationState.PENDING, NotificationState.SENDING})
_RECORD_RETRY_MAX_SECONDS = 5.0
# Stop retrying this long before the job's timeout or the claim's staleness would end it.
_RECORD_MARGIN = timedelta(seconds=1)


async def send(ctx: dict[str, Any], outbox_id: str) -> str:
    runtime: Runtime = ctx["runtime"]
    settings = runtime.settings
    job_ends = utcnow() + timedelta(seconds=settings.job_timeout_seconds)
    async with runtime.db.session() as session:
        job = await outbox.claim(session, outbox_id, SEND_JOB)
        if job is None:
            return "already done"
        notification_id = int(str(job.payload["notification_id"]))
        row = await notification_rows.get(session, notification_id)
    if row is not None and row.state in _WAITING:
        wait = await SendRate(ctx["redis"], settings.mail_max_per_minute).reserve()
        if wait > 0:
            async with runtime.db.transaction() as session:
                until = utcnow() + timedelta(seconds=wait)
                await outbox.postpone(session, outbox_id, until, count_attempt=False)
            return "postponed: messages per minute cap"

    claimed_at = utcnow()
    async with runtime.db.transaction() as session:
        attempt = await delivery.claim(session, notification_id, settings, claimed_at)
        if isinstance(attempt, delivery.Settled):
            await outbox.finish(session, outbox_id)
        elif isinstance(attempt, delivery.Busy):
            await outbox.postpone(session, outbox_id, attempt.until, count_attempt=False)
    if isinstance(attempt, delivery.Settled):
        state = attempt.state.value if attempt.state else "gone"
        return f"nothing to send: {state}"
    if isinstance(attempt, delivery.Busy):
        return "claimed by another attempt"

    try:
        await runtime.mailer.send(attempt.message)
    except Exception as error:
        failure = classify(error)
        logger.warning("notification %s: %s", notification_id, failure.description)
        async with runtime.db.transaction() as session:
            outcome = await delivery.settle_failure(
                session, notification_id, attempt.token, failure, settings, utcnow()
            )
            if isinstance(outcome, delivery.RetryAt):
                await outbox.postpone(session, outbox_id, outcome.at, failure.description)
            elif isinstance(outcome, delivery.Settled):
                await outbox.finish(session, outbox_id)
        if isinstance(outcome, delivery.RetryAt):
            return f"will retry at {outcome.at.isoformat()}"
        return "failed"

    claim_ends = claimed_at + timedelta(seconds=settings.mail_claim_stale_seconds)
    await _record_sent(
        runtime, notification_id, outbox_id, attempt.token, min(job_ends, claim_ends)
    )
    return "sent"


async def _record_sent(
    runtime: Runtime, notification_id: int, outbox_id: str, token: str, ends: datetime
) -> None:
    """Record the SMTP server's acceptance, retrying through a database outage.

    The message is out: if the claim went stale unrecorded, another attempt would send it a
    second time. So the record is retried for as long as the claim and the job last.
    """
    delay = 0.5
    while True:
        try:
            async with runtime.db.transaction() as session:
                await delivery.settle_sent(session, notification_id, token, utcnow())
                await outbox.finish(session, outbox_id)
            return
        except Exception:
            remaining = (ends - utcnow() - _RECORD_MARGIN).total_seconds()
            if remaining <= 0:
                raise
            logger.warning(
                "notification %s was accepted by the SMTP server but could not be recorded; "
                "retrying",
                notification_id,
            )
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, _RECORD_RETRY_MAX_SECONDS)


async def schedule(ctx: dict[str, Any]) -> int:
    """Queue the reminders, escalations and digests that are due."""
    runtime: Runtime = ctx["runtime"]
    now = utcnow()
    queued = await queue_deadline_mail(runtime.db, runtime.queue, runtime.settings, now)
    queued += await queue_digests(runtime.db, runtime.queue, runtime.settings, now)
    if queued:
        logger.info("notification schedule: queued %d messages", queued)
    return queued
