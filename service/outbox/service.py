"""Work that must not be lost between the database and the queue (CONVENTIONS rule 4)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from service.db import Database, utcnow
from service.outbox import repository
from service.outbox.models import OutboxMessage, OutboxState
from service.request_id import peek_request_id

logger = logging.getLogger(__name__)

_SESSION_KEY = "intake.outbox"
_MAX_BACKOFF = timedelta(minutes=30)


class JobQueue(Protocol):
    async def enqueue(self, job: str, outbox_id: str) -> None: ...


def add_job(session: AsyncSession, job: str, payload: dict[str, object]) -> OutboxMessage:
    """Write a job into the current transaction; it is enqueued once the transaction commits."""
    request_id = peek_request_id()
    if request_id is not None:
        payload = {**payload, "request_id": request_id}
    message = OutboxMessage(id=uuid.uuid4().hex, job=job, payload=payload)
    repository.add(session, message)
    session.info.setdefault(_SESSION_KEY, []).append((message.job, message.id))
    return message


@asynccontextmanager
async def unit_of_work(db: Database, queue: JobQueue | None) -> AsyncIterator[AsyncSession]:
    """A write transaction whose outbox jobs are enqueued after it commits."""
    async with db.transaction() as session:
        yield session
        written: list[tuple[str, str]] = session.info.pop(_SESSION_KEY, [])
    if queue is not None:
        await enqueue_all(queue, written)


async def enqueue_all(queue: JobQueue, jobs: Sequence[tuple[str, str]]) -> int:
    """Enqueue each job; a failure leaves the row pending for the sweep, never lost."""
    enqueued = 0
    for job, outbox_id in jobs:
        try:
            await queue.enqueue(job, outbox_id)
            enqueued += 1
        except Exception:
            logger.warning("could not enqueue %s %s; the sweep will retry", job, outbox_id)
    return enqueued


async def claim(session: AsyncSession, outbox_id: str, job: str) -> OutboxMessage | None:
    """The pending message a job should work on, or None when the work is already done."""
    message = await repository.get(session, outbox_id)
    if message is None:
        return None
    if message.job != job:
        raise ValueError(f"outbox {outbox_id} holds {message.job!r}, not {job!r}")
    return None if message.state is OutboxState.DONE else message


def mark_done(message: OutboxMessage) -> None:
    message.state = OutboxState.DONE
    message.done_at = utcnow()


async def record_failure(session: AsyncSession, outbox_id: str, error: str) -> None:
    """Count a failed attempt and push the next one back exponentially."""
    message = await repository.get(session, outbox_id)
    if message is None or message.state is OutboxState.DONE:
        return
    message.attempts += 1
    message.last_error = error[:2000]
    message.available_at = utcnow() + min(timedelta(seconds=2**message.attempts), _MAX_BACKOFF)


async def postpone(
    session: AsyncSession,
    outbox_id: str,
    until: datetime,
    error: str = "",
    *,
    count_attempt: bool = True,
) -> None:
    """Leave the job pending until `until`, when the sweep enqueues it again."""
    message = await repository.get(session, outbox_id)
    if message is None or message.state is OutboxState.DONE:
        return
    if count_attempt:
        message.attempts += 1
    if error:
        message.last_error = error[:2000]
    message.available_at = until


async def finish(session: AsyncSession, outbox_id: str) -> None:
    """Mark a job done by id (for jobs that manage their own transactions)."""
    message = await repository.get(session, outbox_id)
    if message is not None and message.state is OutboxState.PENDING:
        mark_done(message)


async def sweep(
    session: AsyncSession, *, older_than: timedelta, limit: int = 500
) -> list[tuple[str, str]]:
    """Pending jobs that should have run by now, to be enqueued again."""
    now = utcnow()
    rows = await repository.due(session, created_before=now - older_than, now=now, limit=limit)
    return [(row.job, row.id) for row in rows]


async def pending_count(session: AsyncSession) -> int:
    return await repository.count_pending(session)
