"""What guards the GraphQL schema: document limits, introspection, error masking and logging."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import strawberry
from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from service.api.cost import OncePerDocument, max_cost_rule
from service.request_id import current_request_id
from service.settings import Settings

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext

logger = logging.getLogger("intake.graphql")

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
TIMEOUT = "TIMEOUT"
UNEXPECTED_ERROR_MESSAGE = "Unexpected error."
_CACHE_SIZE = 512
# graphql-core appends " Did you mean 'x', 'y', or 'z'?" to many messages; names never hold "?".
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")

ExtensionFactory = Callable[[], SchemaExtension]


@dataclass(frozen=True, slots=True)
class GraphQLLimits:
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_page_size: int
    max_cost: int
    introspection: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphQLLimits:
        return cls(
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_tokens=settings.graphql_max_tokens,
            max_page_size=settings.graphql_max_page_size,
            max_cost=settings.graphql_max_cost,
            introspection=settings.graphql_introspection_enabled,
        )


def is_unexpected(error: GraphQLError) -> bool:
    """Exceptions raised by our code; GraphQL's own syntax and input errors are the caller's."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


class MaskUnexpectedErrors(MaskErrors):
    """The client sees a generic message and the request id that finds the logged traceback."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=UNEXPECTED_ERROR_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": INTERNAL_SERVER_ERROR, "requestId": current_request_id()},
        )


class IntakeSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Runs before MaskUnexpectedErrors, so the log keeps the original exception. The caller's
        # own mistakes (syntax, validation, bad variables) are answered, not logged.
        for error in errors:
            if is_unexpected(error):
                request_id = current_request_id()
                logger.error(
                    "Unexpected error at %s (request %s)",
                    ".".join(str(key) for key in error.path or ()) or "-",
                    request_id,
                    exc_info=error.original_error,
                    extra={"request_id": request_id},
                )

    @staticmethod
    def remove_field_suggestion(error: GraphQLError) -> None:
        # Strawberry only strips "Cannot query field ... Did you mean"; suggestions also name
        # arguments, types, enum values and input fields, which would map a closed schema.
        error.message = without_suggestions(error.message)


def _validation_rules(limits: GraphQLLimits) -> list[type[ASTValidationRule]]:
    # Built once per schema: the validation cache is keyed by the rule classes, and the limiters
    # make a new class on every construction, so per-request limiters would never hit the cache.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        max_cost_rule(limits.max_cost, limits.max_page_size),
        OncePerDocument,
    ]
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def protection_extensions(limits: GraphQLLimits) -> Sequence[ExtensionFactory]:
    """Factories: each request gets its own extension instances."""
    rules = _validation_rules(limits)

    def add_rules() -> SchemaExtension:
        return AddValidationRules(rules)

    def max_tokens() -> SchemaExtension:
        return MaxTokensLimiter(max_token_count=limits.max_tokens)

    def parser_cache() -> SchemaExtension:
        return ParserCache(maxsize=_CACHE_SIZE)

    def validation_cache() -> SchemaExtension:
        return ValidationCache(maxsize=_CACHE_SIZE)

    return [MaskUnexpectedErrors, max_tokens, add_rules, parser_cache, validation_cache]
