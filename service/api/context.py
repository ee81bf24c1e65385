"""What every resolver gets: the runtime, the caller, their language, and the loaders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from search.base import SearchScope
from service.accounts.actor import Actor
from service.api.loaders import Loaders
from service.audit import service as audit
from service.audit.models import AuditAction
from service.i18n import Language
from service.outbox.service import unit_of_work
from service.runtime import Runtime


@dataclass(slots=True)
class Context:
    request: HTTPConnection
    runtime: Runtime
    language: Language
    actor: Actor
    loaders: Loaders
    # Set by graphql-transport-ws from the connection_init payload.
    connection_params: dict[str, object] | None = None
    # Submissions whose submitter contact an official read in this operation: one audit entry
    # for all of them is written when the operation ends (service/api/view.py), or for a
    # subscription once each event has been sent.
    contacts_viewed: set[int] = field(default_factory=set)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A mutation's transaction (its outbox jobs enqueued once it commits), after which the
        operation's loaders read afresh: the result shows the state the write left."""
        async with unit_of_work(self.runtime.db, self.runtime.queue) as session:
            yield session
        await self.loaders.refresh()

    async def record_contacts_viewed(self) -> None:
        """Write the audit entry for the contacts read since the last one, as the caller."""
        if not self.contacts_viewed:
            return
        async with self.runtime.db.transaction() as session:
            audit.record(session, self.actor, AuditAction.API_VIEW_CONTACT, self.contacts_viewed)
        self.contacts_viewed.clear()

    @property
    def search_scope(self) -> SearchScope:
        if self.actor.scope.everything:
            return SearchScope.secretariat()
        if self.actor.agency_code:
            return SearchScope.agency(self.actor.agency_code)
        return SearchScope.public()


Info = StrawberryInfo[Context, None]
