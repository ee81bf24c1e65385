"""SQL for the public statistics.

A year of a country's submissions is counted on every view of the landing page: the counts are
the database's, and only answered submissions and ratings come back as rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.directory.models import Agency, AgencyKind
from service.proposals.models import (
    AssignmentRole,
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalStatus,
)
from service.workflow.models import Rating
from service.workflow.rules import Action


class Answered(NamedTuple):
    """A submission of the period that has been answered, with when it first was."""

    agency_id: int | None
    status: ProposalStatus
    deadline: datetime | None
    created_at: datetime
    answered_at: datetime


def _received_in(agency_id: int | None, start: datetime, end: datetime) -> list[Any]:
    """Submissions received within the period: all of them (None), or those the agency leads
    now, which it answers for."""
    conditions: list[Any] = [col(Proposal.created_at) >= start, col(Proposal.created_at) < end]
    if agency_id is not None:
        conditions.append(Proposal.agency_id == agency_id)
    return conditions


async def received_by_status(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> list[tuple[int | None, ProposalStatus, int]]:
    """(leading agency, status, how many) of the submissions received."""
    statement: Any = (
        sa.select(col(Proposal.agency_id), col(Proposal.status), func.count())
        .where(*_received_in(agency_id, start, end))
        .group_by(col(Proposal.agency_id), col(Proposal.status))
    )
    return [(agency, status, int(n)) for agency, status, n in (await session.exec(statement))]


async def answered(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> list[Answered]:
    """The submissions received that have been answered, with their first answer's time."""
    statement: Any = (
        sa.select(
            col(Proposal.agency_id),
            col(Proposal.status),
            col(Proposal.deadline),
            col(Proposal.created_at),
            func.min(ProposalEvent.at),
        )
        .join(ProposalEvent, col(ProposalEvent.proposal_id) == col(Proposal.id))
        .where(*_received_in(agency_id, start, end))
        .where(col(ProposalEvent.action) == Action.RESPOND.value)
        .group_by(col(Proposal.id))
    )
    return [Answered(*row) for row in (await session.exec(statement)).all()]


async def ratings(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> list[tuple[int | None, int]]:
    """(leading agency, score) of every rating of the submissions received."""
    statement: Any = (
        sa.select(col(Proposal.agency_id), col(Rating.score))
        .join(Proposal, col(Proposal.id) == col(Rating.proposal_id))
        .where(*_received_in(agency_id, start, end))
    )
    return [(agency, score) for agency, score in (await session.exec(statement)).all()]


def _passed_on(agency_id: int | None, start: datetime, end: datetime) -> Any:
    """Lead assignments of the period's submissions that ended with another agency (or none)
    leading now: transferred away or declined back to the secretariat. The secretariat's own
    triage is not passing on: assigning out of its queue is its work."""
    statement = (
        select(col(ProposalAgency.proposal_id), col(ProposalAgency.agency_id))
        .join(Proposal, col(Proposal.id) == col(ProposalAgency.proposal_id))
        .join(Agency, col(Agency.id) == col(ProposalAgency.agency_id))
        .where(*_received_in(None, start, end))
        .where(ProposalAgency.role == AssignmentRole.LEAD, col(ProposalAgency.active).is_(False))
        .where(Agency.kind != AgencyKind.SECRETARIAT)
        .where(
            or_(col(Proposal.agency_id).is_(None), Proposal.agency_id != ProposalAgency.agency_id)
        )
    )
    if agency_id is not None:
        statement = statement.where(ProposalAgency.agency_id == agency_id)
    return statement


async def passed_on(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> int:
    """How many submissions of the period the agency (anyone, for None) led and no longer leads."""
    inner = _passed_on(agency_id, start, end).subquery()
    statement = select(func.count(func.distinct(inner.c.proposal_id)))
    return int((await session.exec(statement)).one())


async def passed_on_by_agency(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[tuple[int, int]]:
    """(submission, agency) of every lead assignment `passed_on` counts, for every agency."""
    return (await session.exec(_passed_on(None, start, end))).all()  # type: ignore[no-any-return]
