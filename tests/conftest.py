"""Shared fixtures: real SQLite and PostgreSQL, the embedded Redis, a real SMTP server."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette

from service.app import create_app
from service.db import Database
from service.demo import load_demo
from service.embedded.redis import EmbeddedRedis
from service.migrate import upgrade
from service.runtime import Runtime, open_runtime
from service.settings import Settings
from tests.fixtures.postgres import PostgresCluster
from tests.fixtures.smtp import SmtpSink

DATABASES = ("sqlite", "postgresql")
_TEMPLATE = "intake_template"
_counter = itertools.count()


async def _seed(url: str) -> None:
    db = Database(url)
    try:
        async with db.transaction() as session:
            await load_demo(session)
    finally:
        await db.dispose()


def _prepare(url: str) -> None:
    upgrade(url)
    # Sync fixtures run outside the test loop, so the seed gets a short-lived loop of its own.
    with_loop = asyncio.new_event_loop()
    try:
        with_loop.run_until_complete(_seed(url))
    finally:
        with_loop.close()


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="intake-tests-"))
    path.chmod(0o755)  # the PostgreSQL cluster runs as the postgres user when tests run as root
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(scratch_dir: Path) -> Path:
    path = scratch_dir / "template.db"
    _prepare(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres(scratch_dir: Path) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(scratch_dir / "postgres")
    cluster.start()
    try:
        cluster.create_database(_TEMPLATE)
        _prepare(cluster.dsn(_TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database holding the demo directory and users, new for each test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "intake.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    name = f"test_{next(_counter)}"
    cluster.create_database(name, template=_TEMPLATE)
    yield cluster.dsn(name)
    cluster.drop_database(name)


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no table yet, new for each test: for migrations and first loads."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    name = f"empty_{next(_counter)}"
    cluster.create_database(name)
    try:
        yield cluster.dsn(name)
    finally:
        cluster.drop_database(name)


@pytest.fixture(scope="session")
def redis_server(scratch_dir: Path) -> Iterator[str]:
    with EmbeddedRedis(scratch_dir / "redis-data") as server:
        yield server.url


@pytest.fixture
async def redis_url(redis_server: str) -> str:
    client = Redis.from_url(redis_server)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return redis_server


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def mailbox(smtp_sink: SmtpSink) -> SmtpSink:
    smtp_sink.clear()
    return smtp_sink


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str, mailbox: SmtpSink) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        redis_url=redis_url,
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        base_url="http://intake.test",
        # Tests post the form the moment they fetch it; tests/web/test_spam.py sets a minimum.
        spam_min_fill_seconds=0,
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """The test's database, migrated by `database_url`, disposed afterwards."""
    database = Database(settings.resolved_database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        yield opened


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The whole application with its lifespan running, in the test's event loop."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
        yield http
