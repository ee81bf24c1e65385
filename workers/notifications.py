"""notification.send: deliver one email."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from service.notifications.service import deliver
from service.runtime import Runtime


async def send(session: AsyncSession, runtime: Runtime, payload: dict[str, Any]) -> None:
    await deliver(
        session,
        int(payload["notification_id"]),
        mailer=runtime.mailer,
        settings=runtime.settings,
    )
