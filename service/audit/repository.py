"""SQL for the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from service.audit.models import AuditEntry, AuditFilter


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


def _filtered(
    statement: SelectOfScalar[AuditEntry], where: AuditFilter
) -> SelectOfScalar[AuditEntry]:
    if where.action is not None:
        statement = statement.where(AuditEntry.action == where.action.value)
    if where.actor:
        statement = statement.where(AuditEntry.actor == where.actor)
    if where.since is not None:
        statement = statement.where(col(AuditEntry.at) >= where.since)
    if where.until is not None:
        statement = statement.where(col(AuditEntry.at) < where.until)
    if where.proposal_id is not None:
        # JSON lists are matched as text: "[3]", "[3, 5]", "[1, 3]" all name 3; the brackets and
        # separators keep 3 from matching 13 or 31.
        text = sa.cast(col(AuditEntry.proposal_ids), sa.Text)
        needle = str(where.proposal_id)
        statement = statement.where(
            sa.or_(
                text.like(f"[{needle}]"),
                text.like(f"[{needle},%"),
                text.like(f"%, {needle},%"),
                text.like(f"%,{needle},%"),
                text.like(f"%, {needle}]"),
                text.like(f"%,{needle}]"),
            )
        )
    return statement


async def page(
    session: AsyncSession, where: AuditFilter, *, limit: int, offset: int
) -> Sequence[AuditEntry]:
    statement = _filtered(select(AuditEntry), where)
    statement = statement.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    return (await session.exec(statement.limit(limit).offset(offset))).all()


async def count(session: AsyncSession, where: AuditFilter) -> int:
    inner = _filtered(select(AuditEntry), where).subquery()
    return (await session.exec(select(func.count()).select_from(inner))).one()


async def delete_before(session: AsyncSession, cutoff: datetime) -> int:
    statement = sa.delete(AuditEntry).where(col(AuditEntry.at) < cutoff)
    result = await session.exec(statement)
    return int(result.rowcount or 0)
