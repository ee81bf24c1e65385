"""Migration 0016: an answer stored as published on a submission without its submitter's
consent, as answers were before that rule, is marked unpublished; the others keep their flag."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from service.db import Database
from service.migrate import downgrade, upgrade
from service.settings import Settings
from service.workflow import service as workflow
from tests.factories import agency_id, official, submitted_and_routed


async def _answered(db: Database, settings: Settings, *, consent: bool) -> int:
    proposal = await submitted_and_routed(
        db, settings, consent_to_publish=consent, title=f"Quỹ chuyển đổi số {consent}"
    )
    assert proposal.id is not None
    reviewer = official(await agency_id(db, "BKHCN"))
    async with db.transaction() as session:
        await workflow.respond(
            session, reviewer, proposal.id, "Trả lời.", publish=True, language="vi"
        )
    return proposal.id


async def _published(db: Database) -> dict[int, bool]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(sa.text("SELECT proposal_id, published FROM responses"))
        return {int(pid): bool(published) for pid, published in rows}


async def test_answers_published_without_consent_are_unpublished(
    settings: Settings,
) -> None:
    url = settings.resolved_database_url
    db = Database(url)
    with_consent = await _answered(db, settings, consent=True)
    without = await _answered(db, settings, consent=False)
    assert await _published(db) == {with_consent: True, without: False}
    await db.dispose()

    await asyncio.to_thread(downgrade, url, "0015")  # alembic runs its own event loop
    db = Database(url)
    async with db.engine.begin() as connection:  # as respond() stored it before the rule
        await connection.execute(sa.text("UPDATE responses SET published = TRUE"))
    assert await _published(db) == {with_consent: True, without: True}
    await db.dispose()

    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    assert await _published(db) == {with_consent: True, without: False}
    await db.dispose()
