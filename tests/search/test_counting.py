"""Counting stops at the count limit and says so; "any word" matching finds similar titles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from search.base import SearchBackend, SearchFilters
from search.embedded import EmbeddedSearch
from search.postgres import PostgresSearch
from tests.search.test_conformance import CORPUS, EVERYTHING, PUBLIC, document


@pytest.fixture
async def limited(backend_kind: tuple[str, str]) -> AsyncIterator[SearchBackend]:
    """A backend that counts at most three matches, holding the conformance corpus."""
    kind, where = backend_kind
    if kind == "embedded":
        embedded = EmbeddedSearch(Path(where), count_limit=3)
        await embedded.setup()
        await embedded.index(CORPUS)
        yield embedded
        await embedded.close()
    elif kind == "postgres":
        postgres = PostgresSearch(where, count_limit=3)
        try:
            await postgres.setup()
            await postgres.index(CORPUS)
            yield postgres
        finally:
            await postgres.drop()
            await postgres.close()
    else:
        pytest.skip("Meilisearch counts every match itself")


async def test_counts_above_the_limit_are_lower_bounds_over_the_newest_matches(
    limited: SearchBackend,
) -> None:
    result = await limited.search("", EVERYTHING, limit=2, facets=["status", "published"])

    assert (result.total, result.exact) == (3, False)
    # The newest three documents (8, 7, 6) are the ones counted.
    assert result.facets == {
        "status": {"CLOSED": 1, "NEEDS_INFO": 1, "TRIAGE": 1},
        "published": {"false": 2, "true": 1},
    }
    assert [hit.id for hit in result.hits] == [8, 7]
    beyond = await limited.search("", EVERYTHING, limit=2, offset=6)
    assert [hit.id for hit in beyond.hits] == [2, 1]


async def test_counts_within_the_limit_are_exact(limited: SearchBackend) -> None:
    result = await limited.search("chuyen", PUBLIC, facets=["status"])

    assert (result.total, result.exact) == (2, True)
    assert result.facets == {"status": {"CLOSED": 1, "ROUTED": 1}}


async def test_any_word_finds_documents_sharing_one_word(limited: SearchBackend) -> None:
    every = await limited.search("chuyen duong", EVERYTHING, limit=10)
    some = await limited.search("chuyen duong", EVERYTHING, limit=10, match="any", sort="newest")
    ranked = await limited.search("chuyen duong", EVERYTHING, limit=10, match="any")

    assert every.hits == []
    assert [hit.id for hit in some.hits] == [8, 4, 2, 1]
    assert some.exact is False  # four matched, three counted
    # Relevance ranks the newest matches within the count limit (here three).
    assert sorted(hit.id for hit in ranked.hits) == [2, 4, 8]


async def test_a_count_limit_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the count limit must be at least 1, got 0"):
        EmbeddedSearch(tmp_path / "search.db", count_limit=0)


async def test_above_the_limit_titles_rank_first_within_the_newest_matches(
    backend_kind: tuple[str, str],
) -> None:
    kind, where = backend_kind
    backend: SearchBackend
    if kind == "embedded":
        backend = EmbeddedSearch(Path(where), count_limit=2)
    elif kind == "postgres":
        backend = PostgresSearch(where, count_limit=2)
    else:
        pytest.skip("Meilisearch counts every match itself")
    await backend.setup()
    try:
        await backend.index(
            [
                document(1, "Dữ liệu mở cho doanh nghiệp"),
                document(2, "Chia sẻ dữ liệu dân cư"),
                document(3, "Thủ tục hành chính", "Cần kết nối dữ liệu giữa các bộ."),
            ]
        )
        result = await backend.search("du lieu", EVERYTHING)

        # Three match, two are counted: the newest two, the title match first.
        assert (result.total, result.exact) == (2, False)
        assert [hit.id for hit in result.hits] == [2, 3]
    finally:
        if isinstance(backend, PostgresSearch):
            await backend.drop()
        await backend.close()


async def test_a_search_capped_to_candidates_counts_and_ranks_only_the_newest_matches(
    backend: SearchBackend,
) -> None:
    # What routing's precedent and near-duplicate searches ask: a few similar documents among
    # the newest matches, at a cost that does not grow with the matches.
    if not isinstance(backend, EmbeddedSearch | PostgresSearch):
        pytest.skip("Meilisearch counts every match itself")
    await backend.index(
        [
            document(1, "Dữ liệu mở cho doanh nghiệp"),
            document(2, "Chia sẻ dữ liệu dân cư"),
            document(3, "Thủ tục hành chính", "Cần kết nối dữ liệu giữa các bộ."),
        ]
    )
    whole = await backend.search("du lieu", EVERYTHING, match="any")
    capped = await backend.search("du lieu", EVERYTHING, match="any", candidates=2)

    assert (whole.total, whole.exact) == (3, True)
    assert sorted(hit.id for hit in whole.hits) == [1, 2, 3]
    assert (capped.total, capped.exact) == (2, False)
    assert [hit.id for hit in capped.hits] == [2, 3]
    with pytest.raises(ValueError, match="candidates must be at least 1, got 0"):
        await backend.search("du lieu", EVERYTHING, candidates=0)


async def test_matches_far_apart_in_id_are_counted_newest_first(
    backend_kind: tuple[str, str],
) -> None:
    # Ids in several PostgreSQL id ranges (search.postgres.PARTITION_SIZE), one range empty, and
    # more documents in the newest range than match: the count reads range after range.
    kind, where = backend_kind
    backend: SearchBackend
    if kind == "embedded":
        backend = EmbeddedSearch(Path(where), count_limit=3)
    elif kind == "postgres":
        backend = PostgresSearch(where, count_limit=3)
    else:
        pytest.skip("Meilisearch counts every match itself")
    published = {5: True, 16_383: False, 16_384: True, 16_390: False, 40_000: True}
    published |= {70_000: False, 70_001: True}
    await backend.setup()
    try:
        await backend.index(
            [document(i, "Dữ liệu mở", published=flag) for i, flag in published.items()]
            + [document(i, "Thủ tục hành chính") for i in range(70_002, 70_012)]
            + [document(3, "Regulatory sandbox", published=False)]
        )
        public = await backend.search("du lieu", PUBLIC)
        everything = await backend.search("du lieu", EVERYTHING)
        newest = await backend.search("du lieu", EVERYTHING, sort="newest")
        rare = await backend.search("sandbox", EVERYTHING)
        few = await backend.search(
            "du lieu", PUBLIC, filters=SearchFilters(statuses=frozenset({"ROUTED"}))
        )

        assert (public.total, public.exact) == (3, False)
        assert [hit.id for hit in public.hits] == [70_001, 40_000, 16_384]
        assert (everything.total, everything.exact) == (3, False)
        assert [hit.id for hit in everything.hits] == [70_001, 70_000, 40_000]
        # In newest order the page is every match, not only the counted ones.
        assert [hit.id for hit in newest.hits] == [
            70_001,
            70_000,
            40_000,
            16_390,
            16_384,
            16_383,
            5,
        ]
        assert (rare.total, rare.exact, [hit.id for hit in rare.hits]) == (1, True, [3])
        assert (few.total, few.exact, few.hits) == (0, True, [])
    finally:
        if isinstance(backend, PostgresSearch):
            await backend.drop()
        await backend.close()
