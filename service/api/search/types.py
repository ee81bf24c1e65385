"""Search results as the API shows them."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from search.base import SearchHit as HitRow
from service.api.context import Info
from service.api.proposals.types import Proposal
from service.api.relay import PageInfo
from service.db import utcnow
from service.proposals.models import ProposalKind, ProposalStatus, SubmitterType, is_overdue


@strawberry.enum(description="The order of search results.")
class SearchSort(enum.Enum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    DEADLINE = "deadline"


@strawberry.enum(description="A field that search results can be counted by.")
class SearchFacetField(enum.Enum):
    STATUS = "status"
    KIND = "kind"
    CATEGORY = "category"
    AGENCY = "agency"
    PROVINCE = "province"
    SUBMITTER_TYPE = "submitter_type"
    PUBLISHED = "published"


@strawberry.input(
    description="Every given field narrows the results; lists match any of their values. "
    "Codes that do not exist (categories, agencies, provinces) simply match nothing."
)
class SearchFilter:
    statuses: list[ProposalStatus] | None = None
    kinds: list[ProposalKind] | None = None
    categories: list[str] | None = strawberry.field(default=None, description="Category codes.")
    agencies: list[str] | None = strawberry.field(
        default=None, description="Codes of the agency handling it now."
    )
    provinces: list[str] | None = strawberry.field(default=None, description="Province codes.")
    submitter_types: list[SubmitterType] | None = None
    created_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    created_to: datetime | None = strawberry.field(default=None, description="Exclusive.")
    overdue: bool | None = strawberry.field(
        default=None, description="Past its deadline and not yet answered, closed or ended."
    )
    published: bool | None = None


@strawberry.type
class SearchHit:
    row: strawberry.Private[HitRow]
    cursor: str = strawberry.field(description="Pass as `after` to continue after this hit.")

    @strawberry.field
    def tracking_code(self) -> str:
        return self.row.tracking_code

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field(description="HTML: escaped text with the matching words in <mark> elements.")
    def snippet(self) -> str:
        return self.row.snippet

    @strawberry.field
    def kind(self) -> ProposalKind:
        return ProposalKind(self.row.kind)

    @strawberry.field
    def status(self) -> ProposalStatus:
        return ProposalStatus(self.row.status)

    @strawberry.field
    def category_code(self) -> str:
        return self.row.category

    @strawberry.field(description="The agency handling it now, if any.")
    def agency_code(self) -> str | None:
        return self.row.agency

    @strawberry.field
    def province_code(self) -> str | None:
        return self.row.province

    @strawberry.field
    def submitter_type(self) -> SubmitterType:
        return SubmitterType(self.row.submitter_type)

    @strawberry.field
    def published(self) -> bool:
        return self.row.published

    @strawberry.field
    def created_at(self) -> datetime | None:
        return self.row.created_at

    @strawberry.field
    def deadline(self) -> datetime | None:
        return self.row.deadline

    @strawberry.field(
        description="Past its deadline while the agency's clock runs (not while it waits for the"
        " submitter's information, and not once answered, closed or ended)."
    )
    def overdue(self) -> bool:
        return is_overdue(self.row.status, self.row.deadline, utcnow())

    @strawberry.field(description="The whole submission, as you may see it.")
    async def proposal(self, info: Info) -> Proposal | None:
        actor = info.context.actor
        row = await info.context.loaders.proposal_by_id.load((actor.scope, self.row.id))
        return Proposal.of(row, actor) if row else None


@strawberry.type
class FacetValue:
    value: str = strawberry.field(description="A code, a status, or `true`/`false`.")
    count: int


@strawberry.type(description="How many results have each value of one field.")
class SearchFacet:
    field: SearchFacetField
    values: list[FacetValue] = strawberry.field(description="Most frequent first.")


@strawberry.type
class SearchResults:
    total: int = strawberry.field(
        description="Matches visible to the caller; when `exact` is false, at least this many."
    )
    exact: bool = strawberry.field(
        description="False when more matched than INTAKE_SEARCH_COUNT_LIMIT: `total` and the "
        "facet counts then cover the newest `total` matches and are lower bounds."
    )
    hits: list[SearchHit]
    facets: list[SearchFacet]
    page_info: PageInfo
