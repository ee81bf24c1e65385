"""The GraphQL schema, assembled from each domain's queries and mutations."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from service.api.accounts.queries import AccountQuery
from service.api.directory.queries import DirectoryQuery
from service.api.proposals.mutations import ProposalMutation
from service.api.proposals.queries import ProposalQuery
from service.api.search.queries import SearchQuery
from service.api.statistics.queries import StatisticsQuery
from service.api.workflow.mutations import WorkflowMutation


@strawberry.type
class Query(ProposalQuery, SearchQuery, DirectoryQuery, AccountQuery, StatisticsQuery):
    pass


@strawberry.type
class Mutation(ProposalMutation, WorkflowMutation):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask exceptions raised by our code; keep GraphQL's own syntax and input errors."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=_is_unexpected)


def _parser_cache() -> ParserCache:
    return ParserCache(maxsize=512)


def _validation_cache() -> ValidationCache:
    return ValidationCache(maxsize=512)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(auto_camel_case=True),
    extensions=[_mask_errors, _parser_cache, _validation_cache],
)
