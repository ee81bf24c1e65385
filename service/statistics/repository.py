"""SQL for the public statistics.

A year of a country's submissions is counted on every view of the landing page: the counts are
the database's, and only answers (a row per submission and agency that answered it) and ratings
come back as rows."""

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


class Answer(NamedTuple):
    """An agency's answers to a submission of the period: its first and its last. The RESPOND
    step records the agency that led the submission, the only one that may answer it, then."""

    proposal_id: int
    agency_id: int | None  # the agency that answered
    lead_id: int | None  # the agency leading the submission now
    status: ProposalStatus
    deadline: datetime | None
    created_at: datetime
    first_at: datetime
    last_at: datetime


def _received_in(agency_id: int | None, start: datetime, end: datetime) -> list[Any]:
    """Submissions received within the period: all of them (None), or those the agency leads
    now, which it answers for."""
    conditions: list[Any] = [col(Proposal.created_at) >= start, col(Proposal.created_at) < end]
    if agency_id is not None:
        conditions.append(Proposal.agency_id == agency_id)
    return conditions


async def received_by_status(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> list[tuple[int | None, bool, ProposalStatus, int]]:
    """(leading agency, whether the secretariat holds it, status, how many) of the submissions
    received. The secretariat holds those it leads (its triage) and those not yet routed."""
    statement: Any = (
        sa.select(col(Proposal.agency_id), col(Agency.kind), col(Proposal.status), func.count())
        .select_from(Proposal)
        .outerjoin(Agency, col(Agency.id) == col(Proposal.agency_id))
        .where(*_received_in(agency_id, start, end))
        .group_by(col(Proposal.agency_id), col(Agency.kind), col(Proposal.status))
    )
    return [
        (agency, kind is None or kind == AgencyKind.SECRETARIAT, status, int(n))
        for agency, kind, status, n in (await session.exec(statement))
    ]


async def answers(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> list[Answer]:
    """Who answered the submissions received, when first and when last: every agency's, or
    the answers the agency gave, whoever leads the submission now."""
    answered_by = col(ProposalEvent.agency_id)
    statement: Any = (
        sa.select(
            col(Proposal.id),
            answered_by,
            col(Proposal.agency_id),
            col(Proposal.status),
            col(Proposal.deadline),
            col(Proposal.created_at),
            func.min(ProposalEvent.at),
            func.max(ProposalEvent.at),
        )
        .join(ProposalEvent, col(ProposalEvent.proposal_id) == col(Proposal.id))
        .where(*_received_in(None, start, end))
        .where(col(ProposalEvent.action) == Action.RESPOND.value)
        .group_by(col(Proposal.id), answered_by)
    )
    if agency_id is not None:
        statement = statement.where(answered_by == agency_id)
    return [Answer(*row) for row in (await session.exec(statement)).all()]


async def ratings(
    session: AsyncSession, agency_id: int | None, start: datetime, end: datetime
) -> list[tuple[int | None, int]]:
    """(agency whose answer was rated, score) of every rating of the submissions received.

    The RATE step records the agency leading the submission then, which gave the answer rated
    (a submission is rated once answered, and rating it again replaces the score with that of
    the newer answer): a reopen or a transfer since leaves the rating with it."""
    rated: Any = (
        sa.select(col(ProposalEvent.agency_id))
        .where(col(ProposalEvent.proposal_id) == col(Rating.proposal_id))
        .where(col(ProposalEvent.action) == Action.RATE.value)
        .order_by(col(ProposalEvent.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    agency = func.coalesce(rated, col(Proposal.agency_id))
    statement: Any = (
        sa.select(agency, col(Rating.score))
        .select_from(Rating)
        .join(Proposal, col(Proposal.id) == col(Rating.proposal_id))
        .where(*_received_in(None, start, end))
    )
    if agency_id is not None:
        statement = statement.where(agency == agency_id)
    return [(by, score) for by, score in (await session.exec(statement)).all()]


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
