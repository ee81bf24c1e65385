"""What every resolver gets: the runtime, the caller, their language, and the loaders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from graphql import GraphQLError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from search.base import SearchScope
from service.accounts.actor import Actor, ActorKind
from service.api.auth import actor_for_authorization, resolve_actor
from service.api.loaders import Loaders, Reads
from service.audit import service as audit
from service.audit.models import AuditAction
from service.i18n import Language
from service.outbox.service import unit_of_work
from service.runtime import Runtime

CREDENTIAL_ENDED = "CREDENTIAL_ENDED"
CREDENTIAL_ENDED_MESSAGE = (
    "Your credential is no longer valid (the token was revoked, the session signed out, or the "
    "account deactivated): the subscription has ended. Connect again with a valid one."
)


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

    async def current_caller(self, reads: Reads | None = None) -> Actor:
        """Who the connection's credential names now: the token of a WebSocket's connection_init
        payload (browsers cannot set headers on a WebSocket), else the request's header or
        session cookie, read afresh (a token revoked or a session signed out since is anonymous).
        """
        params = self.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        if isinstance(authorization, str):
            by_token = await actor_for_authorization(authorization, self.runtime, reads)
            if by_token is not None:
                return by_token
        return await resolve_actor(self.request, self.runtime, reads)

    async def check_caller(self, reads: Reads | None = None) -> None:
        """For a long-lived operation (a subscription): the caller's rights as they are now.
        Raises a GraphQLError (code CREDENTIAL_ENDED) once the credential the connection began
        with no longer names anyone; the actor is then left as it was, so every later check
        on this connection fails too."""
        current = await self.current_caller(reads)
        if current.kind is ActorKind.ANONYMOUS and self.actor.kind is not ActorKind.ANONYMOUS:
            raise GraphQLError(CREDENTIAL_ENDED_MESSAGE, extensions={"code": CREDENTIAL_ENDED})
        self.actor = current  # a changed role or agency applies from now on

    @property
    def search_scope(self) -> SearchScope:
        if self.actor.scope.everything:
            return SearchScope.secretariat()
        if self.actor.agency_code:
            return SearchScope.agency(self.actor.agency_code)
        return SearchScope.public()


Info = StrawberryInfo[Context, None]
