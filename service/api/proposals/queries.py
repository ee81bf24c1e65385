"""Following a submission by its tracking code."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.proposals.types import Proposal
from service.proposals import service
from service.proposals.errors import ProposalNotFound


@strawberry.type
class ProposalQuery:
    @strawberry.field(description="A submission's public view; null when no such code exists.")
    async def track_proposal(self, info: Info, tracking_code: str) -> Proposal | None:
        async with info.context.runtime.db.session() as session:
            try:
                tracked = await service.track(session, tracking_code)
            except ProposalNotFound:
                return None
        return Proposal.from_tracked(tracked)
