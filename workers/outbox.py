"""Running outbox jobs exactly as CONVENTIONS rule 4 asks, and sweeping up what was missed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from service.outbox import service as outbox
from service.request_id import use_request_id
from service.runtime import Runtime

logger = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Runtime, dict[str, Any]], Awaitable[None]]
JobFunction = Callable[[dict[str, Any], str], Awaitable[str]]


def outbox_job(name: str, handler: Handler) -> JobFunction:
    """Wrap a handler so it reloads its outbox row, skips finished work and records failures."""

    async def run(ctx: dict[str, Any], outbox_id: str) -> str:
        runtime: Runtime = ctx["runtime"]
        try:
            async with outbox.unit_of_work(runtime.db, runtime.queue) as session:
                message = await outbox.claim(session, outbox_id, name)
                if message is None:
                    return "already done"
                # The job's log lines carry the id of the request that caused it.
                request_id = message.payload.get("request_id")
                use_request_id(request_id if isinstance(request_id, str) else None)
                await handler(session, runtime, message.payload)
                outbox.mark_done(message)
            logger.info("%s %s done", name, outbox_id)
        except Exception as error:
            logger.exception("%s %s failed", name, outbox_id)
            async with runtime.db.transaction() as session:
                await outbox.record_failure(session, outbox_id, f"{type(error).__name__}: {error}")
            raise
        return "done"

    run.__qualname__ = run.__name__ = name
    return run


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Enqueue again every pending job that should have run by now."""
    runtime: Runtime = ctx["runtime"]
    older_than = timedelta(seconds=runtime.settings.outbox_sweep_after_seconds)
    async with runtime.db.session() as session:
        due = await outbox.sweep(session, older_than=older_than)
    if due:
        logger.info("outbox sweep: enqueueing %d pending jobs", len(due))
    return await outbox.enqueue_all(runtime.queue, due)
