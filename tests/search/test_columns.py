"""The in-memory copy behind counting: equal to SQL counts, and current after writes elsewhere."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.base import SearchBackend, SearchDocument, SearchFilters, SearchScope
from search.columns import Changes, ColumnRow, DocumentColumns, micros
from search.embedded import EmbeddedSearch, _conditions, _match_expression, _Request
from search.postgres import PostgresSearch
from search.text import query_terms
from tests.search.test_conformance import CORPUS, EVERYTHING, PUBLIC, START, document

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STATUSES = ["SUBMITTED", "ROUTED", "RESPONDED", "CLOSED"]
AGENCIES = ["BKHCN", "BTC", "NHNN"]
WORDS = ["chuyen doi so", "du lieu mo", "ban dan", "khoi nghiep"]


@pytest.fixture
async def twin(backend_kind: tuple[str, str]) -> AsyncIterator[tuple[SearchBackend, SearchBackend]]:
    """Two backends on one index, each with its own connections and in-memory copy, as the web
    process and the worker have."""
    kind, where = backend_kind
    if kind == "embedded":
        first, second = EmbeddedSearch(Path(where)), EmbeddedSearch(Path(where))
        await first.setup()
        await second.setup()
        yield first, second
        await first.close()
        await second.close()
    elif kind == "postgres":
        pg_first, pg_second = PostgresSearch(where), PostgresSearch(where)
        try:
            await pg_first.setup()
            await pg_second.setup()
            yield pg_first, pg_second
        finally:
            await pg_first.drop()
            await pg_first.close()
            await pg_second.close()
    else:
        pytest.skip("Meilisearch counts on its server; it keeps no copy in process memory")


async def test_writes_through_another_connection_are_seen_at_the_next_search(
    twin: tuple[SearchBackend, SearchBackend],
) -> None:
    reader, writer = twin
    await writer.index(CORPUS)
    before = await reader.search("", PUBLIC, facets=["status"])
    assert (before.total, before.facets["status"]) == (
        4,
        {"CLOSED": 1, "RESPONDED": 1, "ROUTED": 1, "SUBMITTED": 1},
    )

    # A status change, a new document, a publication and a deletion, all by the other side.
    await writer.index([replace(CORPUS[0], status="RESPONDED")])
    await writer.index([document(9, "Dữ liệu mở", status="ROUTED")])
    await writer.index([replace(CORPUS[1], published=True)])
    await writer.delete([8])
    after = await reader.search("", PUBLIC, facets=["status"])

    assert (after.total, after.facets["status"]) == (
        5,
        {"ACKNOWLEDGED": 1, "RESPONDED": 2, "ROUTED": 1, "SUBMITTED": 1},
    )
    assert [hit.id for hit in after.hits] == [9, 5, 3, 2, 1]

    # An unpublished document is its agency's alone, and stays so after a reassignment.
    await writer.index([document(10, "Khởi nghiệp", agency="BTC", published=False)])
    assert (await reader.search("khoi nghiep", PUBLIC)).total == 0
    assert (await reader.search("khoi nghiep", SearchScope.agency("BTC"))).total == 1
    await writer.index(
        [document(10, "Khởi nghiệp", agency="NHNN", agencies=("BTC", "NHNN"), published=False)]
    )
    moved = await reader.search("khoi nghiep", SearchScope.agency("BTC"), facets=["agency"])
    assert (moved.total, moved.facets) == (1, {"agency": {"NHNN": 1}})
    assert (await reader.search("khoi nghiep", SearchScope.agency("BGDDT"))).total == 0


async def test_a_rebuilt_index_is_loaded_again_from_scratch(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    reader = EmbeddedSearch(path)
    await reader.setup()
    writer = EmbeddedSearch(path)
    await writer.setup()
    await writer.index(CORPUS)
    assert (await reader.search("", EVERYTHING)).total == 8
    await writer.close()
    await reader.close()
    # Deleted and built again with fewer documents: the versions start over, the generation
    # tells the copy it holds another index.
    path.unlink()
    rebuilt = EmbeddedSearch(path)
    await rebuilt.setup()
    await rebuilt.index(CORPUS[:2])
    reader = EmbeddedSearch(path)
    await reader.setup()
    try:
        assert (await reader.search("", EVERYTHING, facets=["kind"])).facets == {
            "kind": {"OBSTACLE": 1, "PROPOSAL": 1}
        }
    finally:
        await reader.close()
        await rebuilt.close()


_WRITE_FROM_ANOTHER_PROCESS = """
import asyncio, sys
from pathlib import Path
from search.embedded import EmbeddedSearch
from tests.search.test_conformance import document

