"""Personal data through the API: the submitter's export and erasure, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON

from service.accounts.actor import Actor
from service.api.context import Info
from service.api.errors import FieldError, ValidationErrors
from service.api.proposals.types import Proposal
from service.api.relay import PageInfo, from_global_id, offset_cursor, offset_from_cursor
from service.api.workflow.types import NotFoundError, NotPermittedError
from service.audit import service as audit
from service.audit.errors import AuditNotPermitted
from service.audit.models import AuditAction, AuditFilter
from service.audit.models import AuditEntry as AuditRow
from service.i18n import translations
from service.privacy import service as privacy
from service.privacy.errors import ErasureNotPermitted
from service.proposals import service as proposals
from service.proposals.errors import ProposalNotFound

strawberry.enum(AuditAction)


@strawberry.type(description="Who read, exported or erased a submitter's personal data.")
class AuditEntry:
    row: strawberry.Private[AuditRow]

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="user:<id>, token:<id>, submitter or system.")
    def actor(self) -> str:
        return self.row.actor

    @strawberry.field(description="The signed-in user's email, when a user acted.")
    def actor_email(self) -> str:
        return self.row.actor_email

    @strawberry.field
    def action(self) -> AuditAction:
        return AuditAction(self.row.action)

    @strawberry.field(description="Global ids of the submissions concerned.")
    def proposal_ids(self) -> list[strawberry.ID]:
        from service.api.relay import to_global_id

        return [to_global_id("Proposal", pk) for pk in self.row.proposal_ids]

    @strawberry.field(description="An export's format and query, an erasure's reason.")
    def detail(self) -> str:
        return self.row.detail

    @strawberry.field
    def request_id(self) -> str:
        return self.row.request_id


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input(description="Every given field narrows the list.")
class AuditLogFilter:
    action: AuditAction | None = None
    actor: str | None = strawberry.field(default=None, description="e.g. user:3")
    proposal_id: strawberry.ID | None = None
    since: datetime | None = None
    until: datetime | None = None


def _empty() -> AuditEntryConnection:
    page = PageInfo(
        has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
    )
    return AuditEntryConnection(edges=[], page_info=page, total_count=0)


def _where(given: AuditLogFilter | None) -> AuditFilter | None:
    """The filter, or None when it names a submission that cannot exist."""
    if given is None:
        return AuditFilter()
    proposal_id = None
    if given.proposal_id is not None:
        decoded = from_global_id(given.proposal_id)
        if decoded is None or decoded[0] != "Proposal":
            return None
        proposal_id = decoded[1]
    return AuditFilter(
        action=given.action,
        actor=given.actor or "",
        proposal_id=proposal_id,
        since=given.since,
        until=given.until,
    )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        description="Secretariat: the audit log of personal data, newest first; empty for others."
    )
    async def audit_log(
        self,
        info: Info,
        filter: AuditLogFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditEntryConnection:
        most = info.context.runtime.settings.graphql_max_page_size
        if not 1 <= first <= most:
            raise GraphQLError(f"first must be between 1 and {most}, not {first}")
        offset = offset_from_cursor(after)
        if offset is None:
            raise GraphQLError("after is not a cursor this API gave out")
        where = _where(filter)
        if where is None:
            return _empty()
        try:
            async with info.context.runtime.db.session() as session:
                rows, total = await audit.entries(
                    session, info.context.actor, where, limit=first, offset=offset
                )
        except AuditNotPermitted:
            return _empty()
        edges = [
            AuditEntryEdge(cursor=offset_cursor(offset + i), node=AuditEntry(row=row))
            for i, row in enumerate(rows)
        ]
        return AuditEntryConnection(
            edges=edges,
            page_info=PageInfo.of_page(
                [e.cursor for e in edges], offset, more=offset + len(rows) < total
            ),
            total_count=total,
        )


@strawberry.input
class SubmitterKeyInput:
    tracking_code: str
    access_key: str = strawberry.field(description="The key from the submitter's private link.")


@strawberry.input
class ErasePersonalDataInput:
    tracking_code: str
    access_key: str
    confirm: bool = strawberry.field(description="Must be true: erasure cannot be undone.")


@strawberry.input
class ErasePersonalDataOnRequestInput:
    id: strawberry.ID = strawberry.field(description="The submission's global id.")
    reason: str = strawberry.field(description="How the request came, for the audit log.")


@strawberry.type(description="Everything Intake keeps about the submitter of one submission.")
class PersonalDataExport:
    tracking_code: str
    data: JSON


@strawberry.type(description="The personal data is erased; the anonymised submission stays.")
class PersonalDataErased:
    proposal: Proposal
    erased_at: datetime
    already_erased: bool = strawberry.field(description="True when it had been erased before.")


ExportPersonalDataResult = Annotated[
    PersonalDataExport | NotFoundError, strawberry.union("ExportPersonalDataResult")
]
ErasePersonalDataResult = Annotated[
    PersonalDataErased | ValidationErrors | NotFoundError | NotPermittedError,
    strawberry.union("ErasePersonalDataResult"),
]


def _not_found(info: Info) -> NotFoundError:
    _ = translations(info.context.language).gettext
    return NotFoundError(message=_("No submission found."))


async def _erase(info: Info, actor: Actor, proposal_id: int, reason: str) -> PersonalDataErased:
    runtime = info.context.runtime
    async with info.context.write() as session:
        erasure = await privacy.erase(session, actor, proposal_id, reason=reason)
    privacy.delete_files(runtime.settings, erasure.storage_keys)
    erased_at = erasure.proposal.personal_data_erased_at
    assert erased_at is not None
    return PersonalDataErased(
        proposal=Proposal.of(erasure.proposal, actor),
        erased_at=erased_at,
        already_erased=erasure.already_erased,
    )


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description="Submitter: download all your data as JSON (recorded in the audit log)."
    )
    async def export_personal_data(
        self, info: Info, input: SubmitterKeyInput
    ) -> ExportPersonalDataResult:
        runtime = info.context.runtime
        try:
            async with info.context.write() as session:
                row, actor = await proposals.submitter_actor(
                    session, runtime.settings, input.tracking_code, input.access_key
                )
                assert row.id is not None
                data = await privacy.export(session, runtime.settings, actor, row.id)
        except ProposalNotFound:
            return _not_found(info)
        return PersonalDataExport(tracking_code=row.tracking_code, data=cast(JSON, data))

    @strawberry.mutation(
        description="Submitter: erase your name, email, phone, organisation and evidence files. "
        "The anonymised submission, its timeline and the agency's answer stay."
    )
    async def erase_personal_data(
        self, info: Info, input: ErasePersonalDataInput
    ) -> ErasePersonalDataResult:
        _ = translations(info.context.language).gettext
        if not input.confirm:
            message = _("Confirm that your personal data should be erased; this cannot be undone.")
            return ValidationErrors(
                errors=[FieldError(field="confirm", code="required", message=message)]
            )
        runtime = info.context.runtime
        try:
            async with runtime.db.session() as session:
                row, actor = await proposals.submitter_actor(
                    session, runtime.settings, input.tracking_code, input.access_key
                )
            assert row.id is not None
            return await _erase(info, actor, row.id, "")
        except ProposalNotFound:
            return _not_found(info)

    @strawberry.mutation(
        description="Secretariat: erase a submitter's personal data at their request."
    )
    async def erase_personal_data_on_request(
        self, info: Info, input: ErasePersonalDataOnRequestInput
    ) -> ErasePersonalDataResult:
        _ = translations(info.context.language).gettext
        actor = info.context.actor
        refused = NotPermittedError(
            message=_("Only the secretariat erases personal data on request.")
        )
        if not actor.is_secretariat:
            return refused  # before the input is read, as every workflow mutation answers
        decoded = from_global_id(input.id)
        if decoded is None or decoded[0] != "Proposal":
            return _not_found(info)
        reason = input.reason.strip()
        if not reason:
            message = _("Say how the submitter asked for erasure.")
            return ValidationErrors(
                errors=[FieldError(field="reason", code="required", message=message)]
            )
        if len(reason) > 2000:
            message = _("Keep the reason under 2000 characters.")
            return ValidationErrors(
                errors=[FieldError(field="reason", code="too_long", message=message)]
            )
        try:
            return await _erase(info, actor, decoded[1], reason)
        except ProposalNotFound:
            return _not_found(info)
        except ErasureNotPermitted:
            return refused
