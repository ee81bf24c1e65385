"""Recording access to submitters' personal data, in the caller's transaction, and reading it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.actor import Actor
from service.audit import repository
from service.audit.errors import AuditNotPermitted
from service.audit.models import AuditAction, AuditEntry, AuditFilter
from service.request_id import peek_request_id


def record(
    session: AsyncSession,
    actor: Actor,
    action: AuditAction,
    proposal_ids: Iterable[int],
    detail: str = "",
) -> AuditEntry:
    """Append one entry to the caller's transaction: it commits, or rolls back, with the work."""
    entry = AuditEntry(
        actor=actor.label,
        actor_email=actor.email,
        action=action.value,
        proposal_ids=sorted(set(proposal_ids)),
        detail=detail[:2000],
        request_id=peek_request_id() or "",
    )
    repository.add(session, entry)
    return entry


async def entries(
    session: AsyncSession, actor: Actor, where: AuditFilter, *, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """One page of the log, newest first, and the total; raises AuditNotPermitted."""
    if not actor.is_secretariat:
        raise AuditNotPermitted()
    rows = await repository.page(session, where, limit=limit, offset=offset)
    return list(rows), await repository.count(session, where)


async def purge(session: AsyncSession, now: datetime, days: int) -> int:
    """Delete entries older than `days`; 0 days keeps the log for ever."""
    if days <= 0:
        return 0
    return await repository.delete_before(session, now - timedelta(days=days))
