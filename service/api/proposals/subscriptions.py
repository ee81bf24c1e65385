"""Live timeline events of the submissions the caller may see (graphql-transport-ws)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator
from contextlib import nullcontext

import strawberry
from graphql import GraphQLError
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.actor import ActorKind
from service.api.context import Info
from service.api.loaders import Reads
from service.api.proposals.types import Proposal, ProposalEvent
from service.api.relay import from_global_id
from service.proposals import service
from service.proposals.events import CHANNEL
from service.proposals.models import ProposalStatus, named_leads
from service.queue import redis_client, redis_url
from service.routing import service as routing


@strawberry.input(description="Every given field narrows the stream.")
class ProposalEventFilterInput:
    proposal_ids: list[strawberry.ID] | None = None
    statuses: list[ProposalStatus] | None = None


@strawberry.type(description="A step just taken on a submission you may see.")
class ProposalEventNotice:
    proposal: Proposal
    event: ProposalEvent


async def _messages(url: str, idle: float) -> AsyncGenerator[dict[str, int] | None, None]:
    """The published events, and None whenever `idle` seconds pass without one."""
    async with redis_client(url) as client:
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(CHANNEL)
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=idle)
                if message is None:
                    yield None
                elif message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def _wanted_ids(given: list[strawberry.ID] | None) -> frozenset[int] | None:
    """The submissions' primary keys; None when not given. Refuses what is not a submission id,
    as a query refuses a cursor it did not give out, rather than widen the stream."""
    if given is None:
        return None
    wanted = set()
    for position, global_id in enumerate(given):
        decoded = from_global_id(global_id)
        if decoded is None or decoded[0] != "Proposal":
            raise GraphQLError(
                f"filter.proposalIds[{position}] is not a submission id this API gave out"
            )
        wanted.add(decoded[1])
    return frozenset(wanted)


def _reads(session: AsyncSession) -> Reads:
    return lambda: nullcontext(session)


@strawberry.type
class ProposalSubscription:
    @strawberry.subscription(
        description="Timeline events as they happen, for submissions you may see."
    )
    async def proposal_events(
        self, info: Info, filter: ProposalEventFilterInput | None = None
    ) -> AsyncGenerator[ProposalEventNotice, None]:
        # Not a generator itself: what it refuses here answers the subscribe message with an
        # `error` message, before the subscription begins.
        wanted_ids = _wanted_ids(filter.proposal_ids if filter else None)
        given_statuses = filter.statuses if filter else None
        wanted_statuses = frozenset(given_statuses) if given_statuses is not None else None
        # A connection whose credential has ended refuses new subscriptions as well.
        await info.context.check_caller()
        return _sent_notices(info, wanted_ids, wanted_statuses)


async def _sent_notices(
    info: Info,
    wanted_ids: frozenset[int] | None,
    wanted_statuses: frozenset[ProposalStatus] | None,
) -> AsyncGenerator[ProposalEventNotice, None]:
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
    info: Info,
    wanted_ids: frozenset[int] | None,
    wanted_statuses: frozenset[ProposalStatus] | None,
) -> AsyncGenerator[ProposalEventNotice, None]:
    context = info.context
    runtime = context.runtime
    # The caller is checked again before every event sent, and at least this often while none
    # arrives, so a revoked token or a signed-out session ends its subscriptions within it.
    recheck = runtime.settings.subscription_recheck_seconds
    checked_at = time.monotonic()
    async for message in _messages(redis_url(runtime.settings), recheck):
        wanted = message is not None and (
            wanted_ids is None or message["proposal_id"] in wanted_ids
        )
        if not wanted and time.monotonic() - checked_at < recheck:
            continue
        async with runtime.db.session() as session:
            # Rights as they are now, in the session the event is read with: one indexed read.
            await context.check_caller(_reads(session))
            checked_at = time.monotonic()
            if message is None or not wanted:
                continue
            actor = context.actor
            found = await service.visible_event(session, actor, message["event_id"])
            if found is None:
                continue
            proposal, event = found
            assert proposal.id is not None
            official = await service.handles_or_handled(session, actor, proposal.id)
            # The routing job's reasons, and the lead a merge note names, as this official may
            # read them: none for the others.
            cut = (
                await routing.routing_notes(session, actor.scope, [proposal.id]) if official else {}
            )
            leads = (
                await routing.readable_codes(session, actor.scope, named_leads([event]))
                if official
                else None
            )
        if wanted_statuses is not None and event.status not in wanted_statuses:
            continue
        own = actor.kind is ActorKind.SUBMITTER and actor.proposal_id == proposal.id
        yield ProposalEventNotice(
            proposal=Proposal.of(proposal, actor),
            event=ProposalEvent.of(
                event,
                official=official,
                submitter=own,
                routing_notes=cut.get(proposal.id),
                readable_leads=leads,
            ),
        )
