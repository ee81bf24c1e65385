"""SQL for notifications."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.notifications.models import Notification


def add(session: AsyncSession, notification: Notification) -> None:
    session.add(notification)


async def get(session: AsyncSession, notification_id: int) -> Notification | None:
    return await session.get(Notification, notification_id, populate_existing=True)


async def get_once(session: AsyncSession, event_key: str, recipient: str) -> Notification | None:
    statement = select(Notification).where(
        Notification.event_key == event_key, Notification.recipient == recipient
    )
    return (await session.exec(statement)).first()
