"""Live timeline events of the submissions the caller may see (graphql-transport-ws)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator

import strawberry

from service.accounts.actor import ActorKind
from service.api.context import Info
from service.api.proposals.types import Proposal, ProposalEvent
from service.api.relay import from_global_id
from service.proposals import service
from service.proposals.events import CHANNEL
from service.proposals.models import ProposalStatus
from service.queue import redis_client, redis_url


@strawberry.input(description="Every given field narrows the stream.")
class ProposalEventFilterInput:
    proposal_ids: list[strawberry.ID] | None = None
    statuses: list[ProposalStatus] | None = None


@strawberry.type(description="A step just taken on a submission you may see.")
class ProposalEventNotice:
    proposal: Proposal
    event: ProposalEvent


async def _messages(url: str) -> AsyncGenerator[dict[str, int], None]:
    async with redis_client(url) as client:
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]


@strawberry.type
class ProposalSubscription:
    @strawberry.subscription(
        description="Timeline events as they happen, for submissions you may see."
    )
    async def proposal_events(
        self, info: Info, filter: ProposalEventFilterInput | None = None
    ) -> AsyncGenerator[ProposalEventNotice, None]:
        wanted_ids = {
            decoded[1]
            for decoded in map(from_global_id, (filter.proposal_ids if filter else None) or [])
            if decoded and decoded[0] == "Proposal"
        }
        wanted_statuses = set(filter.statuses or ()) if filter else set()
        try:
            async for notice in _notices(info, wanted_ids, wanted_statuses):
                yield notice
                # Resumed once the notice was resolved and sent: an official's read of the
                # submitter's contact in it is recorded, as for a query, and the next notice
                # reads afresh (a subscription's loaders would otherwise keep what the first
                # event found, such as a submission's assignments before it was routed).
                await info.context.record_contacts_viewed()
                await info.context.loaders.refresh()
        finally:
            await info.context.record_contacts_viewed()


async def _notices(
    info: Info, wanted_ids: set[int], wanted_statuses: set[ProposalStatus]
) -> AsyncGenerator[ProposalEventNotice, None]:
    runtime, actor = info.context.runtime, info.context.actor
    async for message in _messages(redis_url(runtime.settings)):
        if wanted_ids and message["proposal_id"] not in wanted_ids:
            continue
        async with runtime.db.session() as session:
            found = await service.visible_event(session, actor, message["event_id"])
            if found is None:
                continue
            proposal, event = found
            assert proposal.id is not None
            official = await service.handles_or_handled(session, actor, proposal.id)
        if wanted_statuses and event.status not in wanted_statuses:
            continue
        own = actor.kind is ActorKind.SUBMITTER and actor.proposal_id == proposal.id
        yield ProposalEventNotice(
            proposal=Proposal.of(proposal, actor),
            event=ProposalEvent.of(event, official=official, submitter=own),
        )
