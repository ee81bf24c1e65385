"""Reads that may lag go to a real streaming replica of the PostgreSQL primary.

The replica is a second cluster copied with pg_basebackup and streaming from the suite's
primary. Pausing its replay shows which pages read from it: they stop seeing new submissions
while the pages that read through the primary still do.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import Database
from service.doctor import run_checks
from service.settings import Settings
from tests.factories import submitted_and_routed
from tests.fixtures.postgres import PostgresCluster

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

STATS = {"query": "{ stats { received } }"}


@pytest.fixture
def standby(postgres: PostgresCluster, database_url: str) -> Iterator[PostgresCluster]:
    with tempfile.TemporaryDirectory(dir="/tmp") as base:
        cluster = PostgresCluster(Path(base))
        cluster.start_standby_of(postgres)
        try:
            yield cluster
        finally:
            cluster.stop()


@pytest.fixture
def settings(settings: Settings, standby: PostgresCluster) -> Settings:
    name = settings.resolved_database_url.rsplit("/", 1)[1]
    return settings.model_copy(update={"database_replica_url": standby.dsn(name)})


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def _caught_up(settings: Settings) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = await _scalar(settings.resolved_database_url, "SELECT pg_current_wal_lsn()::text")
    for _ in range(200):
        behind = await _scalar(
            settings.database_replica_url,
            f"SELECT pg_wal_lsn_diff('{target}', pg_last_wal_replay_lsn())",
        )
        if float(str(behind)) <= 0:
            return
        await asyncio.sleep(0.05)
    pytest.fail("the replica did not catch up within 10 s")


async def _received(client: httpx.AsyncClient) -> int:
    response = await client.post("/graphql", json=STATS)
    return int(response.json()["data"]["stats"]["received"])


async def test_public_figures_read_from_the_replica(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    assert await _scalar(settings.database_replica_url, "SELECT pg_is_in_recovery()") is True
    await submitted_and_routed(db, settings)
    await _caught_up(settings)
    before = await _received(client)
    assert before >= 1

    await _scalar(settings.database_replica_url, "SELECT pg_wal_replay_pause()")
    late = await submitted_and_routed(db, settings, title="Một đề xuất khác về dữ liệu mở")
    # The tracking page reads the primary: the new submission is there at once.
    tracked = await client.get(f"/track/{late.tracking_code}")
    assert tracked.status_code == 200
    assert late.tracking_code in tracked.text
    # The public figures come from the paused replica: not yet counted.
    assert await _received(client) == before

    await _scalar(settings.database_replica_url, "SELECT pg_wal_replay_resume()")
    await _caught_up(settings)
    assert await _received(client) == before + 1


async def test_the_primary_answers_while_the_replica_is_down(
    client: httpx.AsyncClient,
    settings: Settings,
    db: Database,
    standby: PostgresCluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await submitted_and_routed(db, settings)
    standby.stop()
    assert await _received(client) >= 1
    for path in ("/", "/statistics", "/published"):
        assert (await client.get(path)).status_code == 200
    assert "the read replica is unreachable, reading from the primary" in caplog.text


async def test_doctor_checks_the_replica(settings: Settings, standby: PostgresCluster) -> None:
    [check] = [c for c in await run_checks(settings) if c.name == "database replica"]
    assert check.ok, check.detail
    assert check.detail.startswith("streaming replica, replayed up to")

    # A replica URL that points at the primary itself is no replica.
    wrong = settings.model_copy(update={"database_replica_url": settings.resolved_database_url})
    [check] = [c for c in await run_checks(wrong) if c.name == "database replica"]
    assert not check.ok
    assert check.detail == "not in recovery: this is a primary, not a replica"
    assert "INTAKE_DATABASE_REPLICA_URL" in check.fix

    standby.stop()
    [check] = [c for c in await run_checks(settings) if c.name == "database replica"]
    assert not check.ok
    assert "INTAKE_DATABASE_REPLICA_URL" in check.fix
