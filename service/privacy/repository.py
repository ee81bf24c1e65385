"""SQL for a submitter's personal data wherever it is kept: submissions, mail, evidence files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.attachments.models import Attachment
from service.notifications.models import Notification
from service.proposals.models import Proposal, ProposalEvent, ProposalStatus


async def get_for_update(session: AsyncSession, proposal_id: int) -> Proposal | None:
    statement = (
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).first()


async def mail_to(
    session: AsyncSession, proposal_id: int, recipient: str
) -> Sequence[Notification]:
    """Every message about the submission addressed to `recipient`, oldest first."""
    statement = (
        select(Notification)
        .where(Notification.proposal_id == proposal_id, Notification.recipient == recipient)
        .order_by(col(Notification.id))
        .with_for_update()
    )
    return (await session.exec(statement)).all()


async def submitter_notes(session: AsyncSession, proposal_id: int) -> Sequence[ProposalEvent]:
    """The submitter's own steps that carry text: answers to questions, a withdrawal's reason."""
    statement = (
        select(ProposalEvent)
        .where(
            ProposalEvent.proposal_id == proposal_id,
            ProposalEvent.actor == "submitter",
            ProposalEvent.note != "",
        )
        .order_by(col(ProposalEvent.id))
    )
    return (await session.exec(statement)).all()


async def mail_about(session: AsyncSession, proposal_id: int) -> Sequence[Notification]:
    """Every message about the submission, to anyone."""
    statement = (
        select(Notification)
        .where(Notification.proposal_id == proposal_id)
        .order_by(col(Notification.id))
        .with_for_update()
    )
    return (await session.exec(statement)).all()


async def submitter_files(session: AsyncSession, proposal_id: int) -> Sequence[Attachment]:
    statement = (
        select(Attachment)
        .where(Attachment.proposal_id == proposal_id, Attachment.uploaded_by == "submitter")
        .order_by(col(Attachment.id))
    )
    return (await session.exec(statement)).all()


async def delete(session: AsyncSession, row: Attachment) -> None:
    await session.delete(row)


async def expired(
    session: AsyncSession, statuses: frozenset[ProposalStatus], before: datetime, limit: int
) -> Sequence[int]:
    """Finished submissions untouched since `before` whose personal data is still kept."""
    statement = (
        select(Proposal.id)
        .where(
            col(Proposal.status).in_(statuses),
            col(Proposal.updated_at) < before,
            col(Proposal.personal_data_erased_at).is_(None),
        )
        .order_by(col(Proposal.id))
        .limit(limit)
    )
    return [i for i in (await session.exec(statement)).all() if i is not None]
