"""DataLoaders, created per request: each batches one kind of read into one query."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Container, Hashable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from service.accounts.actor import Scope
from service.attachments import repository as attachments
from service.attachments.models import Attachment
from service.db import Database
from service.directory import repository as directory
from service.directory.models import Agency, Category, Province
from service.proposals import repository as proposals
from service.proposals.models import Proposal
from service.proposals.repository import Assignment, TimelineEvent
from service.routing import repository as routing
from service.routing import service as routing_service
from service.routing.models import RoutingDecision
from service.workflow import repository as workflow
from service.workflow.models import ProposalNote, Rating, Response

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")
Fetch = Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[V]]]
Reads = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class SharedReads:
    """One read session for every batch of a request's loaders, opened at the first batch and
    closed with `close()` when the operation ends.

    A read session per batch costs a connection checkout, a BEGIN and two rollbacks; an inbox
    page of 100 runs seven batches. Batches run as concurrent tasks, so they take turns."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self._stack: AsyncExitStack | None = None
        self._session: AsyncSession | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            if self._session is None:
                self._stack = AsyncExitStack()
                self._session = await self._stack.enter_async_context(self._db.session())
            try:
                yield self._session
            except BaseException:
                await self._close()  # the next batch starts from a clean session
                raise

    async def close(self) -> None:
        async with self._lock:
            await self._close()

    async def _close(self) -> None:
        stack, self._stack, self._session = self._stack, None, None
        if stack is not None:
            await stack.aclose()


def _one_each(
    reads: Reads, fetch: Fetch[K, V], key: Callable[[V], K]
) -> Callable[[list[K]], Awaitable[list[V | None]]]:
    async def load(keys: list[K]) -> list[V | None]:
        async with reads() as session:
            rows = {key(row): row for row in await fetch(session, keys)}
        return [rows.get(k) for k in keys]

    return load


def _many_each(
    reads: Reads, fetch: Fetch[K, V], key: Callable[[V], K]
) -> Callable[[list[K]], Awaitable[list[list[V]]]]:
    async def load(keys: list[K]) -> list[list[V]]:
        grouped: dict[K, list[V]] = defaultdict(list)
        async with reads() as session:
            for row in await fetch(session, keys):
                grouped[key(row)].append(row)
        return [grouped.get(k, []) for k in keys]

    return load


def _visible_each(
    reads: Reads,
) -> Callable[[list[tuple[Scope, int]]], Awaitable[list[Proposal | None]]]:
    """Submissions by (scope, id): the scope is part of the key, so that a loader shared by a
    request can never hand one caller's row to another, and a hidden id loads as None."""

    async def load(keys: list[tuple[Scope, int]]) -> list[Proposal | None]:
        by_scope: dict[Scope, list[int]] = defaultdict(list)
        for scope, proposal_id in keys:
            by_scope[scope].append(proposal_id)
        found: dict[tuple[Scope, int], Proposal] = {}
        async with reads() as session:
            for scope, ids in by_scope.items():
                for row in await proposals.get_many_visible(session, scope, ids):
                    assert row.id is not None
                    found[(scope, row.id)] = row
        return [found.get(key) for key in keys]

    return load


def _by_scope(keys: Sequence[tuple[Scope, K]]) -> dict[Scope, list[K]]:
    grouped: dict[Scope, list[K]] = defaultdict(list)
    for scope, key in keys:
        grouped[scope].append(key)
    return grouped


def _routing_notes_each(
    reads: Reads,
) -> Callable[[list[tuple[Scope, int]]], Awaitable[list[dict[int, str]]]]:
    """The routing job's notes of each submission's timeline as the scope may read them, by
    event id, where they differ from the notes stored (routing_service.routing_notes)."""

    async def load(keys: list[tuple[Scope, int]]) -> list[dict[int, str]]:
        found: dict[tuple[Scope, int], dict[int, str]] = {}
        async with reads() as session:
            for scope, ids in _by_scope(keys).items():
                notes = await routing_service.routing_notes(session, scope, ids)
                found |= {(scope, proposal_id): cut for proposal_id, cut in notes.items()}
        return [found.get(key, {}) for key in keys]

    return load


def _readable_each(reads: Reads) -> Callable[[list[tuple[Scope, str]]], Awaitable[list[bool]]]:
    """Whether the scope may read the submission of each tracking code that a routing reason
    cites: the scope is part of the key, as for proposal_by_id."""

    async def load(keys: list[tuple[Scope, str]]) -> list[bool]:
        readable: dict[Scope, Container[str] | None] = {}
        async with reads() as session:
            for scope, codes in _by_scope(keys).items():
                readable[scope] = await routing_service.readable_codes(session, scope, codes)
        return [(shown := readable[scope]) is None or code in shown for scope, code in keys]

    return load


