"""Submissions as the API shows them, field by field to whoever may see each field."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.file_uploads import Upload

from service.accounts.actor import Actor, ActorKind
from service.api.context import Info
from service.api.directory.types import Agency, Category, Province
from service.api.errors import ValidationErrors
from service.api.relay import Node, PageInfo, to_global_id
from service.attachments.models import Attachment as AttachmentRow
from service.db import utcnow
from service.proposals.models import (
    AWAITING_AGENCY,
    AssignmentRole,
    ProposalKind,
    ProposalStatus,
    SubmitterType,
)
from service.proposals.models import Proposal as ProposalRow
from service.proposals.models import ProposalAgency as AssignmentRow
from service.proposals.models import ProposalEvent as EventRow
from service.workflow.models import NoteKind
from service.workflow.models import ProposalNote as NoteRow
from service.workflow.models import Response as ResponseRow
from service.workflow.rules import Action, allowed_actions

if TYPE_CHECKING:
    from service.api.routing.types import RoutingDecision

# Registers the domain enums as GraphQL enums under their own names.
strawberry.enum(ProposalKind)
strawberry.enum(ProposalStatus)
strawberry.enum(SubmitterType)
strawberry.enum(NoteKind)
strawberry.enum(Action, name="WorkflowAction")


@strawberry.enum(description="Languages Intake speaks.")
class Language(enum.Enum):
    VI = "vi"
    EN = "en"


def _is_own_submission(viewer: Actor, proposal: ProposalRow) -> bool:
    return viewer.kind is ActorKind.SUBMITTER and viewer.proposal_id == proposal.id


def _handles(viewer: Actor, assignments: list[AssignmentRow], *, now: bool) -> bool:
    """The secretariat, or an agency assigned to it (now, or ever when `now` is False)."""
    if viewer.is_secretariat:
        return True
    return viewer.is_agency_official and any(
        a.agency_id == viewer.agency_id and (a.active or not now) for a in assignments
    )


@strawberry.type(description="One step of a submission's timeline.")
class ProposalEvent:
    row: strawberry.Private[EventRow]
    official_view: strawberry.Private[bool]

    @strawberry.field
    def status(self) -> ProposalStatus:
        return self.row.status

    @strawberry.field
    def from_status(self) -> ProposalStatus | None:
        return self.row.from_status

    @strawberry.field(description="The workflow action, empty for submission and routing.")
    def action(self) -> str:
        return self.row.action

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="Reason, question or answer given with the step.")
    def note(self) -> str:
        return self.row.note

    @strawberry.field(description="Who took the step; shown to officials only.")
    def actor(self) -> str | None:
        return self.row.actor if self.official_view else None

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        if self.row.agency_id is None:
            return None
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency(row=row) if row else None


@strawberry.type(description="An agency's answer.")
class Response:
    row: strawberry.Private[ResponseRow]

    @strawberry.field
    def text(self) -> str:
        return self.row.text

    @strawberry.field
    def published(self) -> bool:
        return self.row.published

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency(row=row) if row else None


@strawberry.type(description="An internal note or a co-handling agency's contribution.")
class Note:
    row: strawberry.Private[NoteRow]

    @strawberry.field
    def kind(self) -> NoteKind:
        return self.row.kind

    @strawberry.field
    def text(self) -> str:
        return self.row.text

    @strawberry.field
    def author(self) -> str:
        return self.row.author

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        if self.row.agency_id is None:
            return None
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency(row=row) if row else None


@strawberry.type(description="A file sent with the submission or with an answer.")
class Attachment:
    row: strawberry.Private[AttachmentRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        assert self.row.id is not None
        return to_global_id("Attachment", self.row.id)

    @strawberry.field
    def filename(self) -> str:
        return self.row.filename

    @strawberry.field(description="Detected from the content, not from the name.")
    def content_type(self) -> str:
        return self.row.content_type

    @strawberry.field
    def size(self) -> int:
        return self.row.size

    @strawberry.field(description="Set when the file belongs to an answer.")
    def for_response(self) -> bool:
        return self.row.response_id is not None

    @strawberry.field(description="Download path; the same permissions apply there.")
    def url(self) -> str:
        return f"/attachments/{self.row.id}"


@strawberry.type(description="How to reach the submitter; only for those handling it.")
class SubmitterContact:
    name: str
    email: str
    phone: str
    organisation: str
    erased_at: datetime | None = strawberry.field(
        default=None, description="When the personal data was erased; the fields then hold none."
    )


@strawberry.type(description="The submitter's rating of the answer.")
class Rating:
    score: int
    comment: str
    created_at: datetime


@strawberry.type(description="A proposal, recommendation or obstacle report.")
class Proposal(Node):
    row: strawberry.Private[ProposalRow]
    viewer: strawberry.Private[Actor]

    @classmethod
    def of(cls, row: ProposalRow, viewer: Actor) -> Proposal:
        assert row.id is not None
        return cls(id=to_global_id("Proposal", row.id), row=row, viewer=viewer)

    async def _assignments(self, info: Info) -> list[AssignmentRow]:
        assert self.row.id is not None
        return await info.context.loaders.assignments_by_proposal_id.load(self.row.id)

    @strawberry.field
    def tracking_code(self) -> str:
        return self.row.tracking_code

    @strawberry.field
    def kind(self) -> ProposalKind:
        return self.row.kind

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def description(self) -> str:
        return self.row.description

    @strawberry.field
    def legal_references(self) -> str:
        return self.row.legal_references

    @strawberry.field
    def status(self) -> ProposalStatus:
        return self.row.status

    @strawberry.field(description="Shown to the public, by the submitter's consent.")
    def published(self) -> bool:
        return self.row.published

    @strawberry.field
    def submitter_type(self) -> SubmitterType:
        return self.row.submitter_type

    @strawberry.field
    def category_code(self) -> str:
        return self.row.category_code

    @strawberry.field
    def province_code(self) -> str | None:
        return self.row.province_code

    @strawberry.field
    async def category(self, info: Info) -> Category | None:
        row = await info.context.loaders.category_by_code.load(self.row.category_code)
        return Category(row=row) if row else None

    @strawberry.field
    async def province(self, info: Info) -> Province | None:
        if self.row.province_code is None:
            return None
        row = await info.context.loaders.province_by_code.load(self.row.province_code)
        return Province(row=row) if row else None

    @strawberry.field(description="The lead agency, or the secretariat while in triage.")
    async def agency(self, info: Info) -> Agency | None:
        if self.row.agency_id is None:
            return None
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency(row=row) if row else None

    @strawberry.field
    async def cooperating_agencies(self, info: Info) -> list[Agency]:
        ids = [
            a.agency_id
            for a in await self._assignments(info)
            if a.active and a.role is AssignmentRole.COOPERATING
        ]
        rows = await info.context.loaders.agency_by_id.load_many(ids)
        return [Agency(row=row) for row in rows if row]

    @strawberry.field
    def deadline(self) -> datetime | None:
        return self.row.deadline

    @strawberry.field(description="Past its deadline and still waiting for the agency.")
    def overdue(self) -> bool:
        deadline = self.row.deadline
        return self.row.status in AWAITING_AGENCY and deadline is not None and deadline < utcnow()

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field(description="The submission this one was merged into, if any.")
    def merged_into_id(self) -> strawberry.ID | None:
        merged = self.row.merged_into_id
        return to_global_id("Proposal", merged) if merged is not None else None

    @strawberry.field(description="A near-duplicate's earlier submission, found at routing.")
    def duplicate_of_id(self) -> strawberry.ID | None:
        duplicate = self.row.duplicate_of_id
        if duplicate is None or not self.viewer.is_official:
            return None
        return to_global_id("Proposal", duplicate)

    @strawberry.field(description="When the agency must confirm it is handling it.")
    def acknowledge_deadline(self) -> datetime | None:
        return self.row.acknowledge_deadline

    @strawberry.field(description="The lead agency has used its one extension.")
    def deadline_extended(self) -> bool:
        return self.row.deadline_extended

    @strawberry.field(
        description="How it was routed and why; officials who handle or handled it only."
    )
    async def routing_decision(
        self, info: Info
    ) -> Annotated[RoutingDecision, strawberry.lazy("service.api.routing.types")] | None:
        if not _handles(self.viewer, await self._assignments(info), now=False):
            return None
        assert self.row.id is not None
        row = await info.context.loaders.routing_decision_by_proposal_id.load(self.row.id)
        if row is None:
            return None
        from service.api.routing.types import RoutingDecision as Decision  # a cycle otherwise

        return Decision(row=row)

    @strawberry.field(
        description="Null unless you handle this submission or sent it. An official's read is "
        "recorded in the audit log."
    )
    async def submitter(self, info: Info) -> SubmitterContact | None:
        if not (
            _is_own_submission(self.viewer, self.row)
            or _handles(self.viewer, await self._assignments(info), now=True)
        ):
            return None
        if (
            not _is_own_submission(self.viewer, self.row)
            and self.row.id is not None
            and self.row.personal_data_erased_at is None
        ):
            info.context.contacts_viewed.add(self.row.id)
        return SubmitterContact(
            name=self.row.submitter_name,
            email=self.row.submitter_email,
            phone=self.row.submitter_phone,
            organisation=self.row.submitter_organisation,
            erased_at=self.row.personal_data_erased_at,
        )

    @strawberry.field
    async def events(self, info: Info) -> list[ProposalEvent]:
        assert self.row.id is not None
        official = _handles(self.viewer, await self._assignments(info), now=False)
        rows = await info.context.loaders.events_by_proposal_id.load(self.row.id)
        return [ProposalEvent(row=row, official_view=official) for row in rows]

    @strawberry.field(description="Published answers, and all of them for those involved.")
    async def responses(self, info: Info) -> list[Response]:
        assert self.row.id is not None
        involved = _is_own_submission(self.viewer, self.row) or _handles(
            self.viewer, await self._assignments(info), now=False
        )
        rows = await info.context.loaders.responses_by_proposal_id.load(self.row.id)
        return [Response(row=r) for r in rows if involved or r.published]

    @strawberry.field(description="Internal notes and contributions; officials handling it only.")
    async def notes(self, info: Info) -> list[Note]:
        assert self.row.id is not None
        if not _handles(self.viewer, await self._assignments(info), now=False):
            return []
        rows = await info.context.loaders.notes_by_proposal_id.load(self.row.id)
        return [Note(row=r) for r in rows]

    @strawberry.field
    async def rating(self, info: Info) -> Rating | None:
        assert self.row.id is not None
        if not (
            _is_own_submission(self.viewer, self.row)
            or _handles(self.viewer, await self._assignments(info), now=False)
        ):
            return None
        row = await info.context.loaders.rating_by_proposal_id.load(self.row.id)
        return (
            Rating(score=row.score, comment=row.comment, created_at=row.created_at) if row else None
        )

    @strawberry.field(
        description="Evidence files, for those handling it and the submitter; files of "
        "published answers for everyone who may read the answer."
    )
    async def attachments(self, info: Info) -> list[Attachment]:
        assert self.row.id is not None
        involved = _is_own_submission(self.viewer, self.row) or _handles(
            self.viewer, await self._assignments(info), now=False
        )
        rows = await info.context.loaders.attachments_by_proposal_id.load(self.row.id)
        responses = {
            r.id: r for r in await info.context.loaders.responses_by_proposal_id.load(self.row.id)
        }
        return [
            Attachment(row=a)
            for a in rows
            if involved or (a.response_id is not None and responses[a.response_id].published)
        ]

    @strawberry.field(description="The workflow actions you may take now.")
    def allowed_actions(self) -> list[Action]:
        return list(allowed_actions(self.viewer, self.row))


@strawberry.type
class ProposalEdge:
    cursor: str
    node: Proposal


@strawberry.type
class ProposalConnection:
    edges: list[ProposalEdge]
    page_info: PageInfo
    total_count: int


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
    attachments: list[Upload] | None = strawberry.field(
        default=None,
        description="Evidence files (GraphQL multipart request); limits as on the web form.",
    )


@strawberry.type
class SubmitProposalSuccess:
    proposal: Proposal
    tracking_code: str


SubmitProposalResult = Annotated[
    SubmitProposalSuccess | ValidationErrors, strawberry.union("SubmitProposalResult")
]
