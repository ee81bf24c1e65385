"""Full-text search over what the caller may see."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.search.types import SearchHit, SearchResults
from service.proposals import service


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Words match regardless of case and Vietnamese diacritics; the last one as "
        "a prefix. Anonymous callers see published submissions only."
    )
    async def search(self, info: Info, query: str, first: int = 20) -> SearchResults:
        runtime = info.context.runtime
        result = await service.search(
            runtime.search,
            query,
            info.context.search_scope,
            first=first,
            settings=runtime.settings,
        )
        return SearchResults(
            total=result.total,
            hits=[
                SearchHit(tracking_code=h.tracking_code, title=h.title, snippet=h.snippet)
                for h in result.hits
            ],
        )
