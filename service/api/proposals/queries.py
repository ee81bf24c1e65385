"""Reading submissions: one by id or tracking code, or a filtered page of them."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError

from service.api.context import Info
from service.api.filters import any_given_empty, check_created_period
from service.api.proposals.types import (
    Proposal,
    ProposalConnection,
    ProposalEdge,
    warm_proposals,
)
from service.api.relay import (
    Node,
    PageInfo,
    from_global_id,
    offset_cursor,
    offset_from_cursor,
    selected_fields,
)
from service.directory import repository as directory
from service.proposals import service
from service.proposals.errors import ProposalNotFound
from service.proposals.models import (
    ProposalFilter,
    ProposalKind,
    ProposalOrder,
    ProposalStatus,
    SubmitterType,
)

strawberry.enum(ProposalOrder)


@strawberry.input(
    description="Every given field narrows the list; lists match any of their values."
)
class ProposalFilterInput:
    statuses: list[ProposalStatus] | None = None
    kinds: list[ProposalKind] | None = None
    category_codes: list[str] | None = None
    province_codes: list[str] | None = None
    agency_codes: list[str] | None = strawberry.field(
        default=None, description="The lead agency's code."
    )
    submitter_types: list[SubmitterType] | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def _matches_nothing(given: ProposalFilterInput | None) -> bool:
    """A given empty list allows none of its values (the repository reads empty as no filter)."""
    if given is None:
        return False
    return any_given_empty(
        given.statuses,
        given.kinds,
        given.category_codes,
        given.province_codes,
        given.agency_codes,
        given.submitter_types,
    )


async def _filter(info: Info, given: ProposalFilterInput | None) -> ProposalFilter:
    if given is None:
        return ProposalFilter()
    check_created_period(given.created_from, given.created_to, info.context.language)
    agency_ids: frozenset[int] = frozenset()
    if given.agency_codes:
        async with info.context.runtime.db.session() as session:
            agencies = [await directory.get_agency_by_code(session, c) for c in given.agency_codes]
        # An unknown code matches nothing rather than everything.
        agency_ids = frozenset(a.id for a in agencies if a and a.id) or frozenset({-1})
    return ProposalFilter(
        statuses=frozenset(given.statuses or ()),
        kinds=frozenset(given.kinds or ()),
        categories=frozenset(given.category_codes or ()),
        provinces=frozenset(given.province_codes or ()),
        agency_ids=agency_ids,
        submitter_types=frozenset(given.submitter_types or ()),
        overdue=given.overdue,
        created_from=given.created_from,
        created_to=given.created_to,
    )


async def _proposal(info: Info, global_id: str) -> Proposal | None:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != "Proposal":
        return None
    actor = info.context.actor
    async with info.context.runtime.db.session() as session:
        row = await service.get_for(session, actor, decoded[1])
    return Proposal.of(row, actor) if row else None


@strawberry.type
class ProposalQuery:
    @strawberry.field(description="Any object by its global id; null when you may not see it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _proposal(info, id)

    @strawberry.field(description="A submission by its global id; null when you may not see it.")
    async def proposal(self, info: Info, id: strawberry.ID) -> Proposal | None:
        return await _proposal(info, id)

    @strawberry.field(
        description="Submissions you may see; `first` is at most INTAKE_GRAPHQL_MAX_PAGE_SIZE."
    )
    async def proposals(
        self,
        info: Info,
        filter: ProposalFilterInput | None = None,
        order_by: ProposalOrder = ProposalOrder.NEWEST,
        first: int = 20,
        after: str | None = None,
    ) -> ProposalConnection:
        most = info.context.runtime.settings.graphql_max_page_size
        if not 1 <= first <= most:
            raise GraphQLError(f"first must be between 1 and {most}, not {first}")
        offset = offset_from_cursor(after)
        if offset is None:
            raise GraphQLError("after is not a cursor this API gave out")
        where = await _filter(info, filter)
        if _matches_nothing(filter):
            return ProposalConnection(
                edges=[], page_info=PageInfo.of_page([], offset, more=False), total_count=0
            )
        actor = info.context.actor
        async with info.context.loaders.session() as session:
            rows, total = await service.list_for(
                session, actor, where, order=order_by, limit=first, offset=offset
            )
        await warm_proposals(
            info, rows, selected_fields(info.selected_fields, "proposals", "edges", "node")
        )
        edges = [
            ProposalEdge(cursor=offset_cursor(offset + i), node=Proposal.of(row, actor))
            for i, row in enumerate(rows)
        ]
        return ProposalConnection(
            edges=edges,
            page_info=PageInfo.of_page(
                [e.cursor for e in edges], offset, more=offset + len(rows) < total
            ),
            total_count=total,
        )

    @strawberry.field(
        description="A submission by tracking code. With the access key from the submitter's "
        "link, the submitter's own view; otherwise what the tracking page shows: its title, "
        "status, agency and timeline, with the description and legal references only where "
        "you may read the submission itself (published, or handled by you). Null when no "
        "such code exists."
    )
    async def track_proposal(
        self, info: Info, tracking_code: str, access_key: str | None = None
    ) -> Proposal | None:
        runtime = info.context.runtime
        async with runtime.db.session() as session:
            try:
                if access_key:
                    row, viewer = await service.submitter_actor(
                        session, runtime.settings, tracking_code, access_key
                    )
                    return Proposal.of(row, viewer)
                row = (await service.track(session, tracking_code)).proposal
                assert row.id is not None
                readable = await service.get_for(session, info.context.actor, row.id)
            except ProposalNotFound:
                return None
        proposal = Proposal.of(row, info.context.actor)
        if readable is None:
            # A tracking code is not a reading right: an unpublished text stays with those
            # who handle it and its submitter, as on the tracking page.
            proposal.description = proposal.legal_references = ""
        return proposal
