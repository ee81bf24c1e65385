"""proposal.route: send a new submission to the agency responsible."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from service.routing.errors import RoutingOutdated
from service.routing.service import RoutingPlan, decide_routing, record_routing
from service.runtime import Runtime


async def decide_route(
    session: AsyncSession, runtime: Runtime, payload: dict[str, Any]
) -> RoutingPlan | None:
    proposal_id = int(payload["proposal_id"])
    return await decide_routing(session, proposal_id, runtime.settings, runtime.search)


async def write_route(session: AsyncSession, runtime: Runtime, plan: RoutingPlan | None) -> bool:
    """False when the proposal changed after the decision (decide again); None needs nothing."""
    if plan is None:
        return True  # gone, or routed already
    try:
        await record_routing(session, plan, runtime.settings)
    except RoutingOutdated:
        return False
    return True
