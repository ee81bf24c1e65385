"""Submissions as the API shows them, field by field to whoever may see each field."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Container, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.file_uploads import Upload

from service.accounts.actor import Actor, ActorKind
from service.api.context import Info
from service.api.directory.types import Agency, Category, Province
from service.api.errors import ValidationErrors
from service.api.loaders import loaded, prime, when_loaded
from service.api.relay import Node, PageInfo, to_global_id
from service.attachments.models import Attachment as AttachmentRow
from service.db import utcnow
from service.i18n import translations
from service.proposals.models import (
    AssignmentRole,
    ProposalKind,
    ProposalStatus,
    SubmitterType,
    is_overdue,
    lead_note,
    named_leads,
    shown_note,
)
from service.proposals.models import Proposal as ProposalRow
from service.proposals.models import ProposalEvent as EventRow
from service.proposals.repository import Assignment as AssignmentRow
from service.proposals.repository import TimelineEvent
from service.routing import reasons as why
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


def _cuts_citations(viewer: Actor) -> bool:
    """Whether the routing reasons the viewer reads may cite submissions they may not read: an
    agency's officials (the secretariat reads every submission; submitters and the public read
    no routing reasons)."""
    return viewer.is_agency_official and not viewer.scope.everything


def _handles(viewer: Actor, assignments: list[AssignmentRow], *, now: bool) -> bool:
    """The secretariat, or an agency assigned to it (now, or ever when `now` is False)."""
    if viewer.is_secretariat:
        return True
    return viewer.is_agency_official and any(
        a.agency_id == viewer.agency_id and (a.active or not now) for a in assignments
    )


@strawberry.type(description="One step of a submission's timeline.")
class ProposalEvent:
    row: strawberry.Private[EventRow | TimelineEvent]
    status: ProposalStatus
    from_status: ProposalStatus | None
    action: str = strawberry.field(
        description="The workflow action, empty for submission and routing."
    )
    at: datetime
    note: str = strawberry.field(
        description="Reason, question or answer given with the step: every note for officials "
        "who handle or handled the submission, all but the routing engine's for its submitter, "
        "empty for everyone else."
    )
    actor: str | None = strawberry.field(
        description="Who took the step; shown to officials who handle or handled it only."
    )
    deadline: datetime | None = strawberry.field(
        description="The response deadline this step set: the agency's extension, or the "
        "clock resumed after the submitter answered a question; null where the step left the "
        "deadline as it was."
    )

    @classmethod
    def of(
        cls,
        row: EventRow | TimelineEvent,
        *,
        official: bool,
        submitter: bool,
        routing_notes: Mapping[int, str] | None = None,
        readable_leads: Container[str] | None = None,
    ) -> ProposalEvent:
        """The step as its viewer may read it: `official` when the viewer handles or handled
        the submission, `submitter` when it is the viewer's own; `routing_notes` the routing
        job's notes as the viewer may read them, by event id, where they differ from the
        stored ones (they cite submissions the viewer may not read); `readable_leads` the
        tracking codes of the leads named by merge notes that an official may read (None:
        all), worded as routing notes are."""
        note = row.note
        if routing_notes and row.id is not None and row.id in routing_notes:
            note = routing_notes[row.id]
        elif official:  # the submitter reads the lead's code: it is their next tracking code
            note = lead_note(row, readable_leads, translations("en").gettext)
        # Plain fields, not resolvers: Strawberry hands them out without an Info per field.
        return cls(
            row=row,
            status=row.status,
            from_status=row.from_status,
            action=row.action,
            at=row.at,
            note=shown_note(row.actor, note, official=official, submitter=submitter),
            actor=row.actor if official else None,
            deadline=row.deadline,
        )

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        if self.row.agency_id is None:
            return None
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency.of(row, info.context.language) if row else None


@strawberry.type(description="An agency's answer.")
class Response:
    row: strawberry.Private[ResponseRow]
    text: str
    published: bool
    created_at: datetime

    @classmethod
    def of(cls, row: ResponseRow) -> Response:
        # Plain fields, not resolvers: Strawberry hands them out without an Info per field.
        return cls(
            row=row,
            text=row.text,
            published=row.published,
            created_at=row.created_at,
        )

    @strawberry.field
    async def agency(self, info: Info) -> Agency | None:
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency.of(row, info.context.language) if row else None


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
        return Agency.of(row, info.context.language) if row else None


@strawberry.type(description="A file sent with the submission or with an answer.")
class Attachment:
    row: strawberry.Private[AttachmentRow]
    filename: str
    content_type: str = strawberry.field(
        description="Detected from the content, not from the name."
    )
    size: int
    id: strawberry.ID
    for_response: bool = strawberry.field(description="Set when the file belongs to an answer.")
    url: str = strawberry.field(description="Download path; the same permissions apply there.")

    @classmethod
    def of(cls, row: AttachmentRow) -> Attachment:
        assert row.id is not None
        # Plain fields, not resolvers: Strawberry hands them out without an Info per field.
        return cls(
            row=row,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            id=to_global_id("Attachment", row.id),
            for_response=row.response_id is not None,
            url=f"/attachments/{row.id}",
        )


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


# The loaders each field of a submission reads, for warming them a page at a time.
_FIELD_LOADS: dict[str, tuple[str, ...]] = {
    "category": ("category_by_code",),
    "agency": ("agency_by_id",),
    "events": ("assignments_by_proposal_id", "events_by_proposal_id"),
    "responses": ("assignments_by_proposal_id", "responses_by_proposal_id"),
    "attachments": (
        "assignments_by_proposal_id",
        "attachments_by_proposal_id",
        "responses_by_proposal_id",
    ),
}


async def warm_proposals(info: Info, rows: Sequence[ProposalRow], fields: set[str]) -> None:
    """Load, one batch per loader, what the selected `fields` of these submissions read, so
    that their resolvers answer at once (see when_loaded) instead of one await each."""
    loaders = info.context.loaders
    wanted = {name for field in fields for name in _FIELD_LOADS.get(field, ())}
    ids = [row.id for row in rows if row.id is not None]
    loads: list[Awaitable[None]] = []
    if "category_by_code" in wanted:
        loads.append(prime(loaders.category_by_code, [row.category_code for row in rows]))
    if "agency_by_id" in wanted:
        agencies = [row.agency_id for row in rows if row.agency_id is not None]
        loads.append(prime(loaders.agency_by_id, agencies))
    for name in sorted(wanted - {"category_by_code", "agency_by_id"}):
        loader: DataLoader[int, object] = getattr(loaders, name)
        loads.append(prime(loader, ids))
    viewer = info.context.actor
    if "events" in fields and _cuts_citations(viewer):
        scoped = [(viewer.scope, proposal_id) for proposal_id in ids]
        loads.append(prime(loaders.routing_notes_by_proposal_id, scoped))
    await asyncio.gather(*loads)
    if "events" in fields and _cuts_citations(viewer):
        # The leads their merge notes name, read once the timelines are: a query only for a
        # page that has merge notes.
        timelines = loaded(loaders.events_by_proposal_id, ids)
        codes = sorted(named_leads(step for timeline in timelines for step in timeline))
        await prime(loaders.readable_by_tracking_code, [(viewer.scope, c) for c in codes])


@strawberry.type(description="A proposal, recommendation or obstacle report.")
class Proposal(Node):
    row: strawberry.Private[ProposalRow]
    viewer: strawberry.Private[Actor]
    tracking_code: str
    kind: ProposalKind
    title: str
    description: str
    legal_references: str
    status: ProposalStatus
    published: bool = strawberry.field(
        description="Shown to the public, by the submitter's consent."
    )
    submitter_type: SubmitterType
    category_code: str
    province_code: str | None
    deadline: datetime | None
    overdue: bool = strawberry.field(
        description="Past its deadline while the agency's clock runs: not while it waits for the"
        " submitter's information (the clock is stopped), and not once answered or ended."
    )
    created_at: datetime
    updated_at: datetime
    acknowledge_deadline: datetime | None = strawberry.field(
        description="When the agency must confirm it is handling it."
    )
    deadline_extended: bool = strawberry.field(
        description="The lead agency has used its one extension."
    )
    # Whether the viewer handles or handled it: asked by the events, answers and files alike.
    handled_by_viewer: strawberry.Private[bool | None] = None

    @classmethod
    def of(cls, row: ProposalRow, viewer: Actor) -> Proposal:
        assert row.id is not None
        deadline = row.deadline
        # Plain fields rather than resolvers: Strawberry hands them out without building an
        # Info or parsing arguments per field, most of its CPU time on a page of 100.
        return cls(
            id=to_global_id("Proposal", row.id),
            row=row,
            viewer=viewer,
            tracking_code=row.tracking_code,
            kind=row.kind,
            title=row.title,
            description=row.description,
            legal_references=row.legal_references,
            status=row.status,
            published=row.published,
            submitter_type=row.submitter_type,
            category_code=row.category_code,
            province_code=row.province_code,
            deadline=row.deadline,
            created_at=row.created_at,
            updated_at=row.updated_at,
            acknowledge_deadline=row.acknowledge_deadline,
            deadline_extended=row.deadline_extended,
            overdue=is_overdue(row.status, deadline, utcnow()),
        )

    async def _assignments(self, info: Info) -> list[AssignmentRow]:
        assert self.row.id is not None
        return await info.context.loaders.assignments_by_proposal_id.load(self.row.id)

    @strawberry.field
    def category(self, info: Info) -> Category | None:
        language = info.context.language
        loaded = info.context.loaders.category_by_code.load(self.row.category_code)
        return when_loaded(lambda row: Category.of(row, language) if row else None, loaded)

    @strawberry.field
    async def province(self, info: Info) -> Province | None:
        if self.row.province_code is None:
            return None
        row = await info.context.loaders.province_by_code.load(self.row.province_code)
        return Province.of(row, info.context.language) if row else None

    @strawberry.field(description="The lead agency, or the secretariat while in triage.")
    def agency(self, info: Info) -> Agency | None:
        if self.row.agency_id is None:
            return None
        language = info.context.language
        loaded = info.context.loaders.agency_by_id.load(self.row.agency_id)
        return when_loaded(lambda row: Agency.of(row, language) if row else None, loaded)

    @strawberry.field
    async def cooperating_agencies(self, info: Info) -> list[Agency]:
        ids = [
            a.agency_id
            for a in await self._assignments(info)
            if a.active and a.role is AssignmentRole.COOPERATING
        ]
        rows = await info.context.loaders.agency_by_id.load_many(ids)
        return [Agency.of(row, info.context.language) for row in rows if row]

    @strawberry.field(description="The submission this one was merged into, if any.")
    def merged_into_id(self) -> strawberry.ID | None:
        merged = self.row.merged_into_id
        return to_global_id("Proposal", merged) if merged is not None else None

    @strawberry.field(
        description="A near-duplicate's earlier submission, found at routing; officials who "
        "handle or handled it only."
    )
    async def duplicate_of_id(self, info: Info) -> strawberry.ID | None:
        duplicate = self.row.duplicate_of_id
        if duplicate is None or not self._handled(await self._assignments(info)):
            return None
        # Named only where the caller may read it, as the routing reasons name it.
        if _cuts_citations(self.viewer):
            key = (self.viewer.scope, duplicate)
            if await info.context.loaders.proposal_by_id.load(key) is None:
                return None
        return to_global_id("Proposal", duplicate)

    @strawberry.field(
        description="How it was routed and why; officials who handle or handled it only."
    )
    async def routing_decision(
        self, info: Info
    ) -> Annotated[RoutingDecision, strawberry.lazy("service.api.routing.types")] | None:
        if not self._handled(await self._assignments(info)):
            return None
        assert self.row.id is not None
        loaders = info.context.loaders
        row = await loaders.routing_decision_by_proposal_id.load(self.row.id)
        if row is None:
            return None
        from service.api.routing.types import RoutingDecision as Decision  # a cycle otherwise

        readable: frozenset[str] | None = None
        if _cuts_citations(self.viewer):
            suggested = [r for s in row.suggestions for r in s.get("reasons", [])]
            codes = sorted(why.cited([*row.reasons, *suggested]))
            scope = self.viewer.scope
            shown = await loaders.readable_by_tracking_code.load_many([(scope, c) for c in codes])
            readable = frozenset(c for c, ok in zip(codes, shown, strict=True) if ok)
        return Decision(row=row, readable=readable)

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
    def events(self, info: Info) -> list[ProposalEvent]:
        assert self.row.id is not None
        loaders = info.context.loaders
        loading = [
            loaders.assignments_by_proposal_id.load(self.row.id),
            loaders.events_by_proposal_id.load(self.row.id),
        ]
        if not _cuts_citations(self.viewer):
            return when_loaded(self._events, *loading)
        key = (self.viewer.scope, self.row.id)
        loading.append(loaders.routing_notes_by_proposal_id.load(key))
        return when_loaded(partial(self._cut_events, info), *loading)

    def _cut_events(
        self,
        info: Info,
        assignments: list[AssignmentRow],
        rows: list[TimelineEvent],
        routing_notes: Mapping[int, str],
    ) -> list[ProposalEvent]:
        """The timeline of an agency's official, whose notes name only the submissions they
        may read: the routing job's cut already, the leads of merge notes read here (warmed
        with the page, see warm_proposals)."""
        codes = sorted(named_leads(rows)) if self._handled(assignments) else []
        scope = self.viewer.scope
        loader = info.context.loaders.readable_by_tracking_code
        shown = [loader.load((scope, code)) for code in codes]

        def make(*readable: bool) -> list[ProposalEvent]:
            leads = frozenset(c for c, ok in zip(codes, readable, strict=True) if ok)
            return self._events(assignments, rows, routing_notes, leads)

        return when_loaded(make, *shown)

    def _events(
        self,
        assignments: list[AssignmentRow],
        rows: list[TimelineEvent],
        routing_notes: Mapping[int, str] | None = None,
        readable_leads: Container[str] | None = None,
    ) -> list[ProposalEvent]:
        official = self._handled(assignments)
        own = _is_own_submission(self.viewer, self.row)
        return [
            ProposalEvent.of(
                row,
                official=official,
                submitter=own,
                routing_notes=routing_notes,
                readable_leads=readable_leads,
            )
            for row in rows
        ]

    def _handled(self, assignments: list[AssignmentRow]) -> bool:
        """_handles, now or earlier, worked out once per submission (its assignments are one
        list for the whole request)."""
        if self.handled_by_viewer is None:
            self.handled_by_viewer = _handles(self.viewer, assignments, now=False)
        return self.handled_by_viewer

    def _involved(self, assignments: list[AssignmentRow]) -> bool:
        return _is_own_submission(self.viewer, self.row) or self._handled(assignments)

    @strawberry.field(description="Published answers, and all of them for those involved.")
    def responses(self, info: Info) -> list[Response]:
        assert self.row.id is not None
        loaders = info.context.loaders
        return when_loaded(
            self._responses,
            loaders.assignments_by_proposal_id.load(self.row.id),
            loaders.responses_by_proposal_id.load(self.row.id),
        )

    def _responses(
        self, assignments: list[AssignmentRow], rows: list[ResponseRow]
    ) -> list[Response]:
        involved = self._involved(assignments)
        public = self.row.published  # the submitter's consent covers the answers too
        return [Response.of(r) for r in rows if involved or (public and r.published)]

    @strawberry.field(description="Internal notes and contributions; officials handling it only.")
    async def notes(self, info: Info) -> list[Note]:
        assert self.row.id is not None
        if not self._handled(await self._assignments(info)):
            return []
        rows = await info.context.loaders.notes_by_proposal_id.load(self.row.id)
        return [Note(row=r) for r in rows]

    @strawberry.field
    async def rating(self, info: Info) -> Rating | None:
        assert self.row.id is not None
        if not (
            _is_own_submission(self.viewer, self.row)
            or self._handled(await self._assignments(info))
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
    def attachments(self, info: Info) -> list[Attachment]:
        assert self.row.id is not None
        loaders = info.context.loaders
        return when_loaded(
            self._attachments,
            loaders.assignments_by_proposal_id.load(self.row.id),
            loaders.attachments_by_proposal_id.load(self.row.id),
            loaders.responses_by_proposal_id.load(self.row.id),
        )

    def _attachments(
        self,
        assignments: list[AssignmentRow],
        rows: list[AttachmentRow],
        answers: list[ResponseRow],
    ) -> list[Attachment]:
        involved = self._involved(assignments)
        responses = {r.id: r for r in answers}
        public = self.row.published
        return [
            Attachment.of(a)
            for a in rows
            if involved
            or (public and a.response_id is not None and responses[a.response_id].published)
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
    access_key: str = strawberry.field(
        description=(
            "The submitter's private key, given only here and in the receipt email's private "
            "link: with the tracking code it lets them withdraw, answer questions, rate the "
            "answer, and export or erase their data. Keep it secret."
        )
    )


SubmitProposalResult = Annotated[
    SubmitProposalSuccess | ValidationErrors, strawberry.union("SubmitProposalResult")
]
