"""Engines and sessions: one writer at a time on SQLite, a pool on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel.ext.asyncio.session import AsyncSession

from service.sqlite_dbapi import dbapi

logger = logging.getLogger(__name__)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Intake stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        """On SQLite, the stored text parsed straight to an aware UTC datetime.

        SQLite keeps a datetime as the text SQLAlchemy wrote ("2026-12-01 08:30:00.000000", in
        UTC). The stock path parses it to a naive datetime, then `process_result_value` calls
        `replace(tzinfo=UTC)`: two Python calls and a slow `replace` for each of the ~900
        datetimes of an inbox page. `datetime.fromisoformat` of the text with the zone appended
        does both in one C call, five times faster. Anything it does not read (a value written
        by hand, a date alone) goes the stock way, so what is read never changes.
        """
        stock = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or stock is None:
            return stock
        parse = datetime.fromisoformat

        def process(value: Any) -> Any:
            if value is None:
                return None
            try:
                parsed = parse(value + "+00:00")
            except (TypeError, ValueError):
                return stock(value)
            # A date alone parses, ignoring the zone: naive, unlike the stock reading.
            return parsed if parsed.tzinfo is UTC else stock(value)

        return process


def utcnow() -> datetime:
    return datetime.now(UTC)


def _configure_sqlite(engine: AsyncEngine, *, begin: str) -> None:
    # pysqlite's own transaction handling defers BEGIN unpredictably; take control of it so that
    # writers start with BEGIN IMMEDIATE and never deadlock upgrading a read lock.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def _postgres_engine(url: str, *, echo: bool, pool_size: int) -> AsyncEngine:
    # hide_parameters: a failed statement's error (logged with its traceback) names the
    # statement but not the values, which are often a submitter's personal data.
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


class Database:
    """The application's database: `transaction()` for writes, `session()` for reads."""

    def __init__(self, url: str, *, echo: bool = False, replica_url: str = "") -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            # aiosqlite with one thread hand-off per statement (service/sqlite_dbapi.py)
            module = dbapi()
            self.engine = create_async_engine(
                url, echo=echo, pool_size=1, max_overflow=0, hide_parameters=True, module=module
            )
            self.read_engine = create_async_engine(
                url, echo=echo, pool_size=4, max_overflow=4, hide_parameters=True, module=module
            )
            _configure_sqlite(self.engine, begin="BEGIN IMMEDIATE")
            _configure_sqlite(self.read_engine, begin="BEGIN")
        else:
            self.engine = _postgres_engine(url, echo=echo, pool_size=10)
            self.read_engine = self.engine
        self._writer_lock = asyncio.Lock() if self.is_sqlite else None
        self._write_sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        self._read_sessions = async_sessionmaker(
            self.read_engine, class_=AsyncSession, expire_on_commit=False
        )
        # A streaming replica for reads that may lag (see replica_session); the primary's
        # settings, a smaller pool: it serves public pages only.
        self.replica_engine: AsyncEngine | None = None
        if replica_url:
            self.replica_engine = _postgres_engine(replica_url, echo=echo, pool_size=5)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, committed when the block ends without an exception."""
        if self._writer_lock is None:
            async with self._write_sessions() as session, session.begin():
                yield session
            return
        async with self._writer_lock, self._write_sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read-only session; anything written through it is rolled back.

        Loaded objects are detached, not expired, when it ends, so callers may map them after.
        """
        async with self._read_sessions() as session:
            try:
                yield session
            finally:
                session.expunge_all()
                await session.rollback()

    @asynccontextmanager
    async def replica_session(self) -> AsyncIterator[AsyncSession]:
        """A read-only session on the replica when there is one, else as session().

        For reads that may be a moment behind the primary (public statistics, the published
        list); what an actor just wrote and reads back goes through session(). A replica that
        cannot be reached is logged and skipped: the primary answers instead.
        """
        if self.replica_engine is None:
            async with self.session() as session:
                yield session
            return
        try:
            connection = await self.replica_engine.connect()
        except (OSError, DBAPIError) as error:
            logger.warning("the read replica is unreachable, reading from the primary: %s", error)
            async with self.session() as session:
                yield session
            return
        try:
            async with AsyncSession(bind=connection, expire_on_commit=False) as session:
                try:
                    yield session
                finally:
                    session.expunge_all()
                    await session.rollback()
        finally:
            await connection.close()

    async def ping(self) -> None:
        async with self.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        if self.replica_engine is not None:
            await self.replica_engine.dispose()
