"""The same submission sent twice at the same instant is stored once: the duplicate check and
the insert are one step (an advisory lock on PostgreSQL, the single writer on SQLite)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.db import Database
from service.errors import ValidationFailed
from service.proposals import service
from service.proposals.models import Proposal
from service.settings import Settings
from tests.factories import submission
from tests.fixtures.races import while_one_is_held


async def test_the_same_submission_sent_twice_at_once_is_stored_once(settings: Settings) -> None:
    url = settings.resolved_database_url

    async def send(session: AsyncSession) -> Proposal:
        return await service.submit_proposal(session, submission(), settings, "en")

    first, second = await while_one_is_held(url, send, send)

    with pytest.raises(ValidationFailed) as refused:
        second.result()
    db = Database(url)
    async with db.session() as session:
        stored = (await session.exec(select(Proposal.tracking_code))).all()
        count = (await session.exec(select(func.count()).select_from(Proposal))).one()
    await db.dispose()
    assert (stored, count) == ([first.tracking_code], 1)
    assert [(e.field, e.code, e.message) for e in refused.value.errors] == [
        (
            "description",
            "duplicate",
            f"You have already sent this content; its tracking code is {first.tracking_code}.",
        )
    ]


async def test_the_same_content_from_two_people_at_once_is_stored_twice(
    settings: Settings,
) -> None:
    url = settings.resolved_database_url

    def send_as(email: str) -> Callable[[AsyncSession], Awaitable[Proposal]]:
        async def send(session: AsyncSession) -> Proposal:
            return await service.submit_proposal(session, submission(email=email), settings, "vi")

        return send

    first, second = await while_one_is_held(
        url, send_as("minh@example.com"), send_as("lan@example.com")
    )

    db = Database(url)
    async with db.session() as session:
        statement = select(Proposal.submitter_email).order_by(col(Proposal.id))
        emails = (await session.exec(statement)).all()
    await db.dispose()
    assert emails == ["minh@example.com", "lan@example.com"]
    assert second.result().tracking_code != first.tracking_code
