"""proposal.route: send a new submission to the agency responsible."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from service.routing.service import route_proposal
from service.runtime import Runtime


async def route(session: AsyncSession, runtime: Runtime, payload: dict[str, Any]) -> None:
    await route_proposal(session, int(payload["proposal_id"]), runtime.settings, runtime.search)
