"""Searching on behalf of a caller: limits from the settings, whole-result exports, similar titles.

The GraphQL API and the web pages both come through here, so both apply the same limits.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Collection, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

from search.base import (
    SearchBackend,
    SearchFilters,
    SearchHit,
    SearchResult,
    SearchScope,
    SearchSort,
    utc,
)
from service.metrics import SEARCH_DURATION
from service.settings import Settings

EXPORT_BATCH = 500
SIMILAR_LIMIT = 5
# Titles shorter than this (after trimming) are not worth comparing yet.
SIMILAR_MIN_LENGTH = 4


class SearchInputError(ValueError):
    """A search argument out of its limits; `field` names it as the caller sent it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_page_size(first: int, settings: Settings, *, field: str = "first") -> None:
    most = settings.search_max_page_size
    if not 0 <= first <= most:
        raise SearchInputError(field, f"{field} must be between 0 and {most}, not {first}")


@contextmanager
def _timed(backend: SearchBackend, operation: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        name = type(backend).__name__.removesuffix("Search").lower()
        SEARCH_DURATION.labels(name, operation).observe(time.perf_counter() - started)


async def search(
    backend: SearchBackend,
    query: str,
    scope: SearchScope,
    settings: Settings,
    *,
    filters: SearchFilters | None = None,
    sort: SearchSort = "relevance",
    first: int = 20,
    offset: int = 0,
    facets: Collection[str] = (),
) -> SearchResult:
    """One page within the caller's scope; raises SearchInputError for a page out of limits.
    Queries longer than INTAKE_MAX_SEARCH_QUERY_LENGTH are cut, not refused."""
    check_page_size(first, settings)
    if offset < 0:
        raise SearchInputError("after", f"after must not point before the start, got {offset}")
    with _timed(backend, "search"):
        return await backend.search(
            query[: settings.max_search_query_length],
            scope,
            limit=first,
            offset=offset,
            filters=filters,
            sort=sort,
            facets=facets,
        )


async def every_hit(
    backend: SearchBackend,
    query: str,
    scope: SearchScope,
    settings: Settings,
    *,
    filters: SearchFilters | None = None,
    batch: int = EXPORT_BATCH,
) -> AsyncIterator[SearchHit]:
    """Every match within the scope, newest first, in batches: for exports of any size.

    The set is frozen at the start (nothing created later joins it), so that new submissions
    arriving during a long export cannot shift the pages and repeat or skip a row.
    """
    given = filters or SearchFilters()
    now = datetime.now(UTC)
    until = min(utc(given.created_to), now) if given.created_to else now
    frozen = replace(given, created_to=until)
    offset = 0
    while True:
        with _timed(backend, "export"):
            result = await backend.search(
                query[: settings.max_search_query_length],
                scope,
                limit=batch,
                offset=offset,
                filters=frozen,
                sort="newest",
            )
        for hit in result.hits:
            yield hit
        if len(result.hits) < batch:
            return
        offset += batch


async def similar(
    backend: SearchBackend,
    title: str,
    settings: Settings,
    scope: SearchScope | None = None,
    excluding: int | None = None,
) -> list[SearchHit]:
    """Submissions whose titles share words with `title`, best first (at most 5): published
    ones for the public form, or what an official may see (`scope`) on a detail page, where
    `excluding` leaves out the submission itself."""
    title = title.strip()[: settings.max_title_length]
    if len(title) < SIMILAR_MIN_LENGTH:
        return []
    with _timed(backend, "similar"):
        result = await backend.search(
            title,
            scope or SearchScope.public(),
            limit=SIMILAR_LIMIT + (excluding is not None),
            sort="relevance",
            match="any",
        )
    return [hit for hit in result.hits if hit.id != excluding][:SIMILAR_LIMIT]
