"""The GraphQL schema, assembled from each domain's queries and mutations."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from service.api.directory.queries import DirectoryQuery
from service.api.proposals.mutations import ProposalMutation
from service.api.proposals.queries import ProposalQuery
from service.api.search.queries import SearchQuery


@strawberry.type
class Query(ProposalQuery, SearchQuery, DirectoryQuery):
    pass


@strawberry.type
class Mutation(ProposalMutation):
    pass


def _parser_cache() -> ParserCache:
    return ParserCache(maxsize=512)


def _validation_cache() -> ValidationCache:
    return ValidationCache(maxsize=512)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(auto_camel_case=True),
    extensions=[MaskErrors, _parser_cache, _validation_cache],
)
