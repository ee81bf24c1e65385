"""SQL for notifications: the rows themselves, opt-outs, and what reminders and digests read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from service.accounts.models import NotificationMode, Role, User
from service.notifications.models import (
    DeadlineNotice,
    DeadlineStep,
    MailOptOut,
    Notification,
    NotificationState,
)
from service.proposals.models import (
    AWAITING_AGENCY,
    CLOCK_RUNNING,
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalStatus,
)


def add(session: AsyncSession, row: Notification | MailOptOut) -> None:
    session.add(row)


async def get(
    session: AsyncSession, notification_id: int, *, for_update: bool = False
) -> Notification | None:
    return await session.get(
        Notification, notification_id, populate_existing=True, with_for_update=for_update
    )


async def get_once(session: AsyncSession, event_key: str, recipient: str) -> Notification | None:
    statement = select(Notification).where(
        Notification.event_key == event_key, Notification.recipient == recipient
    )
    return (await session.exec(statement)).first()


async def failed(session: AsyncSession, limit: int) -> Sequence[Notification]:
    statement = (
        select(Notification)
        .where(Notification.state == NotificationState.FAILED)
        .order_by(col(Notification.failed_at).desc(), col(Notification.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def get_opt_out(session: AsyncSession, email: str) -> MailOptOut | None:
    return await session.get(MailOptOut, email)


async def digest_readers(session: AsyncSession, *, after: int, limit: int) -> Sequence[User]:
    """Active officials who chose the daily digest, by id from `after`."""
    statement = (
        select(User)
        .where(User.notification_mode == NotificationMode.DIGEST, col(User.is_active))
        .where(col(User.role).in_([Role.REVIEWER, Role.AGENCY_ADMIN, Role.SECRETARIAT]))
        .where(col(User.id) > after)
        .order_by(col(User.id))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def queued_event_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Those of `keys` that some notification already carries."""
    if not keys:
        return set()
    statement = select(Notification.event_key).where(col(Notification.event_key).in_(keys))
    return set((await session.exec(statement)).all())


