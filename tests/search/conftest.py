"""Every search backend available here, behind one fixture, for the conformance suite."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from search.base import SearchBackend
from search.embedded import EmbeddedSearch
from search.meili import MeiliSearch
from search.postgres import PostgresSearch
from tests.fixtures.postgres import PostgresCluster

MEILI_URL = os.environ.get("INTAKE_TEST_MEILI_URL", "")
# Meilisearch joins the suite when a server is given (the server cannot be installed here).
BACKENDS = ("embedded", "postgres", *(("meilisearch",) if MEILI_URL else ()))
_counter = itertools.count()


@pytest.fixture(scope="session")
def search_database_url(postgres: PostgresCluster) -> Iterator[str]:
    # One database for the session: every test gets a new, empty index table in it (a database
    # per test would add 0.4 s to each of about a hundred tests).
    postgres.create_database("search_conformance")
    yield postgres.dsn("search_conformance")
    postgres.drop_database("search_conformance")


@pytest.fixture(params=BACKENDS)
def backend_kind(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """Which backend, and where: a file, a new PostgreSQL database, or a Meilisearch server."""
    # Synchronous, because the session's PostgreSQL cluster starts outside the test's loop.
    kind = request.param
    if kind == "embedded":
        yield kind, str(request.getfixturevalue("tmp_path") / "search.db")
    elif kind == "postgres":
        yield kind, request.getfixturevalue("search_database_url")
    else:
        yield kind, MEILI_URL


@pytest.fixture
async def backend(backend_kind: tuple[str, str]) -> AsyncIterator[SearchBackend]:
    """A new, empty index in every backend available."""
    kind, where = backend_kind
    if kind == "embedded":
        embedded = EmbeddedSearch(Path(where))
        await embedded.setup()
        yield embedded
        await embedded.close()
    elif kind == "postgres":
        postgres = PostgresSearch(where)
        try:
            await postgres.setup()
            yield postgres
        finally:
            await postgres.drop()
            await postgres.close()
    else:
        index = f"intake_test_{os.getpid()}_{next(_counter)}"
        meili = MeiliSearch(where, os.environ.get("INTAKE_TEST_MEILI_KEY", ""), index)
        try:
            await meili.setup()
            yield meili
        finally:
            await meili.drop()
            await meili.close()
