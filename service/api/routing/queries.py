"""Reading the rule table and its history: the secretariat's; everyone else sees nothing."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.routing.types import RoutingRule, RoutingRuleChange
from service.routing import repository
from service.text import whole_number


@strawberry.type
class RoutingQuery:
    @strawberry.field(description="Secretariat: the routing rules in order; empty for others.")
    async def routing_rules(self, info: Info) -> list[RoutingRule]:
        if not info.context.actor.is_secretariat:
            return []
        async with info.context.runtime.db.session() as session:
            return [RoutingRule(row=r) for r in await repository.list_rules(session)]

    @strawberry.field(description="Secretariat: every edit of the rule table; empty for others.")
    async def routing_rule_changes(
        self, info: Info, rule_id: strawberry.ID | None = None
    ) -> list[RoutingRuleChange]:
        if not info.context.actor.is_secretariat:
            return []
        key = whole_number(str(rule_id)) if rule_id is not None else None
        if rule_id is not None and key is None:
            return []
        async with info.context.runtime.db.session() as session:
            return [RoutingRuleChange(row=c) for c in await repository.rule_changes(session, key)]
