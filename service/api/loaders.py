"""DataLoaders, created per request: each batches one kind of read into one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from service.accounts.actor import Scope
from service.attachments import repository as attachments
from service.attachments.models import Attachment
from service.db import Database
from service.directory import repository as directory
from service.directory.models import Agency, Category, Province
from service.proposals import repository as proposals
from service.proposals.models import Proposal, ProposalAgency, ProposalEvent
from service.routing import repository as routing
from service.routing.models import RoutingDecision
from service.workflow import repository as workflow
from service.workflow.models import ProposalNote, Rating, Response

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Fetch = Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[V]]]


def _one_each(
    db: Database, fetch: Fetch[K, V], key: Callable[[V], K]
) -> Callable[[list[K]], Awaitable[list[V | None]]]:
    async def load(keys: list[K]) -> list[V | None]:
        async with db.session() as session:
            rows = {key(row): row for row in await fetch(session, keys)}
        return [rows.get(k) for k in keys]

    return load


def _many_each(
    db: Database, fetch: Fetch[K, V], key: Callable[[V], K]
) -> Callable[[list[K]], Awaitable[list[list[V]]]]:
    async def load(keys: list[K]) -> list[list[V]]:
        grouped: dict[K, list[V]] = defaultdict(list)
        async with db.session() as session:
            for row in await fetch(session, keys):
                grouped[key(row)].append(row)
        return [grouped.get(k, []) for k in keys]

    return load


def _visible_each(
    db: Database,
) -> Callable[[list[tuple[Scope, int]]], Awaitable[list[Proposal | None]]]:
    """Submissions by (scope, id): the scope is part of the key, so that a loader shared by a
    request can never hand one caller's row to another, and a hidden id loads as None."""

    async def load(keys: list[tuple[Scope, int]]) -> list[Proposal | None]:
        by_scope: dict[Scope, list[int]] = defaultdict(list)
        for scope, proposal_id in keys:
            by_scope[scope].append(proposal_id)
        found: dict[tuple[Scope, int], Proposal] = {}
        async with db.session() as session:
            for scope, ids in by_scope.items():
                for row in await proposals.get_many_visible(session, scope, ids):
                    assert row.id is not None
                    found[(scope, row.id)] = row
        return [found.get(key) for key in keys]

    return load


@dataclass(slots=True)
class Loaders:
    agency_by_id: DataLoader[int, Agency | None]
    category_by_code: DataLoader[str, Category | None]
    province_by_code: DataLoader[str, Province | None]
    events_by_proposal_id: DataLoader[int, list[ProposalEvent]]
    assignments_by_proposal_id: DataLoader[int, list[ProposalAgency]]
    responses_by_proposal_id: DataLoader[int, list[Response]]
    notes_by_proposal_id: DataLoader[int, list[ProposalNote]]
    rating_by_proposal_id: DataLoader[int, Rating | None]
    attachments_by_proposal_id: DataLoader[int, list[Attachment]]
    routing_decision_by_proposal_id: DataLoader[int, RoutingDecision | None]
    proposal_by_id: DataLoader[tuple[Scope, int], Proposal | None]


def create_loaders(db: Database) -> Loaders:
    return Loaders(
        agency_by_id=DataLoader(_one_each(db, directory.get_agencies, lambda a: a.id)),
        category_by_code=DataLoader(_one_each(db, directory.get_categories, lambda c: c.code)),
        province_by_code=DataLoader(_one_each(db, directory.get_provinces, lambda p: p.code)),
        events_by_proposal_id=DataLoader(
            _many_each(db, proposals.events_for, lambda e: e.proposal_id)
        ),
        assignments_by_proposal_id=DataLoader(
            _many_each(db, proposals.assignments_for, lambda a: a.proposal_id)
        ),
        responses_by_proposal_id=DataLoader(
            _many_each(db, workflow.responses_for, lambda r: r.proposal_id)
        ),
        notes_by_proposal_id=DataLoader(
            _many_each(db, workflow.notes_for, lambda n: n.proposal_id)
        ),
        rating_by_proposal_id=DataLoader(
            _one_each(db, workflow.ratings_for, lambda r: r.proposal_id)
        ),
        attachments_by_proposal_id=DataLoader(
            _many_each(db, attachments.for_proposals, lambda a: a.proposal_id)
        ),
        routing_decision_by_proposal_id=DataLoader(
            _one_each(db, routing.latest_decisions_for, lambda d: d.proposal_id)
        ),
        proposal_by_id=DataLoader(_visible_each(db)),
    )
