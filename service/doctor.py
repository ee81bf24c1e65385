"""`intake doctor`: check every dependency and say what is wrong and how to fix it."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosmtplib
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from search.factory import backend_name, create_backend
from service.db import Database
from service.holidays import service as holidays
from service.migrate import current_revision, head_revision
from service.queue import ArqQueue
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    # Works, but something will go wrong later: reported as WARN, and `intake doctor` passes.
    warning: bool = False


_URL_EXAMPLES = (
    "postgresql+asyncpg://user:password@host:5432/name, or leave it empty for SQLite in the "
    "data directory"
)


def _database_url_fix(url: str) -> str:
    """What to do about a database URL that does not even make an engine, by its scheme."""
    scheme = url.partition("://")[0] if "://" in url else ""
    dialect, _, driver = scheme.partition("+")
    if dialect in ("postgresql", "postgres") and driver != "asyncpg":
        return f"use postgresql+asyncpg:// in INTAKE_DATABASE_URL, not {scheme}://"
    if dialect == "sqlite" and driver != "aiosqlite":
        return f"use sqlite+aiosqlite:/// in INTAKE_DATABASE_URL, not {scheme}://"
    return f"set INTAKE_DATABASE_URL to a database URL such as {_URL_EXAMPLES}"


async def _database(settings: Settings) -> list[Check]:
    url = settings.resolved_database_url
    try:
        db = Database(url)
    except Exception as error:
        return [
            Check("database", False, f"{type(error).__name__}: {error}", _database_url_fix(url))
        ]
    try:
        try:
            await db.ping()
        except Exception as error:
            return [
                Check(
                    "database",
                    False,
                    f"{type(error).__name__}: {error}",
                    "check INTAKE_DATABASE_URL and that the database server is running",
                )
            ]
        async with db.engine.connect() as connection:
            current = await connection.run_sync(current_revision)
        head = head_revision(settings.resolved_database_url)
        migrated = Check(
            "migrations",
            current == head,
            f"database at {current or 'nothing'}, code at {head}",
            "" if current == head else "run `intake migrate`",
        )
        checks = [Check("database", True, _redacted(settings.resolved_database_url)), migrated]
        if current == head:  # the holidays table is as the code reads it
            checks.append(await _holidays(db))
        if settings.database_replica_url:
            checks.append(await _replica(settings))
        return checks
    finally:
        await db.dispose()


async def _replica(settings: Settings) -> Check:
    url = settings.database_replica_url
    fix = (
        "point INTAKE_DATABASE_REPLICA_URL at a running streaming replica of the primary, or "
        "leave it empty to read everything from the primary"
    )
    try:
        engine = create_async_engine(url)
    except Exception as error:
        fix = "use postgresql+asyncpg:// in INTAKE_DATABASE_REPLICA_URL, or leave it empty"
        return Check("database replica", False, f"{type(error).__name__}: {error}", fix)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                        "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
                    )
                )
            ).one()
    except Exception as error:
        return Check("database replica", False, f"{type(error).__name__}: {error}", fix)
    finally:
        await engine.dispose()
    in_recovery, replayed, lag = row
    if not in_recovery:
        return Check(
            "database replica", False, "not in recovery: this is a primary, not a replica", fix
        )
    # The time since the last replayed transaction: also grows while the primary is idle.
    since = "" if lag is None else f", last transaction replayed {float(lag):.0f} s ago"
    return Check("database replica", True, f"streaming replica, replayed up to {replayed}{since}")


async def _holidays(db: Database) -> Check:
    """A year with no holidays listed counts every weekday as a business day: deadlines are
    still set, only too early, so this warns rather than fails."""
    async with db.session() as session:
        unlisted = await holidays.years_without_holidays(session)
    if not unlisted:
        year = holidays.this_year()
        return Check("holidays", True, f"listed for {year} and {year + 1}")
    years = " and ".join(str(year) for year in unlisted)
    return Check(
        "holidays",
        True,
        f"none listed for {years}: deadlines running into {years} count every weekday as a "
        "business day",
        f"add {years}'s public holidays at /admin/holidays?year={unlisted[0]} (or with "
        "saveHoliday) once the Government publishes them",
        warning=True,
    )


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}:***@{host}" if at else url


async def _redis(settings: Settings) -> Check:
    queue = ArqQueue(settings)
    try:
        await queue.ping()
        primary = await queue.sentinel_primary()
        if primary is None:
            return Check("redis", True, "answers PING")
        return Check("redis", True, f"answers PING at {primary}, the primary Sentinel names")
    except Exception as error:
        return Check(
            "redis",
            False,
            f"{type(error).__name__}: {error}",
            "set INTAKE_REDIS_URL to a running Redis, or start the embedded one with `intake dev`",
        )
    finally:
        await queue.close()


async def _search(settings: Settings) -> Check:
    try:
        backend = create_backend(settings)
    except Exception as error:
        return Check("search", False, f"{type(error).__name__}: {error}", _search_fix(settings))
    try:
        await backend.setup()
        return Check("search", True, type(backend).__name__)
    except Exception as error:
        return Check(
            "search",
            False,
            f"{type(backend).__name__}: {type(error).__name__}: {error}",
            "check INTAKE_SEARCH_BACKEND / INTAKE_MEILI_URL, then run `intake reindex`",
        )
    finally:
        await backend.close()


def _search_fix(settings: Settings) -> str:
    """What to do when the settings cannot even make the search backend they choose."""
    name = backend_name(settings)
    if name == "meilisearch" and not settings.meili_url:
        return (
            "set INTAKE_MEILI_URL to the Meilisearch server, or choose another "
            "INTAKE_SEARCH_BACKEND (auto, embedded, postgres)"
        )
    if name == "postgres" and settings.is_sqlite:
        return (
            "PostgreSQL search needs a PostgreSQL INTAKE_DATABASE_URL: on SQLite set "
            "INTAKE_SEARCH_BACKEND=embedded (or auto)"
        )
    if name == "postgres":
        return "PostgreSQL search uses INTAKE_DATABASE_URL: fix it as the database check says"
    return "check INTAKE_SEARCH_BACKEND / INTAKE_MEILI_URL and INTAKE_DATABASE_URL"


async def _smtp(settings: Settings) -> Check:
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=settings.smtp_timeout_seconds,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
    )
    try:
        await client.connect()
        if settings.smtp_username:
            await client.login(settings.smtp_username, settings.smtp_password)
        await client.quit()
        return Check("smtp", True, f"{settings.smtp_host}:{settings.smtp_port}")
    except Exception as error:
        return Check(
            "smtp",
            False,
            f"{settings.smtp_host}:{settings.smtp_port}: {type(error).__name__}: {error}",
            "check INTAKE_SMTP_HOST, INTAKE_SMTP_PORT, INTAKE_SMTP_SECURITY and the credentials",
        )


def _data_dir(settings: Settings) -> Check:
    directory = settings.data_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
            pass
        return Check("data directory", True, f"{directory.resolve()} is writable")
    except OSError as error:
        owner = f"(process runs as uid {os.getuid()})"
        return Check(
            "data directory",
            False,
            f"{directory}: {error.strerror} {owner}",
            "create it and give the process's user write access, or set INTAKE_DATA_DIR",
        )


async def run_checks(settings: Settings) -> list[Check]:
    checks = [_data_dir(settings), *await _database(settings)]
    probes: list[Callable[[Settings], Awaitable[Check]]] = [_redis, _search, _smtp]
    checks += await asyncio.gather(*(probe(settings) for probe in probes))
    return checks


def report(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        mark = "FAIL" if not check.ok else "WARN" if check.warning else "ok  "
        lines.append(f"{mark} {check.name}: {check.detail}")
        if (not check.ok or check.warning) and check.fix:
            lines.append(f"     fix: {check.fix}")
    failed = sum(1 for c in checks if not c.ok)
    warned = sum(1 for c in checks if c.ok and c.warning)
    if failed:
        lines.append(f"{failed} check(s) failed.")
    else:
        lines.append(
            f"All checks passed, {warned} with a warning." if warned else "All checks passed."
        )
    return "\n".join(lines)
