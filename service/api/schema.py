"""The GraphQL schema, assembled from each domain's queries and mutations."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from strawberry.schema.config import StrawberryConfig

from service.api.accounts.queries import AccountQuery
from service.api.directory.mutations import DirectoryMutation
from service.api.directory.queries import DirectoryQuery
from service.api.enums import look_up_enum_output
from service.api.execution import call_resolvers_directly, read_plain_leaves_directly
from service.api.holidays.mutations import HolidayMutation
from service.api.holidays.queries import HolidayQuery
from service.api.notifications.schema import NotificationMutation, NotificationQuery
from service.api.privacy.schema import PrivacyMutation, PrivacyQuery
from service.api.proposals.mutations import ProposalMutation
from service.api.proposals.queries import ProposalQuery
from service.api.proposals.subscriptions import ProposalSubscription
from service.api.protection import GraphQLLimits, IntakeSchema, protection_extensions
from service.api.routing.mutations import RoutingMutation
from service.api.routing.queries import RoutingQuery
from service.api.scalars import SCALARS
from service.api.search.queries import SearchQuery
from service.api.statistics.queries import StatisticsQuery
from service.api.workflow.mutations import WorkflowMutation
from service.api.workflow.templates import TemplateMutation, TemplateQuery
from service.metrics import GraphQLMetrics
from service.settings import Settings


@strawberry.type
class Query(
    ProposalQuery,
    SearchQuery,
    DirectoryQuery,
    AccountQuery,
    StatisticsQuery,
    TemplateQuery,
    NotificationQuery,
    RoutingQuery,
    HolidayQuery,
    PrivacyQuery,
):
    pass


@strawberry.type
class Mutation(
    ProposalMutation,
    WorkflowMutation,
    TemplateMutation,
    NotificationMutation,
    RoutingMutation,
    DirectoryMutation,
    HolidayMutation,
    PrivacyMutation,
):
    pass


@strawberry.type
class Subscription(ProposalSubscription):
    pass


def build_schema(settings: Settings) -> IntakeSchema:
    """The schema with the settings' limits; one per distinct set of limits."""
    return _build_schema(GraphQLLimits.from_settings(settings))


@lru_cache(maxsize=8)
def _build_schema(limits: GraphQLLimits) -> IntakeSchema:
    schema = IntakeSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(
            auto_camel_case=True,
            relay_max_results=limits.max_page_size,
            disable_field_suggestions=not limits.introspection,
            scalar_map=SCALARS,
        ),
        extensions=[GraphQLMetrics, *protection_extensions(limits)],
    )
    look_up_enum_output(schema)
    read_plain_leaves_directly(schema)
    call_resolvers_directly(schema)
    return schema


# The default settings' schema: `intake export-schema` and the contract tests use it.
schema = build_schema(Settings())
