"""search.index: bring a submission's search document up to date."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from search.documents import index_proposal
from service.runtime import Runtime


async def index(session: AsyncSession, runtime: Runtime, payload: dict[str, Any]) -> None:
    await index_proposal(session, runtime.search, int(payload["proposal_id"]))
