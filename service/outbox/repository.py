"""SQL for the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.outbox.models import OutboxMessage, OutboxState


def add(session: AsyncSession, message: OutboxMessage) -> None:
    session.add(message)


async def get(session: AsyncSession, message_id: str) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id, populate_existing=True)


async def due(
    session: AsyncSession, *, created_before: datetime, now: datetime, limit: int
) -> Sequence[OutboxMessage]:
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING)
        .where(col(OutboxMessage.available_at) <= now)
        .where(col(OutboxMessage.created_at) <= created_before)
        .order_by(col(OutboxMessage.available_at))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def count_pending(session: AsyncSession) -> int:
    statement = select(func.count()).where(OutboxMessage.state == OutboxState.PENDING)
    return (await session.exec(statement)).one()


async def oldest_pending_created_at(session: AsyncSession) -> datetime | None:
    statement = select(func.min(OutboxMessage.created_at)).where(
        OutboxMessage.state == OutboxState.PENDING
    )
    # min() keeps the column's type, so the value comes back as an aware UTC datetime.
    oldest: datetime | None = (await session.exec(statement)).one()
    return oldest
