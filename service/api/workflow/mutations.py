"""Every workflow step as a mutation: map the input, call the service, map the outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from service.accounts.actor import Actor, ActorKind
from service.api.context import Info
from service.api.errors import ValidationErrors
from service.api.proposals.types import Proposal, ProposalEvent
from service.api.relay import from_global_id, to_global_id
from service.api.uploads import read_uploads
from service.api.workflow.types import (
    AddNoteInput,
    AnswerInformationInput,
    AssignInput,
    CloseInput,
    InvalidTransitionError,
    MergeInput,
    NoteAdded,
    NoteResult,
    NotFoundError,
    NotPermittedError,
    ProposalIdInput,
    RateResponseInput,
    ReasonInput,
    RequestInformationInput,
    RespondInput,
    TransferInput,
    WithdrawInput,
    WorkflowResult,
    WorkflowSuccess,
)
from service.errors import ValidationFailed
from service.i18n import translations
from service.proposals import service as proposals
from service.proposals.errors import ProposalNotFound
from service.workflow import service as workflow
from service.workflow.errors import InvalidTransition, NotPermitted
from service.workflow.service import Step

StepCall = Callable[[AsyncSession, Actor, int], Awaitable[Step]]


def _pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != "Proposal":
        raise ProposalNotFound(global_id)
    return decoded[1]


def _not_found(info: Info) -> NotFoundError:
    _ = translations(info.context.language).gettext
    return NotFoundError(message=_("No submission found."))


async def _step(
    info: Info, global_id: str, call: StepCall, *, actor: Actor | None = None
) -> WorkflowResult:
    """Run one step as the caller (or the given actor), in one transaction, and report its
    outcome."""
    actor = actor or info.context.actor
    try:
        pk = _pk(global_id)
        async with info.context.write() as session:
            step = await call(session, actor, pk)
    except ProposalNotFound:
        return _not_found(info)
    except NotPermitted as error:
        return NotPermittedError(message=str(error))
    except InvalidTransition as error:
        return InvalidTransitionError(
            message=str(error), current_status=error.current, allowed_actions=list(error.allowed)
        )
    except ValidationFailed as failure:
        return ValidationErrors.from_domain(failure.errors)
    return WorkflowSuccess(
        proposal=Proposal.of(step.proposal, actor),
        # Whoever took a step handles the submission, or sent it.
        event=ProposalEvent.of(
            step.event, official=actor.is_official, submitter=actor.kind is ActorKind.SUBMITTER
        ),
    )


async def _submitter_step(
    info: Info,
    tracking_code: str,
    access_key: str,
    call: Callable[[AsyncSession, Actor, int], Awaitable[Step]],
) -> WorkflowResult:
    runtime = info.context.runtime
    try:
        async with runtime.db.session() as session:
            proposal, submitter = await proposals.submitter_actor(
                session, runtime.settings, tracking_code, access_key
            )
    except ProposalNotFound:
        return _not_found(info)
    assert proposal.id is not None
    # The step is the submitter's; the request's caller stays who it is, for the rest of the
    # operation and for the audit of what it read.
    return await _step(info, _global(proposal.id), call, actor=submitter)


def _global(pk: int) -> str:
    return str(to_global_id("Proposal", pk))


@strawberry.type
class WorkflowMutation:
    @strawberry.mutation(description="Lead agency: confirm the submission is being handled.")
    async def acknowledge(self, info: Info, input: ProposalIdInput) -> WorkflowResult:
        language = info.context.language
        return await _step(
            info, input.id, lambda s, a, pk: workflow.acknowledge(s, a, pk, language)
        )

    @strawberry.mutation(description="Lead agency: ask the submitter for more information.")
    async def request_information(
        self, info: Info, input: RequestInformationInput
    ) -> WorkflowResult:
        language = info.context.language
        return await _step(
            info,
            input.id,
            lambda s, a, pk: workflow.request_information(s, a, pk, input.question, language),
        )

    @strawberry.mutation(description="Lead agency: answer the submission.")
    async def respond(self, info: Info, input: RespondInput) -> WorkflowResult:
        language, settings = info.context.language, info.context.runtime.settings
        files = await read_uploads(input.attachments)
        return await _step(
            info,
            input.id,
            lambda s, a, pk: workflow.respond(
                s,
                a,
                pk,
                input.text,
                publish=input.publish,
                language=language,
                settings=settings,
                files=files,
            ),
        )

    @strawberry.mutation(description="Lead agency: not competent; back to triage with a reason.")
    async def decline(self, info: Info, input: ReasonInput) -> WorkflowResult:
        language = info.context.language
        return await _step(
            info, input.id, lambda s, a, pk: workflow.decline(s, a, pk, input.reason, language)
        )

    @strawberry.mutation(description="Secretariat: send a submission in triage to an agency.")
    async def assign(self, info: Info, input: AssignInput) -> WorkflowResult:
        context = info.context
        return await _step(
            info,
            input.id,
            lambda s, a, pk: workflow.assign(
                s,
                a,
                pk,
                input.agency_code,
                context.runtime.settings,
                context.language,
                cooperating=input.cooperating_agency_codes,
                note=input.note,
            ),
        )

    @strawberry.mutation(description="Secretariat: move a submission to another agency.")
    async def transfer(self, info: Info, input: TransferInput) -> WorkflowResult:
        context = info.context
        return await _step(
            info,
            input.id,
            lambda s, a, pk: workflow.transfer(
                s,
                a,
                pk,
                input.agency_code,
                context.runtime.settings,
                context.language,
                reason=input.reason,
            ),
        )

    @strawberry.mutation(description="Secretariat: refuse a submission, with the reason.")
    async def reject(self, info: Info, input: ReasonInput) -> WorkflowResult:
        language = info.context.language
        return await _step(
            info, input.id, lambda s, a, pk: workflow.reject(s, a, pk, input.reason, language)
        )

    @strawberry.mutation(description="Secretariat: fold a duplicate into another submission.")
    async def merge(self, info: Info, input: MergeInput) -> WorkflowResult:
        language = info.context.language
        into = from_global_id(input.into_id)
        into_pk: int | None = into[1] if into and into[0] == "Proposal" else -1
        if not input.into_id.strip():
            into_pk = None  # not given: the service says the field is required
        return await _step(
            info, input.id, lambda s, a, pk: workflow.merge(s, a, pk, into_pk, language)
        )

    @strawberry.mutation(description="Secretariat: reopen a finished submission.")
    async def reopen(self, info: Info, input: ReasonInput) -> WorkflowResult:
        language = info.context.language
        return await _step(
            info, input.id, lambda s, a, pk: workflow.reopen(s, a, pk, input.reason, language)
        )

    @strawberry.mutation(description="Secretariat: close an answered submission.")
    async def close(self, info: Info, input: CloseInput) -> WorkflowResult:
        language = info.context.language
        return await _step(
            info, input.id, lambda s, a, pk: workflow.close(s, a, pk, input.note, language)
        )

    @strawberry.mutation(description="Submitter: withdraw the submission.")
    async def withdraw(self, info: Info, input: WithdrawInput) -> WorkflowResult:
        language = info.context.language
        return await _submitter_step(
            info,
            input.tracking_code,
            input.access_key,
            lambda s, a, pk: workflow.withdraw(s, a, pk, input.reason, language),
        )

    @strawberry.mutation(description="Submitter: answer the agency's request for information.")
    async def answer_information_request(
        self, info: Info, input: AnswerInformationInput
    ) -> WorkflowResult:
        language = info.context.language
        return await _submitter_step(
            info,
            input.tracking_code,
            input.access_key,
            lambda s, a, pk: workflow.answer_information(
                s, a, pk, input.answer, language, info.context.runtime.settings
            ),
        )

    @strawberry.mutation(description="Submitter: rate the answer from 1 to 5; closes it.")
    async def rate_response(self, info: Info, input: RateResponseInput) -> WorkflowResult:
        language = info.context.language
        return await _submitter_step(
            info,
            input.tracking_code,
            input.access_key,
            lambda s, a, pk: workflow.rate(s, a, pk, input.score, input.comment, language),
        )

    @strawberry.mutation(
        description="Officials handling it: an internal note, or a co-handling contribution."
    )
    async def add_note(self, info: Info, input: AddNoteInput) -> NoteResult:
        actor = info.context.actor
        try:
            pk = _pk(input.id)
            async with info.context.write() as session:
                await workflow.add_note(session, actor, pk, input.text, info.context.language)
                proposal = await proposals.get_for(session, actor, pk)
        except ProposalNotFound:
            return _not_found(info)
        except NotPermitted as error:
            return NotPermittedError(message=str(error))
        except ValidationFailed as failure:
            return ValidationErrors.from_domain(failure.errors)
        assert proposal is not None
        return NoteAdded(proposal=Proposal.of(proposal, actor))
