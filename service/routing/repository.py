"""SQL for routing: rules, their history, decisions, deadline rules, precedent lookups."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.actor import Scope
from service.proposals.models import Proposal, ProposalEvent
from service.proposals.repository import visible_to
from service.routing.models import (
    DeadlineRule,
    RoutingDecision,
    RoutingMethod,
    RoutingRule,
    RuleChange,
    TermCount,
)

ALL_DOCUMENTS = ""  # the TermCount row that counts the submissions

RoutingRow = RoutingRule | RuleChange | RoutingDecision | DeadlineRule


def add(session: AsyncSession, row: RoutingRow) -> None:
    session.add(row)


async def remove(session: AsyncSession, row: RoutingRule) -> None:
    await session.delete(row)


async def list_rules(session: AsyncSession, *, active_only: bool = False) -> Sequence[RoutingRule]:
    statement = select(RoutingRule).order_by(col(RoutingRule.position), col(RoutingRule.id))
    if active_only:
        statement = statement.where(col(RoutingRule.active))
    return (await session.exec(statement)).all()


async def get_rule(session: AsyncSession, rule_id: int) -> RoutingRule | None:
    return await session.get(RoutingRule, rule_id)


async def rule_changes(session: AsyncSession, rule_id: int | None = None) -> Sequence[RuleChange]:
    statement = select(RuleChange).order_by(col(RuleChange.id))
    if rule_id is not None:
        statement = statement.where(RuleChange.rule_id == rule_id)
    return (await session.exec(statement)).all()


async def decisions(session: AsyncSession, proposal_id: int) -> Sequence[RoutingDecision]:
    statement = (
        select(RoutingDecision)
        .where(RoutingDecision.proposal_id == proposal_id)
        .order_by(col(RoutingDecision.id))
    )
    return (await session.exec(statement)).all()


async def latest_decisions(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> dict[int, RoutingDecision]:
    """The newest decision of each proposal that has one."""
    if not proposal_ids:
        return {}
    statement = (
        select(RoutingDecision)
        .where(col(RoutingDecision.proposal_id).in_(proposal_ids))
        .order_by(col(RoutingDecision.id))
    )
    latest: dict[int, RoutingDecision] = {}
    for decision in (await session.exec(statement)).all():
        latest[decision.proposal_id] = decision
    return latest


async def latest_decisions_for(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> list[RoutingDecision]:
    return list((await latest_decisions(session, proposal_ids)).values())


async def standing_routes(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> dict[int, RoutingDecision]:
    """For each proposal, its newest decision if that one sent it to an agency and stood."""
    latest = await latest_decisions(session, proposal_ids)
    return {
        proposal_id: decision
        for proposal_id, decision in latest.items()
        if decision.stood
        and decision.agency_id is not None
        and decision.method is not RoutingMethod.TRIAGE
    }


async def get_proposals(session: AsyncSession, ids: Sequence[int]) -> Sequence[Proposal]:
    if not ids:
        return []
    return (await session.exec(select(Proposal).where(col(Proposal.id).in_(ids)))).all()


async def readable_codes(session: AsyncSession, scope: Scope, codes: Collection[str]) -> list[str]:
    """Those of these tracking codes whose submissions the scope may read."""
    if not codes:
        return []
    statement = select(Proposal.tracking_code).where(
        col(Proposal.tracking_code).in_(sorted(codes)), visible_to(scope)
    )
    return list((await session.exec(statement)).all())


# The English words the routing job's notes cite submissions with (service.routing.reasons):
# only the events whose note holds one are read with their reasons.
_CITING_NOTES = ("precedent: ", "near-duplicate of ")


async def citing_events(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> list[tuple[int, int, str, list[Any]]]:
    """(event id, proposal id, note, reasons) of the routing job's timeline events of these
    submissions that cite other submissions."""
    if not proposal_ids:
        return []
    columns = (col(ProposalEvent.id), ProposalEvent.proposal_id, ProposalEvent.note)
    statement = select(*columns, ProposalEvent.reasons).where(
        col(ProposalEvent.proposal_id).in_(proposal_ids),
        ProposalEvent.actor == "system",
        or_(*(col(ProposalEvent.note).contains(words) for words in _CITING_NOTES)),
    )
    rows = (await session.exec(statement)).all()
    return [(int(i or 0), p, note, list(r or [])) for i, p, note, r in rows]


async def same_content(session: AsyncSession, content_hash: str, before_id: int) -> Proposal | None:
    """The first earlier submission with exactly the same text, whoever sent it."""
    statement = (
        select(Proposal)
        .where(Proposal.content_hash == content_hash, col(Proposal.id) < before_id)
        .order_by(col(Proposal.id))
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def duplicates_of(session: AsyncSession, proposal_id: int) -> Sequence[Proposal]:
    statement = (
        select(Proposal).where(Proposal.duplicate_of_id == proposal_id).order_by(col(Proposal.id))
    )
    return (await session.exec(statement)).all()


async def deadline_rules(session: AsyncSession) -> Sequence[DeadlineRule]:
    return (await session.exec(select(DeadlineRule).order_by(col(DeadlineRule.id)))).all()


async def term_counts(session: AsyncSession, terms: Collection[str]) -> tuple[int, dict[str, int]]:
    """How many submissions were counted, and in how many of them each of `terms` occurs."""
    wanted = [ALL_DOCUMENTS, *terms]
    # Columns, not rows as objects: a routing asks for hundreds of terms.
    statement = select(TermCount.term, TermCount.documents).where(col(TermCount.term).in_(wanted))
    counts = dict((await session.exec(statement)).all())
    return counts.pop(ALL_DOCUMENTS, 0), counts


async def count_terms(session: AsyncSession, terms: Collection[str]) -> None:
    """One more submission, holding each of `terms` once."""
    # In one order, so that two routings at once on PostgreSQL lock the rows alike (no deadlock).
    rows = [{"term": term, "documents": 1} for term in sorted({ALL_DOCUMENTS, *terms})]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TermCount).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[col(TermCount.term)],
        set_={"documents": col(TermCount.documents) + 1},
    )
    await session.exec(statement)
