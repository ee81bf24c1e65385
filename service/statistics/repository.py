"""SQL for the public statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from service.proposals.models import Proposal, ProposalAgency, ProposalEvent
from service.workflow.models import Rating
from service.workflow.rules import Action


async def received(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> Sequence[Proposal]:
    """Submissions that reached the agency (or anyone, for None) within the period."""
    statement = select(Proposal).where(
        col(Proposal.created_at) >= start, col(Proposal.created_at) < end
    )
    if agency_id is not None:
        assigned = select(ProposalAgency.proposal_id).where(ProposalAgency.agency_id == agency_id)
        statement = statement.where(col(Proposal.id).in_(assigned))
    return (await session.exec(statement)).all()


async def first_responses(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> Sequence[ProposalEvent]:
    statement = (
        select(ProposalEvent)
        .where(col(ProposalEvent.proposal_id).in_(proposal_ids))
        .where(ProposalEvent.action == Action.RESPOND.value)
        .order_by(col(ProposalEvent.at))
    )
    return (await session.exec(statement)).all()


async def ratings(session: AsyncSession, proposal_ids: Sequence[int]) -> Sequence[Rating]:
    statement = select(Rating).where(col(Rating.proposal_id).in_(proposal_ids))
    return (await session.exec(statement)).all()


def _in_period(start: datetime, end: datetime) -> SelectOfScalar[int | None]:
    return select(col(Proposal.id)).where(
        col(Proposal.created_at) >= start, col(Proposal.created_at) < end
    )


async def assignments_in_period(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[tuple[int, int]]:
    """(proposal id, agency id) of every assignment of the submissions received in the period."""
    statement = select(ProposalAgency.proposal_id, ProposalAgency.agency_id).where(
        col(ProposalAgency.proposal_id).in_(_in_period(start, end))
    )
    return (await session.exec(statement)).all()


async def first_responses_in_period(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[ProposalEvent]:
    statement = (
        select(ProposalEvent)
        .where(col(ProposalEvent.proposal_id).in_(_in_period(start, end)))
        .where(ProposalEvent.action == Action.RESPOND.value)
        .order_by(col(ProposalEvent.at))
    )
    return (await session.exec(statement)).all()


async def ratings_in_period(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[Rating]:
    statement = select(Rating).where(col(Rating.proposal_id).in_(_in_period(start, end)))
    return (await session.exec(statement)).all()