@dataclass(slots=True)
class Loaders:
    agency_by_id: DataLoader[int, Agency | None]
    category_by_code: DataLoader[str, Category | None]
    province_by_code: DataLoader[str, Province | None]
    events_by_proposal_id: DataLoader[int, list[TimelineEvent]]
    assignments_by_proposal_id: DataLoader[int, list[Assignment]]
    responses_by_proposal_id: DataLoader[int, list[Response]]
    notes_by_proposal_id: DataLoader[int, list[ProposalNote]]
    rating_by_proposal_id: DataLoader[int, Rating | None]
    attachments_by_proposal_id: DataLoader[int, list[Attachment]]
    routing_decision_by_proposal_id: DataLoader[int, RoutingDecision | None]
    proposal_by_id: DataLoader[tuple[Scope, int], Proposal | None]
    routing_notes_by_proposal_id: DataLoader[tuple[Scope, int], dict[int, str]]
    readable_by_tracking_code: DataLoader[tuple[Scope, str], bool]
    # A read session as the batches get one: the request's shared session where there is one,
    # so that a page's own query (the inbox's list) needs no BEGIN and rollback of its own.
    session: Reads
    shared: SharedReads | None = None

    async def close(self) -> None:
        if self.shared is not None:
            await self.shared.close()

    async def refresh(self) -> None:
        """Forget what was read: after a write commits, the next batch reads the new state in a
        new session, not the snapshot of a session opened before it (the caller's token is
        read through the shared session, before any mutation runs)."""
        await self.close()
        for each in dataclasses.fields(self):
            loader = getattr(self, each.name)
            if isinstance(loader, DataLoader):
                loader.clear_all()


def create_loaders(db: Database, *, shared: bool = False) -> Loaders:
    """Shared: all batches read through one session until `close()` (an HTTP operation);
    otherwise each batch opens its own (a subscription lives too long to hold one)."""
    reads = SharedReads(db) if shared else None
    return _loaders(reads.session if reads else db.session, reads)


def _loaders(db: Reads, shared: SharedReads | None) -> Loaders:
    return Loaders(
        agency_by_id=DataLoader(_one_each(db, directory.get_agencies, lambda a: a.id)),
        category_by_code=DataLoader(_one_each(db, directory.get_categories, lambda c: c.code)),
        province_by_code=DataLoader(_one_each(db, directory.get_provinces, lambda p: p.code)),
        events_by_proposal_id=DataLoader(
            _many_each(db, proposals.timeline_for, lambda e: e.proposal_id)
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
        routing_notes_by_proposal_id=DataLoader(_routing_notes_each(db)),
        readable_by_tracking_code=DataLoader(_readable_each(db)),
        session=db,
        shared=shared,
    )


async def prime(loader: DataLoader[K, V], keys: Sequence[K]) -> None:
    """The loader's batch for the keys it holds nothing for, put in its cache as done futures.

    What load_many would do, without a future per key that the batch completes, a callback on
    each for gather and another for the loader: on a page of 100, about 800 callbacks the event
    loop schedules one by one, for values that are all there after the one query."""
    missing = list(dict.fromkeys(key for key in keys if loader.cache_map.get(key) is None))
    if not missing:
        return
    found = zip(missing, await loader.load_fn(missing), strict=True)
    # A key answered with an exception stays unprimed: its resolver's load raises it.
    loader.prime_many({key: value for key, value in found if not isinstance(value, BaseException)})


def loaded(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """The values the loader holds already for these keys (primed), leaving out the others."""
    pending = (loader.cache_map.get(key) for key in keys)
    return [future.result() for future in pending if future is not None and _done(future)]


def when_loaded(make: Callable[..., T], *loading: Awaitable[Any]) -> T:
    """`make(*values)` of the loads, at once when every one is already loaded, else an
    awaitable that graphql-core awaits like an async resolver's result.

    A resolver that returns at once costs graphql-core far less than an async one: no
    coroutine, no task per list item. Pages warm their loaders first (`warm_proposals`), so
    on an inbox page of 100 its resolvers all return at once; elsewhere they batch as before.
    """
    if all(_done(pending) for pending in loading):
        return make(*(cast("asyncio.Future[Any]", pending).result() for pending in loading))

    async def later() -> T:
        made = make(*[await pending for pending in loading])
        # `make` may answer with when_loaded itself, for what these loads lead it to load.
        return cast("T", await made) if inspect.isawaitable(made) else made

    # Typed as the value: graphql-core awaits whatever awaitable a resolver returns.
    return cast("T", later())


def _done(pending: Awaitable[Any]) -> bool:
    return (
        isinstance(pending, asyncio.Future)
        and pending.done()
        and not pending.cancelled()
        and pending.exception() is None
    )
