"""SQL for attachments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.attachments.models import Attachment


def add(session: AsyncSession, attachment: Attachment) -> None:
    session.add(attachment)


async def get(session: AsyncSession, attachment_id: int) -> Attachment | None:
    return await session.get(Attachment, attachment_id)


async def for_proposals(session: AsyncSession, proposal_ids: Sequence[int]) -> Sequence[Attachment]:
    statement = (
        select(Attachment)
        .where(col(Attachment.proposal_id).in_(proposal_ids))
        .order_by(col(Attachment.id))
    )
    return (await session.exec(statement)).all()
