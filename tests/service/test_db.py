"""Datetimes in and out of both databases: aware UTC always, whatever reads them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from service.db import Database, UTCDateTime


def _present(processor: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    assert processor is not None
    return processor


_SQLITE = sqlite.dialect()
_ON_SQLITE = UTCDateTime().dialect_impl(_SQLITE)
assert isinstance(_ON_SQLITE, UTCDateTime)
_WRITE = _present(_ON_SQLITE.bind_processor(_SQLITE))
_READ = _present(_ON_SQLITE.result_processor(_SQLITE, None))
# The stock reading: SQLite's DATETIME parse, then UTCDateTime.process_result_value.
_STOCK = _present(TypeDecorator.result_processor(_ON_SQLITE, _SQLITE, None))

_ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-9, minutes=-30))]
)
_AWARE = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30), timezones=_ZONES
)


@given(_AWARE)
@example(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
@example(datetime(2026, 12, 1, 1, 30, 0, 1, tzinfo=timezone(timedelta(hours=7))))
def test_sqlite_reads_what_it_wrote_as_the_stock_reading_does(value: datetime) -> None:
    stored = _WRITE(value)  # UTCDateTime's bind, then SQLite's text
    read = _READ(stored)
    assert read == value
    assert read.tzinfo is UTC
    assert (read, read.tzinfo) == (_STOCK(stored), _STOCK(stored).tzinfo)


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-01",  # a date alone: midnight UTC, as the stock reading gives
        "2026-12-01 08:30:00",
        "2026-12-01 08:30",
        "2026-12-01T08:30:00.5",
        "2026-12-01 08:30:00.123",
        "2026-12-01 08:30:00+07:00",
    ],
)
def test_sqlite_text_written_by_hand_reads_as_the_stock_reading_does(stored: str) -> None:
    read, stock = _READ(stored), _STOCK(stored)
    assert (read, read.tzinfo) == (stock, stock.tzinfo)
    assert read.tzinfo is UTC


def test_sqlite_text_that_is_no_datetime_is_refused_as_before() -> None:
    assert _READ(None) is None
    with pytest.raises(ValueError, match="Invalid isoformat string: 'soon'"):
        _STOCK("soon")
    with pytest.raises(ValueError, match="Invalid isoformat string: 'soon'"):
        _READ("soon")


async def test_a_datetime_round_trips_through_the_database_as_aware_utc(database_url: str) -> None:
    table = Table(
        "when_test", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
    )
    hanoi = timezone(timedelta(hours=7))
    written = [
        datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 15, 30, 0, 250, tzinfo=hanoi),
        datetime(2026, 12, 2, 0, 0, tzinfo=hanoi),
        None,
    ]
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(table.metadata.create_all)
            await connection.execute(
                insert(table), [{"id": n, "at": at} for n, at in enumerate(written)]
            )
        async with db.engine.connect() as connection:
            read = (
                (await connection.execute(select(table.c.at).order_by(table.c.id))).scalars().all()
            )
            # Ordered by the stored value: the Hanoi midnight is 17:00 UTC the day before.
            ordered = (
                (
                    await connection.execute(
                        select(table.c.id).where(table.c.at.is_not(None)).order_by(table.c.at)
                    )
                )
                .scalars()
                .all()
            )
            if db.engine.dialect.name == "sqlite":
                texts = (
                    (await connection.execute(text("SELECT at FROM when_test ORDER BY id")))
                    .scalars()
                    .all()
                )
                assert texts[:3] == [
                    "2026-12-01 08:30:00.000000",
                    "2026-12-01 08:30:00.000250",
                    "2026-12-01 17:00:00.000000",
                ]
        assert read == written
        assert all(at.tzinfo is UTC for at in read if at is not None)
        assert ordered == [0, 1, 2]
        with pytest.raises(Exception, match="naive datetime"):
            async with db.engine.begin() as connection:
                await connection.execute(insert(table), [{"id": 9, "at": datetime(2026, 12, 1)}])
    finally:
        async with db.engine.begin() as connection:
            await connection.run_sync(table.metadata.drop_all)
        await db.dispose()
