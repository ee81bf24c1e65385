"""SQL for submissions and their timeline; every read for a caller carries the caller's scope."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from service.accounts.actor import Scope
from service.proposals.models import (
    CLOCK_RUNNING,
    AssignmentRole,
    Proposal,
    ProposalAgency,
    ProposalEvent,
    ProposalFilter,
    ProposalOrder,
    ProposalStatus,
)
from service.proposals.validation import canonical_phone


def add(session: AsyncSession, row: Proposal | ProposalEvent | ProposalAgency) -> None:
    session.add(row)


async def get(
    session: AsyncSession, proposal_id: int, *, for_update: bool = False
) -> Proposal | None:
    return await session.get(
        Proposal, proposal_id, populate_existing=True, with_for_update=for_update
    )


async def merged_into(session: AsyncSession, proposal_id: int) -> Sequence[Proposal]:
    """The submissions merged into this one, which follow it."""
    statement = select(Proposal).where(Proposal.merged_into_id == proposal_id)
    return (await session.exec(statement)).all()


def visible_to(scope: Scope) -> ColumnElement[bool]:
    """The condition that limits submissions to what a scope may read."""
    return or_(*_visible_parts(scope))


async def get_visible(
    session: AsyncSession, scope: Scope, proposal_id: int, *, for_update: bool = False
) -> Proposal | None:
    statement = select(Proposal).where(Proposal.id == proposal_id, visible_to(scope))
    if for_update:
        statement = statement.with_for_update()
    statement = statement.execution_options(populate_existing=True)
    return (await session.exec(statement)).first()


async def get_many_visible(
    session: AsyncSession, scope: Scope, proposal_ids: Sequence[int]
) -> Sequence[Proposal]:
    """The submissions among `proposal_ids` the scope may read, in no particular order."""
    statement = select(Proposal).where(col(Proposal.id).in_(proposal_ids), visible_to(scope))
    return (await session.exec(statement)).all()


async def get_by_tracking_code(session: AsyncSession, code: str) -> Proposal | None:
    return (await session.exec(select(Proposal).where(Proposal.tracking_code == code))).first()


async def tracking_code_taken(session: AsyncSession, code: str) -> bool:
    statement = select(Proposal.id).where(Proposal.tracking_code == code)
    return (await session.exec(statement)).first() is not None


async def lock_content(session: AsyncSession, content_hash: str) -> None:
    """Make submissions of this content take turns until the transaction ends.

    Without it two identical submissions at the same instant on PostgreSQL both find no earlier
    one (find_resubmission) and both are stored. Keyed on the content alone: the same text from
    two people waits a moment, no more. SQLite has one writer at a time already (service/db.py).
    """
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    key = int.from_bytes(bytes.fromhex(content_hash[:16]), "big", signed=True)
    await connection.execute(sa.select(func.pg_advisory_xact_lock(key)))


async def find_resubmission(
    session: AsyncSession, content_hash: str, email: str, phone: str
) -> Proposal | None:
    """An earlier submission of the same content from the same email or phone, not withdrawn.

    Emails compare without case. Phones compare in their canonical form, which the column does
    not hold (it keeps the digits as typed, +84 or 0): SQL narrows the rows to the same last
    digits, and Python decides among the few left.
    """
    contacts = []
    if email:
        contacts.append(func.lower(col(Proposal.submitter_email)) == email.lower())
    phone = canonical_phone(phone) if phone else ""
    if phone:
        contacts.append(col(Proposal.submitter_phone).endswith(phone[-_PHONE_TAIL:]))
    if not contacts:
        return None
    statement = (
        select(Proposal)
        .where(Proposal.content_hash == content_hash)
        .where(Proposal.status != ProposalStatus.WITHDRAWN)
        .where(or_(*contacts))
        .order_by(col(Proposal.id))
    )
    for earlier in (await session.exec(statement)).all():
        if (email and earlier.submitter_email.lower() == email.lower()) or (
            phone and canonical_phone(earlier.submitter_phone) == phone
        ):
            return earlier
    return None


# Digits every spelling of a number ends with: numbers have 9 digits at least, 0 or +84 aside.
_PHONE_TAIL = 8


def _visible_parts(scope: Scope) -> list[ColumnElement[bool]]:
    """`visible_to` as disjoint conditions, published or not, whose union it is.

    A page reads each part in index order (published, created_at, id) and merges them: one
    condition of the two joined by OR would make the database gather and sort every visible
    submission for each page.
    """
    if scope.everything:
        return [sa.true()]
    published = col(Proposal.published)
    parts: list[ColumnElement[bool]] = [published == sa.true()]
    own: list[ColumnElement[bool]] = []
    if scope.agency_id is not None:
        assigned = select(ProposalAgency.proposal_id).where(
            ProposalAgency.agency_id == scope.agency_id
        )
        own.append(col(Proposal.id).in_(assigned))
    if scope.proposal_id is not None:
        own.append(col(Proposal.id) == scope.proposal_id)
    if own:
        parts.append(sa.and_(published == sa.false(), or_(*own)))
    return parts


def _filtered(
    statement: SelectOfScalar[Proposal],
    visible: ColumnElement[bool],
    where: ProposalFilter,
    now: datetime,
) -> SelectOfScalar[Proposal]:
    statement = statement.where(visible)
    if where.statuses:
        statement = statement.where(col(Proposal.status).in_(where.statuses))
    if where.kinds:
        statement = statement.where(col(Proposal.kind).in_(where.kinds))
    if where.categories:
        statement = statement.where(col(Proposal.category_code).in_(where.categories))
    if where.provinces:
        statement = statement.where(col(Proposal.province_code).in_(where.provinces))
    if where.agency_ids:
        statement = statement.where(col(Proposal.agency_id).in_(where.agency_ids))
    if where.handled_by:
        cooperating = select(ProposalAgency.proposal_id).where(
            col(ProposalAgency.agency_id).in_(where.handled_by),
            col(ProposalAgency.active),
            ProposalAgency.role == AssignmentRole.COOPERATING,
        )
        statement = statement.where(
            or_(col(Proposal.agency_id).in_(where.handled_by), col(Proposal.id).in_(cooperating))
        )
    if where.submitter_types:
        statement = statement.where(col(Proposal.submitter_type).in_(where.submitter_types))
    if where.created_from is not None:
        statement = statement.where(col(Proposal.created_at) >= where.created_from)
    if where.created_to is not None:
        statement = statement.where(col(Proposal.created_at) < where.created_to)
    if where.overdue is not None:
        overdue = sa.and_(col(Proposal.status).in_(CLOCK_RUNNING), col(Proposal.deadline) < now)
        statement = statement.where(overdue if where.overdue else sa.not_(overdue))
    return statement


def _reads(scope: Scope, where: ProposalFilter) -> list[ColumnElement[bool]]:
    """The conditions a list reads apart: `_visible_parts`, unless the filter names the leading
    (or handling) agencies. Their index is then the better way in (an agency's inbox), and a
    published part on its own would be read through the published index, every published
    submission of the country for each page."""
    if where.agency_ids or where.handled_by:
        return [visible_to(scope)]
    return _visible_parts(scope)


def _ordering(columns: sa.ColumnCollection[str, Any], order: ProposalOrder) -> list[Any]:
    match order:
        case ProposalOrder.NEWEST:
            return [columns.created_at.desc(), columns.id.desc()]
        case ProposalOrder.OLDEST:
            return [columns.created_at, columns.id]
        case ProposalOrder.DEADLINE:
            return [columns.deadline.is_(None), columns.deadline, columns.id]


async def list_visible(
    session: AsyncSession,
    scope: Scope,
    where: ProposalFilter,
    *,
    order: ProposalOrder,
    limit: int,
    offset: int,
    now: datetime,
) -> Sequence[Proposal]:
    table = sa.inspect(Proposal).columns
    parts = _reads(scope, where)
    if len(parts) == 1:
        statement = _filtered(select(Proposal), parts[0], where, now)
        statement = statement.order_by(*_ordering(table, order))
        return (await session.exec(statement.limit(limit).offset(offset))).all()
    # The page is among the first offset + limit of each part: read those, then merge.
    tops = [
        _filtered(select(Proposal), part, where, now)
        .order_by(*_ordering(table, order))
        .limit(offset + limit)
        .subquery()
        for part in parts
    ]
    merged = sa.union_all(*(sa.select(top) for top in tops)).subquery()
    row = aliased(Proposal, merged)
    paged = select(row).order_by(*_ordering(merged.c, order)).limit(limit).offset(offset)
    return (await session.exec(paged)).all()


async def count_visible(
    session: AsyncSession, scope: Scope, where: ProposalFilter, now: datetime
) -> int:
    counts = [
        select(func.count())
        .select_from(_filtered(select(Proposal), part, where, now).subquery())
        .scalar_subquery()
        for part in _reads(scope, where)
    ]
    total: ColumnElement[int] = functools.reduce(operator.add, counts)
    return (await session.exec(select(total))).one()


async def events(session: AsyncSession, proposal_id: int) -> Sequence[ProposalEvent]:
    statement = (
        select(ProposalEvent)
        .where(ProposalEvent.proposal_id == proposal_id)
        .order_by(col(ProposalEvent.at), col(ProposalEvent.id))
    )
    return (await session.exec(statement)).all()


_Statement = TypeVar("_Statement", bound=sa.Select[Any])


def _timelines_of(statement: _Statement, proposal_ids: Sequence[int]) -> _Statement:
    """The statement limited to these submissions' events, in timeline order (time, then id)."""
    return statement.where(col(ProposalEvent.proposal_id).in_(proposal_ids)).order_by(
        col(ProposalEvent.at), col(ProposalEvent.id)
    )


async def events_for(session: AsyncSession, proposal_ids: Sequence[int]) -> Sequence[ProposalEvent]:
    return (await session.exec(_timelines_of(select(ProposalEvent), proposal_ids))).all()


class TimelineEvent(NamedTuple):
    """One event of a submission's timeline as the API shows it: every column but `reasons`."""

    id: int
    proposal_id: int
    from_status: ProposalStatus | None
    status: ProposalStatus
    agency_id: int | None
    actor: str
    action: str
    note: str
    deadline: datetime | None
    at: datetime


_Row = TypeVar("_Row", bound=tuple[Any, ...])


def _columns(model: type[Any], names: Sequence[str]) -> list[Any]:
    """The model's columns of these names (a NamedTuple's fields), in that order."""
    return [getattr(model, name) for name in names]


async def _rows(session: AsyncSession, row: type[_Row], statement: Any) -> list[_Row]:
    """The statement's rows as that NamedTuple: for reads that build no model objects."""
    return [row(*values) for values in (await session.exec(statement)).all()]


_TIMELINE_COLUMNS = _columns(ProposalEvent, TimelineEvent._fields)


async def timeline_for(session: AsyncSession, proposal_ids: Sequence[int]) -> list[TimelineEvent]:
    """As events_for, in the same order, as tuples rather than model objects: the API's timeline.

    On an inbox page of 100 (some 440 events) a model object per event was about a tenth of the
    page's CPU, and the routing reasons, JSON that no API field shows, a fifth of this query's."""
    return await _rows(
        session, TimelineEvent, _timelines_of(select(*_TIMELINE_COLUMNS), proposal_ids)
    )


async def assigned_agency_ids(session: AsyncSession, proposal_id: int) -> list[int]:
    statement = (
        select(ProposalAgency.agency_id)
        .where(ProposalAgency.proposal_id == proposal_id)
        .order_by(col(ProposalAgency.assigned_at))
    )
    return list((await session.exec(statement)).all())


class Assignment(NamedTuple):
    """An agency's assignment to a submission as the API reads it: every column, as a tuple."""

    proposal_id: int
    agency_id: int
    role: AssignmentRole
    active: bool
    assigned_at: datetime


_ASSIGNMENT_COLUMNS = _columns(ProposalAgency, Assignment._fields)


async def assignments_for(session: AsyncSession, proposal_ids: Sequence[int]) -> list[Assignment]:
    """The submissions' assignments, oldest first, as tuples rather than model objects: the API
    reads them for every submission on a page (who handles it), and changes them elsewhere."""
    statement = (
        select(*_ASSIGNMENT_COLUMNS)
        .where(col(ProposalAgency.proposal_id).in_(proposal_ids))
        .order_by(col(ProposalAgency.assigned_at))
    )
    return await _rows(session, Assignment, statement)


async def get_assignment(
    session: AsyncSession, proposal_id: int, agency_id: int
) -> ProposalAgency | None:
    return await session.get(ProposalAgency, (proposal_id, agency_id))


async def active_assignments(session: AsyncSession, proposal_id: int) -> Sequence[ProposalAgency]:
    statement = select(ProposalAgency).where(
        ProposalAgency.proposal_id == proposal_id, col(ProposalAgency.active)
    )
    return (await session.exec(statement)).all()


async def page_after(session: AsyncSession, after_id: int, limit: int) -> Sequence[Proposal]:
    """Proposals with an id above `after_id`, in id order: keyset pages for streaming all."""
    statement = (
        select(Proposal).where(col(Proposal.id) > after_id).order_by(col(Proposal.id)).limit(limit)
    )
    return (await session.exec(statement)).all()


async def get_event(session: AsyncSession, event_id: int) -> ProposalEvent | None:
    return await session.get(ProposalEvent, event_id)


async def assigned_agency_ids_of(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> dict[int, list[int]]:
    """Every agency each proposal was assigned to, in assignment order."""
    statement = (
        select(ProposalAgency.proposal_id, ProposalAgency.agency_id)
        .where(col(ProposalAgency.proposal_id).in_(proposal_ids))
        .order_by(col(ProposalAgency.assigned_at))
    )
    assigned: dict[int, list[int]] = {proposal_id: [] for proposal_id in proposal_ids}
    for proposal_id, agency_id in (await session.exec(statement)).all():
        assigned[proposal_id].append(agency_id)
    return assigned
