"""Submissions as the public sees them through the API."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from service.api.directory.types import Agency
from service.api.errors import ValidationErrors
from service.proposals.models import ProposalKind, ProposalStatus, SubmitterType
from service.proposals.service import TrackedProposal

# Registers the domain enums as GraphQL enums under their own names.
strawberry.enum(ProposalKind)
strawberry.enum(ProposalStatus)
strawberry.enum(SubmitterType)


@strawberry.enum(description="Languages Intake speaks.")
class Language(enum.Enum):
    VI = "vi"
    EN = "en"


@strawberry.type(description="One step of a submission's timeline.")
class ProposalEvent:
    status: ProposalStatus
    at: datetime
    note: str
    agency: Agency | None


@strawberry.type(description="The public view of a submission.")
class Proposal:
    tracking_code: str
    kind: ProposalKind
    title: str
    status: ProposalStatus
    category_code: str
    province_code: str | None
    agency: Agency | None
    deadline: datetime | None
    created_at: datetime
    events: list[ProposalEvent]

    @classmethod
    def from_tracked(cls, tracked: TrackedProposal) -> Proposal:
        p = tracked.proposal
        return cls(
            tracking_code=p.tracking_code,
            kind=p.kind,
            title=p.title,
            status=p.status,
            category_code=p.category_code,
            province_code=p.province_code,
            agency=Agency(row=tracked.agency) if tracked.agency else None,
            deadline=p.deadline,
            created_at=p.created_at,
            events=[
                ProposalEvent(
                    status=e.status,
                    at=e.at,
                    note=e.note,
                    agency=Agency(row=a) if a else None,
                )
                for e, a in tracked.events
            ],
        )


@strawberry.input(description="A proposal, recommendation or obstacle report.")
class SubmitProposalInput:
    kind: ProposalKind
    title: str
    description: str
    category_code: str = strawberry.field(description="A code from `categories`.")
    submitter_type: SubmitterType
    name: str = strawberry.field(description="The submitter's full name.")
    province_code: str | None = strawberry.field(
        default=None, description="A code from `provinces`; routes local obstacles."
    )
    legal_references: str | None = strawberry.field(
        default=None, description="Related legal documents or administrative procedures."
    )
    email: str | None = strawberry.field(
        default=None, description="Email, phone, or both: at least one is required."
    )
    phone: str | None = None
    organisation: str | None = None
    consent_to_publish: bool = strawberry.field(
        default=False, description="May the submission and its answer be shown publicly?"
    )
    language: Language | None = strawberry.field(
        default=None, description="Language for emails; defaults to the request's language."
    )


@strawberry.type
class SubmitProposalSuccess:
    proposal: Proposal
    tracking_code: str


SubmitProposalResult = Annotated[
    SubmitProposalSuccess | ValidationErrors, strawberry.union("SubmitProposalResult")
]
