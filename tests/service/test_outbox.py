"""Jobs are written with their state change, enqueued after commit, and never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from arq.connections import create_pool
from sqlmodel import select

from service.db import Database
from service.outbox import service as outbox
from service.outbox.models import OutboxMessage, OutboxState
from service.queue import ArqQueue, redis_settings
from service.settings import Settings


class _UnreachableQueue:
    async def enqueue(self, job: str, outbox_id: str) -> None:
        raise ConnectionError("redis is down")


async def _rows(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list((await session.exec(select(OutboxMessage))).all())


async def test_jobs_are_enqueued_under_their_outbox_id_after_commit(settings: Settings) -> None:
    db, queue = Database(settings.resolved_database_url), ArqQueue(settings)
    async with outbox.unit_of_work(db, queue) as session:
        message = outbox.add_job(session, "proposal.route", {"proposal_id": 1})
    pool = await create_pool(redis_settings(settings.redis_url))
    queued = [job.job_id for job in await pool.queued_jobs()]
    await pool.aclose()
    await queue.close()
    await db.dispose()
    assert queued == [message.id]


async def test_a_rolled_back_transaction_leaves_no_job(settings: Settings) -> None:
    db, queue = Database(settings.resolved_database_url), ArqQueue(settings)
    with pytest.raises(RuntimeError):
        async with outbox.unit_of_work(db, queue) as session:
            outbox.add_job(session, "proposal.route", {"proposal_id": 1})
            raise RuntimeError("the state change failed")
    pool = await create_pool(redis_settings(settings.redis_url))
    queued = await pool.queued_jobs()
    await pool.aclose()
    await queue.close()
    assert await _rows(db) == []
    await db.dispose()
    assert queued == []


async def test_redis_down_keeps_the_job_pending_for_the_sweep(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with outbox.unit_of_work(db, _UnreachableQueue()) as session:
        message = outbox.add_job(session, "search.index", {"proposal_id": 7})
    async with db.session() as session:
        too_early = await outbox.sweep(session, older_than=timedelta(seconds=60))
        due = await outbox.sweep(session, older_than=timedelta(0))
        pending = await outbox.pending_count(session)
    await db.dispose()
    assert too_early == []
    assert due == [("search.index", message.id)]
    assert pending == 1


async def test_claim_skips_finished_work_and_failures_back_off(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    async with db.transaction() as session:
        message = outbox.add_job(session, "search.index", {"proposal_id": 7})
    async with db.transaction() as session:
        await outbox.record_failure(session, message.id, "ConnectionError: refused")
    async with db.session() as session:
        backing_off = await outbox.sweep(session, older_than=timedelta(0))
    async with db.transaction() as session:
        claimed = await outbox.claim(session, message.id, "search.index")
        assert claimed is not None
        outbox.mark_done(claimed)
    async with db.transaction() as session:
        assert await outbox.claim(session, message.id, "search.index") is None
        with pytest.raises(ValueError, match=r"holds 'search\.index', not 'proposal\.route'"):
            await outbox.claim(session, message.id, "proposal.route")
    [row] = await _rows(db)
    await db.dispose()
    assert backing_off == []
    assert (row.state, row.attempts, row.last_error) == (
        OutboxState.DONE,
        1,
        "ConnectionError: refused",
    )
