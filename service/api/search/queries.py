"""Full-text search over what the caller may see, with filters, facets, sorting and pages."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from search import service
from search.base import SearchFilters, SearchResult
from search.service import SearchInputError
from service.api.context import Info
from service.api.filters import any_given_empty, check_created_period
from service.api.relay import PageInfo, offset_cursor, offset_from_cursor
from service.api.search.types import (
    FacetValue,
    SearchFacet,
    SearchFacetField,
    SearchFilter,
    SearchHit,
    SearchResults,
    SearchSort,
)
from service.i18n import Language


def _matches_nothing(given: SearchFilter | None) -> bool:
    """A given empty list allows none of its values (SearchFilters reads empty as no filter)."""
    if given is None:
        return False
    return any_given_empty(
        given.statuses,
        given.kinds,
        given.categories,
        given.agencies,
        given.provinces,
        given.submitter_types,
    )


def _filters(given: SearchFilter | None, language: Language) -> SearchFilters:
    if given is None:
        return SearchFilters()
    check_created_period(given.created_from, given.created_to, language)
    return SearchFilters(
        statuses=frozenset(s.value for s in given.statuses or ()),
        kinds=frozenset(k.value for k in given.kinds or ()),
        categories=frozenset(given.categories or ()),
        agencies=frozenset(given.agencies or ()),
        provinces=frozenset(given.provinces or ()),
        submitter_types=frozenset(t.value for t in given.submitter_types or ()),
        created_from=given.created_from,
        created_to=given.created_to,
        overdue=given.overdue,
        published=given.published,
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Words match regardless of case and Vietnamese diacritics; the last one as "
        "a prefix; an empty query lists everything. Anonymous callers see published "
        "submissions only, agencies their own and published ones, the secretariat everything. "
        "`first` is 0 to INTAKE_SEARCH_MAX_PAGE_SIZE (0: counts and facets only)."
    )
    async def search(
        self,
        info: Info,
        query: str,
        filter: SearchFilter | None = None,
        sort: SearchSort = SearchSort.RELEVANCE,
        first: int = 20,
        after: str | None = None,
        facets: list[SearchFacetField] | None = None,
    ) -> SearchResults:
        runtime = info.context.runtime
        offset = offset_from_cursor(after)
        if offset is None:
            raise GraphQLError("after is not a cursor this API gave out")
        names = [field.value for field in facets or ()]
        filters = _filters(filter, info.context.language)
        try:
            if _matches_nothing(filter):
                service.check_page_size(first, runtime.settings)
                result = SearchResult(hits=[], total=0, exact=True, facets={})
            else:
                result = await service.search(
                    runtime.search,
                    query,
                    info.context.search_scope,
                    runtime.settings,
                    filters=filters,
                    sort=sort.value,
                    first=first,
                    offset=offset,
                    facets=names,
                )
        except SearchInputError as error:
            raise GraphQLError(error.message) from None
        hits = [
            SearchHit(row=hit, cursor=offset_cursor(offset + position))
            for position, hit in enumerate(result.hits)
        ]
        return SearchResults(
            total=result.total,
            exact=result.exact,
            hits=hits,
            facets=[
                SearchFacet(
                    field=SearchFacetField(name),
                    values=[
                        FacetValue(value=value, count=count)
                        for value, count in sorted(
                            result.facets.get(name, {}).items(),
                            key=lambda item: (-item[1], item[0]),
                        )
                    ],
                )
                for name in names
            ],
            page_info=PageInfo.of_page(
                [h.cursor for h in hits],
                offset,
                more=bool(hits) and (offset + len(hits) < result.total or not result.exact),
            ),
        )
