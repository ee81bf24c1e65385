"""What only the PostgreSQL backend has: its words in id ranges, and indexes made before them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from search.base import SearchError
from search.postgres import PARTITION_SIZE, PostgresSearch
from tests.search.test_conformance import CORPUS, EVERYTHING, PUBLIC, document


@pytest.fixture
async def pg_search(search_database_url: str) -> AsyncIterator[PostgresSearch]:
    backend = PostgresSearch(search_database_url)
    try:
        await backend.setup()
        yield backend
    finally:
        await backend.drop()
        await backend.close()


async def _partitions(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c"
                    " ON c.oid = i.inhrelid WHERE i.inhparent = 'search_terms'::regclass"
                    " ORDER BY c.relname"
                )
            )
            return list(found.scalars())
    finally:
        await engine.dispose()


async def test_words_are_kept_in_one_partition_per_id_range(
    pg_search: PostgresSearch, search_database_url: str
) -> None:
    await pg_search.index([document(1, "Dữ liệu mở"), document(3 * PARTITION_SIZE, "Dữ liệu mở")])
    await pg_search.index([document(3 * PARTITION_SIZE + 1, "Dữ liệu mở")])

    assert await _partitions(search_database_url) == ["search_terms_0", "search_terms_3"]
    result = await pg_search.search("du lieu", EVERYTHING)
    assert [hit.id for hit in result.hits] == [3 * PARTITION_SIZE + 1, 3 * PARTITION_SIZE, 1]


async def test_words_written_are_merged_into_the_gin_index_at_once(
    pg_search: PostgresSearch, search_database_url: str
) -> None:
    # A pending list would be read through by every search until autovacuum merged it.
    await pg_search.index([document(i, f"Dữ liệu mở {i}") for i in range(1, 301)])
    await pg_search.index([document(PARTITION_SIZE + 1, "Dữ liệu dân cư")])

    engine = create_async_engine(search_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE EXTENSION IF NOT EXISTS pgstattuple"))
            pending = await connection.execute(
                text(
                    "SELECT relname, (pgstatginindex(oid)).pending_tuples FROM pg_class"
                    " WHERE relname IN ('search_terms_0_tsv', 'search_terms_1_tsv')"
                    " ORDER BY relname"
                )
            )
            assert pending.all() == [("search_terms_0_tsv", 0), ("search_terms_1_tsv", 0)]
    finally:
        await engine.dispose()


async def test_writers_opening_the_same_id_range_at_once_both_succeed(
    search_database_url: str,
) -> None:
    first, second = PostgresSearch(search_database_url), PostgresSearch(search_database_url)
    try:
        await first.setup()
        start = 5 * PARTITION_SIZE
        await asyncio.gather(
            first.index([document(start + 1, "Dữ liệu mở")]),
            second.index([document(start + 2, "Dữ liệu dân cư")]),
        )

        assert await _partitions(search_database_url) == ["search_terms_5"]
        result = await second.search("du lieu", EVERYTHING, sort="newest")
        assert [hit.id for hit in result.hits] == [start + 2, start + 1]
    finally:
        await first.drop()
        await first.close()
        await second.close()


async def test_an_id_outside_the_ranges_is_refused_and_nothing_is_written(
    pg_search: PostgresSearch,
) -> None:
    with pytest.raises(SearchError, match=r"document ids \[-1\] are out of range 0..2147483647"):
        await pg_search.index([document(1, "Dữ liệu mở"), document(-1, "Dữ liệu mở")])

    assert await pg_search.get_ids() == set()


async def test_an_index_with_its_words_in_the_documents_table_is_moved_by_setup(
    pg_search: PostgresSearch, search_database_url: str
) -> None:
    await pg_search.index(CORPUS)
    before = await pg_search.search("chuyen doi so", PUBLIC, facets=True)
    # How indexes were laid out before search_terms: a generated column and its GIN index.
    engine = create_async_engine(search_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE search_terms"))
            await connection.execute(
                text(
                    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
                    " setweight(to_tsvector('intake', title_tokens), 'A')"
                    " || setweight(to_tsvector('intake', description_tokens), 'B')) STORED"
                )
            )
            await connection.execute(
                text("CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv)")
            )
    finally:
        await engine.dispose()

    upgraded = PostgresSearch(search_database_url)
    try:
        await upgraded.setup()
        after = await upgraded.search("chuyen doi so", PUBLIC, facets=True)
    finally:
        await upgraded.close()

    assert after == before
    assert [hit.id for hit in after.hits] == [8, 1]
    assert await _partitions(search_database_url) == ["search_terms_0"]
