"""notification.send: deliver one email; notification.schedule: reminders, escalations, digests.

notification.send manages its own transactions instead of running inside one like the other
outbox jobs: the claim must be committed before the SMTP conversation, and no database
transaction (on SQLite, the single writer) may stay open while a mail server takes its time.
"""

from __future__ import annotations

import logging
from datetime import timedelta
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


async def send(ctx: dict[str, Any], outbox_id: str) -> str:
    runtime: Runtime = ctx["runtime"]
    settings = runtime.settings
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

    async with runtime.db.transaction() as session:
        attempt = await delivery.claim(session, notification_id, settings, utcnow())
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

    async with runtime.db.transaction() as session:
        await delivery.settle_sent(session, notification_id, attempt.token, utcnow())
        await outbox.finish(session, outbox_id)
    return "sent"


async def schedule(ctx: dict[str, Any]) -> int:
    """Queue the reminders, escalations and digests that are due."""
    runtime: Runtime = ctx["runtime"]
    now = utcnow()
    async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
        queued = await queue_deadline_mail(session, runtime.settings, now)
        queued += await queue_digests(session, runtime.settings, now)
    if queued:
        logger.info("notification schedule: queued %d messages", queued)
    return queued
