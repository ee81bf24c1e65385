"""proposal.event: tell live subscribers that a timeline event happened."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from service.proposals.events import CHANNEL
from service.runtime import Runtime


async def publish(session: AsyncSession, runtime: Runtime, payload: dict[str, Any]) -> None:
    # Only ids travel: each subscriber reads the event through its own permission scope.
    message = {"event_id": int(payload["event_id"]), "proposal_id": int(payload["proposal_id"])}
    await runtime.queue.publish(CHANNEL, json.dumps(message))
