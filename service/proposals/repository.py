"""SQL for submissions and their timeline."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.proposals.models import Proposal, ProposalAgency, ProposalEvent


def add(session: AsyncSession, row: Proposal | ProposalEvent | ProposalAgency) -> None:
    session.add(row)


async def get(session: AsyncSession, proposal_id: int) -> Proposal | None:
    return await session.get(Proposal, proposal_id, populate_existing=True)


async def get_by_tracking_code(session: AsyncSession, code: str) -> Proposal | None:
    return (await session.exec(select(Proposal).where(Proposal.tracking_code == code))).first()


async def tracking_code_taken(session: AsyncSession, code: str) -> bool:
    statement = select(Proposal.id).where(Proposal.tracking_code == code)
    return (await session.exec(statement)).first() is not None


async def find_resubmission(
    session: AsyncSession, content_hash: str, email: str, phone: str
) -> Proposal | None:
    """An earlier submission of the same content from the same email or phone."""
    contacts = []
    if email:
        contacts.append(Proposal.submitter_email == email)
    if phone:
        contacts.append(Proposal.submitter_phone == phone)
    if not contacts:
        return None
    statement = (
        select(Proposal)
        .where(Proposal.content_hash == content_hash)
        .where(or_(*contacts))
        .order_by(col(Proposal.id))
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def events(session: AsyncSession, proposal_id: int) -> Sequence[ProposalEvent]:
    statement = (
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal_id)
        .order_by(col(ProposalEvent.at), col(ProposalEvent.id))
    )
    return (await session.exec(statement)).all()


async def assigned_agency_ids(session: AsyncSession, proposal_id: int) -> list[int]:
    statement = (
        select(ProposalAgency.agency_id)
        .where(ProposalAgency.proposal_id == proposal_id)
        .order_by(col(ProposalAgency.assigned_at))
    )
    return list((await session.exec(statement)).all())


async def get_assignment(
    session: AsyncSession, proposal_id: int, agency_id: int
) -> ProposalAgency | None:
    return await session.get(ProposalAgency, (proposal_id, agency_id))


async def page_after(session: AsyncSession, after_id: int, limit: int) -> Sequence[Proposal]:
    """Proposals with an id above `after_id`, in id order: keyset pages for streaming all."""
    statement = (
        select(Proposal).where(col(Proposal.id) > after_id).order_by(col(Proposal.id)).limit(limit)
    )
    return (await session.exec(statement)).all()


async def assigned_agency_ids_of(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Every agency each proposal was assigned to, in assignment order."""
    statement = (
        select(ProposalAgency.proposal_id, ProposalAgency.agency_id)
        .where(col(ProposalAgency.proposal_id).in_(proposal_ids))
        .order_by(col(ProposalAgency.assigned_at))
    )
    assigned: dict[int, list[int]] = {proposal_id: [] for proposal_id in proposal_ids}
    for proposal_id, agency_id in (await session.exec(statement)).all():
        assigned[proposal_id].append(agency_id)
    return assigned
