"""Outbox jobs that decide in a read session and write in a short transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from service.outbox import repository
from service.outbox import service as outbox
from service.outbox.models import OutboxState
from service.runtime import Runtime
from workers.outbox import decided_outbox_job

JOB = "test.decided"


async def _pending(runtime: Runtime) -> str:
    async with outbox.unit_of_work(runtime.db, None) as session:
        return outbox.add_job(session, JOB, {"n": 1}).id


async def test_a_decision_found_outdated_is_made_again_then_the_job_is_done_once(
    runtime: Runtime,
) -> None:
    outbox_id = await _pending(runtime)
    decided: list[int] = []
    written: list[int] = []

    async def decide(session: AsyncSession, runtime: Runtime, payload: dict[str, Any]) -> int:
        decided.append(int(payload["n"]))
        return len(decided)

    async def write(session: AsyncSession, runtime: Runtime, plan: int) -> bool:
        written.append(plan)
        return plan == 2  # the first decision finds the state changed

    job = decided_outbox_job(JOB, decide, write)
    first = await job({"runtime": runtime}, outbox_id)
    again = await job({"runtime": runtime}, outbox_id)
    async with runtime.db.session() as session:
        message = await repository.get(session, outbox_id)

    assert (first, again) == ("done", "already done")
    assert (decided, written) == ([1, 1], [1, 2])
    assert message is not None
    assert (message.state, message.attempts) == (OutboxState.DONE, 0)


async def test_a_decision_outdated_every_time_fails_and_is_left_for_the_sweep(
    runtime: Runtime,
) -> None:
    outbox_id = await _pending(runtime)

    async def decide(session: AsyncSession, runtime: Runtime, payload: dict[str, Any]) -> int:
        return 0

    async def write(session: AsyncSession, runtime: Runtime, plan: int) -> bool:
        return False

    job = decided_outbox_job(JOB, decide, write, attempts=2)
    with pytest.raises(RuntimeError, match="changed under 2 decisions in a row"):
        await job({"runtime": runtime}, outbox_id)
    async with runtime.db.session() as session:
        message = await repository.get(session, outbox_id)

    assert message is not None
    assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
    assert message.last_error == "RuntimeError: changed under 2 decisions in a row"