async def main():
    backend = EmbeddedSearch(Path(sys.argv[1]))
    await backend.setup()
    await backend.index([document(40, "Chuyển đổi số ở xã", status="TRIAGE")])
    await backend.close()

asyncio.run(main())
"""


async def test_a_write_from_another_process_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    search = EmbeddedSearch(path)
    await search.setup()
    try:
        await search.index(CORPUS)
        assert (await search.search("chuyen doi", PUBLIC, facets=["status"])).facets == {
            "status": {"CLOSED": 1, "ROUTED": 1}
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _WRITE_FROM_ANOTHER_PROCESS, str(path)
        )
        assert await process.wait() == 0

        result = await search.search("chuyen doi", PUBLIC, facets=["status"])
        assert (result.total, result.facets) == (
            3,
            {"status": {"CLOSED": 1, "ROUTED": 1, "TRIAGE": 1}},
        )
        assert [hit.id for hit in result.hits][:1] == [40]
    finally:
        await search.close()


async def test_an_index_of_version_2_gains_change_versions(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    search = EmbeddedSearch(path)
    await search.setup()
    await search.index(CORPUS)
    await search.close()
    with closing(sqlite3.connect(path)) as connection:
        # What version 2 lacked: the version column and its tables.
        connection.executescript(
            "DROP TABLE search_state; DROP TABLE deleted_documents; DROP INDEX documents_version;"
            " ALTER TABLE documents DROP COLUMN version; PRAGMA user_version = 2;"
        )
    upgraded = EmbeddedSearch(path)
    await upgraded.setup()
    try:
        assert (await upgraded.search("", EVERYTHING, facets=["published"])).facets == {
            "published": {"false": 4, "true": 4}
        }
        await upgraded.delete([8])
        assert (await upgraded.search("", EVERYTHING)).total == 7
    finally:
        await upgraded.close()
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (3,)


def _row(document_id: int, status: str) -> ColumnRow:
    return ColumnRow(
        id=document_id,
        status=status,
        kind="PROPOSAL",
        category="CDS",
        agency=None,
        province=None,
        submitter_type="CITIZEN",
        published=True,
        created_at=micros(START),
        deadline=None,
        agencies=(),
    )


def test_changes_older_than_the_copy_are_ignored() -> None:
    columns = DocumentColumns()
    columns.apply(Changes("g", 5, [_row(1, "ROUTED"), _row(2, "ROUTED")], [], complete=True))
    # A slower search read the index at version 4 and finishes after the copy reached 5.
    columns.apply(Changes("g", 4, [_row(1, "SUBMITTED")], [2], complete=False))
    columns.apply(Changes("g", 6, [_row(3, "CLOSED")], [1], complete=False))

    ids = columns.select(None, EVERYTHING, SearchFilters(), NOW, 10)
    assert ids == [3, 2]
    assert columns.facet_counts(ids, ["status"]) == {"status": {"CLOSED": 1, "ROUTED": 1}}
    assert (columns.version, len(columns)) == (6, 2)


def test_ids_beyond_the_copy_are_left_out() -> None:
    columns = DocumentColumns()
    columns.apply(Changes("g", 1, [_row(2, "ROUTED")], [], complete=True))

    assert columns.select([7, 2, 1, -1], EVERYTHING, SearchFilters(), NOW, 10) == [2]
    assert columns.select([7, 2, 1, -1], PUBLIC, SearchFilters(), NOW, 10) == [2]


@pytest.mark.parametrize("scope", [EVERYTHING, PUBLIC, SearchScope.agency("BKHCN")])
def test_a_removed_document_is_left_out_of_every_scope(scope: SearchScope) -> None:
    columns = DocumentColumns()
    rows = [_row(1, "ROUTED"), _row(2, "ROUTED"), _row(3, "CLOSED")]
    columns.apply(Changes("g", 1, rows, [], complete=True))
    columns.apply(Changes("g", 2, [], [2], complete=False))

    assert columns.select([3, 2, 1], scope, SearchFilters(), NOW, 10) == [3, 1]
    assert columns.select([3, 2, 1], scope, SearchFilters(), NOW, 1) == [3]
    assert columns.select(None, scope, SearchFilters(), NOW, 10) == [3, 1]


# Random documents, scopes and filters: the copy's totals and facet counts equal SQL's over the
# same index (the way counting worked before the copy), within and beyond the count limit.

_documents = st.lists(
    st.builds(
        lambda i, words, status, agency, past, published, province, hours, deadline: document(
            i,
            words,
            status=status,
            agency=agency,
            agencies=(agency, past) if agency and past else (),
            published=published,
            province=province,
            created_at=START + timedelta(hours=hours),
            deadline=None if deadline is None else START + timedelta(days=deadline),
        ),
        st.integers(1, 60),
        st.sampled_from(WORDS),
        st.sampled_from(STATUSES),
        st.one_of(st.none(), st.sampled_from(AGENCIES)),
        st.one_of(st.none(), st.sampled_from(AGENCIES)),
        st.booleans(),
        st.one_of(st.none(), st.sampled_from(["HA-NOI", "HCM"])),
        st.integers(0, 2000),
        st.one_of(st.none(), st.integers(0, 200)),
    ),
    max_size=40,
    unique_by=lambda d: d.id,
)
_scopes = st.one_of(
    st.just(EVERYTHING),
    st.just(PUBLIC),
    st.sets(st.sampled_from([*AGENCIES, "OTHER"]), min_size=1, max_size=2).map(
        lambda codes: SearchScope.agency(*codes)
    ),
)
_filters = st.builds(
    SearchFilters,
    statuses=st.frozensets(st.sampled_from([*STATUSES, "UNKNOWN"]), max_size=2),
    agencies=st.frozensets(st.sampled_from(AGENCIES), max_size=2),
    provinces=st.frozensets(st.sampled_from(["HA-NOI", "HCM"]), max_size=1),
    created_from=st.one_of(st.none(), st.just(START + timedelta(hours=500))),
    created_to=st.one_of(st.none(), st.just(START + timedelta(hours=1500))),
    overdue=st.one_of(st.none(), st.booleans()),
    published=st.one_of(st.none(), st.booleans()),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    documents=_documents,
    scope=_scopes,
    filters=_filters,
    query=st.sampled_from(["", "chuyen", "du lieu", "ban dan", "so"]),
    count_limit=st.integers(1, 30),
)
def test_counts_from_the_copy_equal_sql_counts(
    tmp_path_factory: pytest.TempPathFactory,
    documents: list[SearchDocument],
    scope: SearchScope,
    filters: SearchFilters,
    query: str,
    count_limit: int,
) -> None:
    path = tmp_path_factory.mktemp("columns") / "search.db"
    facets = ["status", "agency", "province", "published"]

    async def search() -> tuple[int, bool, dict[str, dict[str, int]]]:
        backend = EmbeddedSearch(path, count_limit=count_limit)
        await backend.setup()
        try:
            # Written in two batches, the second changing some of the first, to move versions.
            await backend.index(documents)
            await backend.search("", EVERYTHING)
            await backend.index([replace(d, status="CLOSED") for d in documents[::3]])
            result = await backend.search(query, scope, filters=filters, facets=facets, limit=0)
        finally:
            await backend.close()
        return result.total, result.exact, result.facets

    total, exact, counts = asyncio.run(search())

    expected_ids = _sql_ids(path, query, scope, filters, count_limit)
    assert (total, exact) == (min(len(expected_ids), count_limit), len(expected_ids) <= count_limit)
    assert counts == _sql_facets(path, expected_ids[:count_limit], facets)


def _sql_ids(
    path: Path, query: str, scope: SearchScope, filters: SearchFilters, count_limit: int
) -> list[int]:
    terms = query_terms(query)
    request = _Request(
        terms=terms,
        match="all",
        count_limit=count_limit,
        scope=scope,
        filters=filters,
        sort="relevance",
        facets=(),
        limit=0,
        offset=0,
        now=datetime.now(UTC),
    )
    conditions, parameters = _conditions(request)
    source = "documents AS d"
    if terms:
        source = "documents_fts JOIN documents AS d ON d.id = documents_fts.rowid"
        conditions.insert(0, "documents_fts MATCH ?")
        parameters.insert(0, _match_expression(terms))
    where = " AND ".join(conditions) or "1"
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(
            f"SELECT d.id FROM {source} WHERE {where} ORDER BY d.id DESC LIMIT ?",  # noqa: S608
            [*parameters, count_limit + 1],
        ).fetchall()
    return [row[0] for row in rows]


def _sql_facets(path: Path, ids: list[int], facets: list[str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    marks = ", ".join("?" for _ in ids)
    with closing(sqlite3.connect(path)) as connection:
        for name in facets:
            rows = connection.execute(
                f"SELECT {name}, count(*) FROM documents WHERE id IN ({marks})"  # noqa: S608
                f" AND {name} IS NOT NULL GROUP BY {name}",
                ids,
            ).fetchall()
            if name == "published":
                counts[name] = {("true" if value else "false"): n for value, n in rows}
            else:
                counts[name] = dict(Counter({str(value): n for value, n in rows}))
    return counts
