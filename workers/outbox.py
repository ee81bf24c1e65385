"""Running outbox jobs exactly as CONVENTIONS rule 4 asks, and sweeping up what was missed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from service.outbox import service as outbox
from service.outbox.models import OutboxMessage
from service.request_id import use_request_id
from service.runtime import Runtime

logger = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Runtime, dict[str, Any]], Awaitable[None]]
_Plan = TypeVar("_Plan")
# A decision read from the database, then written if what it was made from still holds.
Decide = Callable[[AsyncSession, Runtime, dict[str, Any]], Awaitable[_Plan]]
Write = Callable[[AsyncSession, Runtime, _Plan], Awaitable[bool]]
JobFunction = Callable[[dict[str, Any], str], Awaitable[str]]


def outbox_job(name: str, handler: Handler) -> JobFunction:
    """Wrap a handler so it reloads its outbox row, skips finished work and records failures."""

    async def run(ctx: dict[str, Any], outbox_id: str) -> str:
        runtime: Runtime = ctx["runtime"]

        async def work() -> str:
            async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
                message = await outbox.claim(session, outbox_id, name)
                if message is None:
                    return "already done"
                _use_request_id_of(message)
                await handler(session, runtime, message.payload)
                outbox.mark_done(message)
            return "done"

        return await _recording_failure(name, outbox_id, runtime, work)

    run.__qualname__ = run.__name__ = name
    return run


def decided_outbox_job(
    name: str, decide: Decide[_Plan], write: Write[_Plan], *, attempts: int = 3
) -> JobFunction:
    """An outbox job that decides in a read-only session, then writes in a short transaction.

    On SQLite a write transaction holds the database's only writer, across processes: a job
    that thinks inside one blocks every web submission meanwhile. `write` re-reads what the
    decision was made from and returns False, writing nothing, when it changed: the job then
    decides again (at most `attempts` times, then fails and the sweep retries it later).
    """

    async def run(ctx: dict[str, Any], outbox_id: str) -> str:
        runtime: Runtime = ctx["runtime"]

        async def work() -> str:
            for _ in range(attempts):
                async with runtime.db.session() as session:
                    message = await outbox.claim(session, outbox_id, name)
                    if message is None:
                        return "already done"
                    _use_request_id_of(message)
                    plan = await decide(session, runtime, message.payload)
                async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
                    message = await outbox.claim(session, outbox_id, name)
                    if message is None:
                        return "already done"
                    written = await write(session, runtime, plan)
                    if written:
                        outbox.mark_done(message)
                if written:
                    return "done"
                logger.info("%s %s: changed while deciding; deciding again", name, outbox_id)
            raise RuntimeError(f"changed under {attempts} decisions in a row")

        return await _recording_failure(name, outbox_id, runtime, work)

    run.__qualname__ = run.__name__ = name
    return run


def _use_request_id_of(message: OutboxMessage) -> None:
    # The job's log lines carry the id of the request that caused it.
    request_id = message.payload.get("request_id")
    use_request_id(request_id if isinstance(request_id, str) else None)


async def _recording_failure(
    name: str, outbox_id: str, runtime: Runtime, work: Callable[[], Awaitable[str]]
) -> str:
    try:
        outcome = await work()
    except Exception as error:
        logger.exception("%s %s failed", name, outbox_id)
        async with runtime.db.transaction() as session:
            await outbox.record_failure(session, outbox_id, f"{type(error).__name__}: {error}")
        raise
    if outcome == "done":
        logger.info("%s %s done", name, outbox_id)
    return outcome


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Enqueue again every pending job that should have run by now."""
    runtime: Runtime = ctx["runtime"]
    older_than = timedelta(seconds=runtime.settings.outbox_sweep_after_seconds)
    async with runtime.db.session() as session:
        due = await outbox.sweep(session, older_than=older_than)
    if due:
        logger.info("outbox sweep: enqueueing %d pending jobs", len(due))
    return await outbox.enqueue_all(runtime.queue, due)