async def deadline_mail_due(
    session: AsyncSession,
    now: datetime,
    horizon: datetime,
    *,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Sequence[Proposal]:
    """Open submissions whose deadline still has mail to send, in deadline order from `after`.

    That is: due by `horizon` and not yet reminded, or overdue and not yet escalated to the
    secretariat (the last step). Whether a step is due yet is the caller's to decide.
    """

    def taken(step: DeadlineStep) -> sa.Exists:
        return sa.exists().where(
            col(DeadlineNotice.proposal_id) == col(Proposal.id),
            col(DeadlineNotice.deadline) == col(Proposal.deadline),
            col(DeadlineNotice.step) == step,
        )

    deadline = col(Proposal.deadline)
    statement = (
        select(Proposal)
        .where(col(Proposal.status).in_(CLOCK_RUNNING), deadline.is_not(None), deadline <= horizon)
        .where(
            sa.or_(
                sa.and_(deadline > now, ~taken(DeadlineStep.REMINDER)),
                sa.and_(deadline <= now, ~taken(DeadlineStep.SECRETARIAT)),
            )
        )
    )
    if after is not None:
        last_deadline, last_id = after
        statement = statement.where(
            sa.or_(
                deadline > last_deadline,
                sa.and_(deadline == last_deadline, col(Proposal.id) > last_id),
            )
        )
    statement = statement.order_by(deadline, col(Proposal.id)).limit(limit)
    return (await session.exec(statement)).all()


async def deadline_steps_taken(
    session: AsyncSession, proposals: Sequence[Proposal]
) -> set[tuple[int, datetime, DeadlineStep]]:
    ids = [p.id for p in proposals if p.id is not None]
    if not ids:
        return set()
    statement = select(
        DeadlineNotice.proposal_id, DeadlineNotice.deadline, DeadlineNotice.step
    ).where(col(DeadlineNotice.proposal_id).in_(ids))
    rows = (await session.exec(statement)).all()
    return {(pid, at, DeadlineStep(step)) for pid, at, step in rows}


def take_deadline_step(
    session: AsyncSession, proposal_id: int, deadline: datetime, step: DeadlineStep
) -> None:
    session.add(DeadlineNotice(proposal_id=proposal_id, deadline=deadline, step=step))


async def forget_deadline_steps(session: AsyncSession, proposal_id: int) -> None:
    """The submission passed to another agency: its deadline is that agency's to be reminded
    of and escalated, even on the same day as the one before."""
    await session.exec(
        sa.delete(DeadlineNotice).where(col(DeadlineNotice.proposal_id) == proposal_id)
    )


class Listed(NamedTuple):
    """The first ids of a list, in its order, and how many the whole list holds."""

    ids: list[int]
    total: int


async def _listed(
    session: AsyncSession, statement: SelectOfScalar[int] | SelectOfScalar[None], limit: int
) -> Listed:
    ids = [pid for pid in (await session.exec(statement.limit(limit))).all() if pid is not None]
    if len(ids) < limit:
        return Listed(ids, len(ids))
    every = statement.order_by(None).subquery()
    total = (await session.exec(select(func.count()).select_from(every))).one()
    return Listed(ids, total)


async def assigned_between(
    session: AsyncSession, agency_id: int, start: datetime, end: datetime, *, limit: int
) -> Listed:
    """Still awaiting the agency and assigned to it in [start, end), the earliest first."""
    statement = (
        select(Proposal.id)
        .join(ProposalAgency, col(ProposalAgency.proposal_id) == col(Proposal.id))
        .where(ProposalAgency.agency_id == agency_id, col(ProposalAgency.active))
        .where(col(ProposalAgency.assigned_at) >= start, col(ProposalAgency.assigned_at) < end)
        .where(col(Proposal.status).in_(AWAITING_AGENCY))
        .order_by(col(ProposalAgency.assigned_at), col(Proposal.id))
    )
    return await _listed(session, statement, limit)


async def lead_deadlines_between(
    session: AsyncSession, agency_id: int, after: datetime, until: datetime, *, limit: int
) -> Listed:
    """The agency's open submissions whose deadline falls in (after, until], the soonest first."""
    statement = (
        select(Proposal.id)
        .where(Proposal.agency_id == agency_id, col(Proposal.status).in_(CLOCK_RUNNING))
        .where(col(Proposal.deadline) > after, col(Proposal.deadline) <= until)
        .order_by(col(Proposal.deadline), col(Proposal.id))
    )
    return await _listed(session, statement, limit)


async def lead_overdue(
    session: AsyncSession, agency_id: int, now: datetime, *, limit: int
) -> Listed:
    """The agency's open submissions past their deadline, the longest overdue first."""
    statement = (
        select(Proposal.id)
        .where(Proposal.agency_id == agency_id, col(Proposal.status).in_(CLOCK_RUNNING))
        .where(col(Proposal.deadline) <= now)
        .order_by(col(Proposal.deadline), col(Proposal.id))
    )
    return await _listed(session, statement, limit)


async def entered_triage_between(
    session: AsyncSession, start: datetime, end: datetime, *, limit: int
) -> Listed:
    """Submissions still in triage that entered it in [start, end), the earliest first."""
    statement = (
        select(Proposal.id)
        .join(ProposalEvent, col(ProposalEvent.proposal_id) == col(Proposal.id))
        .where(Proposal.status == ProposalStatus.TRIAGE)
        .where(ProposalEvent.status == ProposalStatus.TRIAGE)
        .where(col(ProposalEvent.at) >= start, col(ProposalEvent.at) < end)
        .group_by(col(Proposal.id))
        .order_by(col(Proposal.id))
    )
    return await _listed(session, statement, limit)


async def proposals_by_ids(session: AsyncSession, ids: Sequence[int]) -> Sequence[Proposal]:
    if not ids:
        return []
    statement = select(Proposal).where(col(Proposal.id).in_(list(ids)))
    found = {p.id: p for p in (await session.exec(statement)).all()}
    return [found[i] for i in ids if i in found]


async def count_by_state(session: AsyncSession) -> dict[str, int]:
    """How many notifications are in each state; every state is listed, 0 included."""
    statement = select(Notification.state, func.count()).group_by(Notification.state)
    counts = {state.value: 0 for state in NotificationState}
    for state, count in (await session.exec(statement)).all():
        counts[NotificationState(state).value] = int(count)
    return counts
