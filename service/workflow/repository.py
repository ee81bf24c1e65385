"""SQL for answers, ratings, notes and response templates."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.proposals.models import Proposal
from service.workflow.models import ProposalNote, Rating, Response, ResponseTemplate


def add(session: AsyncSession, row: Response | Rating | ProposalNote | ResponseTemplate) -> None:
    session.add(row)


async def lock_proposals(
    session: AsyncSession, proposal_ids: Collection[int]
) -> Sequence[Proposal]:
    """Lock these submissions' rows for the transaction, in id order.

    A step that changes several submissions locks them all with this, before it reads their
    states: two such steps on overlapping sets then wait for each other instead of acting on
    what the other is changing, and, taking the locks in one order, never deadlock. (PostgreSQL
    locks the rows as the sort hands them over; SQLite has one writer and ignores FOR UPDATE.)
    The rows come back as they are once locked.
    """
    if not proposal_ids:
        return []
    statement = (
        select(Proposal)
        .where(col(Proposal.id).in_(sorted(proposal_ids)))
        .order_by(col(Proposal.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).all()


async def recent_note(
    session: AsyncSession, proposal_id: int, author: str, text: str, since: datetime
) -> ProposalNote | None:
    """The author's latest note on the submission with exactly this text, written after `since`."""
    statement = (
        select(ProposalNote)
        .where(
            ProposalNote.proposal_id == proposal_id,
            ProposalNote.author == author,
            ProposalNote.text == text,
            col(ProposalNote.created_at) > since,
        )
        .order_by(col(ProposalNote.created_at).desc(), col(ProposalNote.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def template_named(
    session: AsyncSession, agency_id: int, name: str
) -> ResponseTemplate | None:
    statement = select(ResponseTemplate).where(
        ResponseTemplate.agency_id == agency_id, ResponseTemplate.name == name
    )
    return (await session.exec(statement)).first()


async def responses_for(session: AsyncSession, proposal_ids: Sequence[int]) -> Sequence[Response]:
    statement = (
        select(Response)
        .where(col(Response.proposal_id).in_(proposal_ids))
        .order_by(col(Response.created_at), col(Response.id))
    )
    return (await session.exec(statement)).all()


async def notes_for(session: AsyncSession, proposal_ids: Sequence[int]) -> Sequence[ProposalNote]:
    statement = (
        select(ProposalNote)
        .where(col(ProposalNote.proposal_id).in_(proposal_ids))
        .order_by(col(ProposalNote.created_at), col(ProposalNote.id))
    )
    return (await session.exec(statement)).all()


async def ratings_for(session: AsyncSession, proposal_ids: Sequence[int]) -> Sequence[Rating]:
    statement = select(Rating).where(col(Rating.proposal_id).in_(proposal_ids))
    return (await session.exec(statement)).all()


async def get_rating(session: AsyncSession, proposal_id: int) -> Rating | None:
    return await session.get(Rating, proposal_id)


async def templates(session: AsyncSession, agency_id: int) -> Sequence[ResponseTemplate]:
    statement = (
        select(ResponseTemplate)
        .where(ResponseTemplate.agency_id == agency_id)
        .order_by(col(ResponseTemplate.name))
    )
    return (await session.exec(statement)).all()


async def get_template(session: AsyncSession, template_id: int) -> ResponseTemplate | None:
    return await session.get(ResponseTemplate, template_id)


async def delete(session: AsyncSession, row: ResponseTemplate) -> None:
    await session.delete(row)


async def get_response(session: AsyncSession, response_id: int) -> Response | None:
    return await session.get(Response, response_id)
