"""Public figures per agency: received, resolved, on time, days to respond, satisfaction."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from service.proposals.models import ProposalStatus
from service.statistics import repository

_RESOLVED = frozenset({ProposalStatus.RESPONDED, ProposalStatus.CLOSED})


@dataclass(frozen=True, slots=True)
class Figures:
    received: int
    resolved: int
    responded_on_time: int
    merged: int
    median_days_to_respond: float | None
    satisfaction: float | None  # mean rating, 1 to 5
    ratings: int

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.responded_on_time / self.resolved if self.resolved else None


async def figures(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> Figures:
    """Counted over submissions received in [start, end), wherever they are now."""
    received = await repository.received(session, agency_id, start, end)
    ids = [p.id for p in received if p.id is not None]
    first_response: dict[int, datetime] = {}
    for event in await repository.first_responses(session, ids):
        first_response.setdefault(event.proposal_id, event.at)
    days, on_time = [], 0
    for proposal in received:
        answered = first_response.get(proposal.id or 0)
        if answered is None:
            continue
        days.append((answered - proposal.created_at).total_seconds() / 86400)
        if proposal.deadline is None or answered <= proposal.deadline:
            on_time += 1
    scores = [r.score for r in await repository.ratings(session, ids)]
    return Figures(
        received=len(received),
        resolved=sum(1 for p in received if p.status in _RESOLVED),
        responded_on_time=on_time,
        merged=sum(1 for p in received if p.status is ProposalStatus.MERGED),
        median_days_to_respond=round(statistics.median(days), 1) if days else None,
        satisfaction=round(statistics.mean(scores), 2) if scores else None,
        ratings=len(scores),
    )
