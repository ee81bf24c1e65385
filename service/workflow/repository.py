"""SQL for answers, ratings, notes and response templates."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.workflow.models import ProposalNote, Rating, Response, ResponseTemplate


def add(session: AsyncSession, row: Response | Rating | ProposalNote | ResponseTemplate) -> None:
    session.add(row)


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
