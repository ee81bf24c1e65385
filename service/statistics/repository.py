"""SQL for the public statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from service.proposals.models import AssignmentRole, Proposal, ProposalAgency, ProposalEvent
from service.workflow.models import Rating
from service.workflow.rules import Action


async def received(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> Sequence[Proposal]:
    """Submissions received within the period: all of them (None), or those the agency leads
    now, which it answers for."""
    statement = select(Proposal).where(
        col(Proposal.created_at) >= start, col(Proposal.created_at) < end
    )
    if agency_id is not None:
        statement = statement.where(Proposal.agency_id == agency_id)
    return (await session.exec(statement)).all()


async def passed_on(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> int:
    """Submissions of the period that the agency (anyone, for None) led and no longer leads:
    transferred to another agency or declined back to the secretariat."""
    statement = (
        select(func.count(func.distinct(ProposalAgency.proposal_id)))
        .join(Proposal, col(Proposal.id) == col(ProposalAgency.proposal_id))
        .where(col(Proposal.created_at) >= start, col(Proposal.created_at) < end)
        .where(ProposalAgency.role == AssignmentRole.LEAD, col(ProposalAgency.active).is_(False))
        .where(
            or_(col(Proposal.agency_id).is_(None), Proposal.agency_id != ProposalAgency.agency_id)
        )
    )
    if agency_id is not None:
        statement = statement.where(ProposalAgency.agency_id == agency_id)
    return int((await session.exec(statement)).one())


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


async def leads_passed_on_in_period(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[tuple[int, int]]:
    """(proposal id, agency id) of every lead assignment that ended, for the submissions
    received in the period (the current lead is filtered out by the caller)."""
    statement = select(ProposalAgency.proposal_id, ProposalAgency.agency_id).where(
        col(ProposalAgency.proposal_id).in_(_in_period(start, end)),
        ProposalAgency.role == AssignmentRole.LEAD,
        col(ProposalAgency.active).is_(False),
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
