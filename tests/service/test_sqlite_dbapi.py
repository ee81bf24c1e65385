"""The SQLite engines' cursor: one call on aiosqlite's thread per statement, results unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'cursor.db'}")
    async with database.transaction() as session:
        sql = await session.connection()
        await sql.execute(
            text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INT)")
        )
    yield database
    await database.dispose()


class _CountingQueue:
    """Stands in for aiosqlite's queue to its thread, counting the calls handed over."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.calls = 0

    def put_nowait(self, item: Any) -> None:
        self.calls += 1
        self.queue.put_nowait(item)


async def _counting(sql: AsyncConnection) -> _CountingQueue:
    driver = (await sql.get_raw_connection()).driver_connection
    assert driver is not None
    counter = _CountingQueue(driver._tx)
    driver._tx = counter
    return counter


async def test_a_statement_is_one_call_on_the_connections_thread(db: Database) -> None:
    async with db.transaction() as session:
        sql = await session.connection()
        counter = await _counting(sql)
        await sql.execute(text("INSERT INTO items (name, n) VALUES ('a', 1)"))
        assert counter.calls == 1
        rows = (await sql.execute(text("SELECT name, n FROM items"))).all()
        assert counter.calls == 2  # SQLAlchemy's own aiosqlite cursor takes four
        assert [tuple(row) for row in rows] == [("a", 1)]


async def test_rows_counts_and_ids_are_those_sqlite_reports(db: Database) -> None:
    async with db.transaction() as session:
        sql = await session.connection()
        many = await sql.execute(
            text("INSERT INTO items (name, n) VALUES (:name, :n)"),
            [{"name": f"item {i}", "n": i} for i in range(250)],
        )
        assert many.rowcount == 250
        inserted = await sql.execute(text("INSERT INTO items (name, n) VALUES ('last', 0)"))
        assert inserted.lastrowid == 251
        returned = await sql.execute(
            text("INSERT INTO items (name, n) VALUES ('back', 7) RETURNING id, n")
        )
        assert [tuple(row) for row in returned] == [(252, 7)]
        updated = await sql.execute(text("UPDATE items SET n = n + 1 WHERE n < 10"))
        assert updated.rowcount == 12  # 0..9, 'last' and 'back'
    async with db.session() as session:
        sql = await session.connection()
        result = await sql.execute(text("SELECT n FROM items ORDER BY id"))
        # The rows are all read on the thread, then handed out in whatever pieces are asked.
        chunks = [len(chunk) for chunk in result.partitions(100)]
        assert chunks == [100, 100, 52]
        empty = await sql.execute(text("SELECT n FROM items WHERE n < 0"))
        assert empty.all() == []


async def test_an_error_is_sqlalchemys_and_the_transaction_rolls_back(db: Database) -> None:
    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: items\.name"):
        async with db.transaction() as session:
            sql = await session.connection()
            await sql.execute(text("INSERT INTO items (name, n) VALUES ('twice', 1)"))
            await sql.execute(text("INSERT INTO items (name, n) VALUES ('twice', 2)"))
    async with db.session() as session:
        sql = await session.connection()
        assert (await sql.execute(text("SELECT count(*) FROM items"))).scalar_one() == 0
    async with db.transaction() as session:  # the connection is usable after the error
        sql = await session.connection()
        await sql.execute(text("INSERT INTO items (name, n) VALUES ('twice', 3)"))
    async with db.session() as session:
        sql = await session.connection()
        assert (await sql.execute(text("SELECT n FROM items"))).scalar_one() == 3
