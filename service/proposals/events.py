"""Announcing timeline events to live subscribers, through the outbox and Redis."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from service.outbox import service as outbox
from service.proposals.models import ProposalEvent

EVENT_JOB = "proposal.event"
CHANNEL = "intake:proposal-events"


def announce(session: AsyncSession, event: ProposalEvent) -> None:
    """Write the job that publishes this event once the transaction commits; needs event.id."""
    assert event.id is not None
    outbox.add_job(session, EVENT_JOB, {"event_id": event.id, "proposal_id": event.proposal_id})
