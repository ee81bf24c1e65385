"""Submitting through the API: map the input, call the service, map the result."""

from __future__ import annotations

import strawberry

from service.api.context import Info
from service.api.errors import FieldError, ValidationErrors
from service.api.proposals.types import (
    Proposal,
    SubmitProposalInput,
    SubmitProposalResult,
    SubmitProposalSuccess,
)
from service.api.uploads import read_uploads
from service.errors import ValidationFailed
from service.i18n import translations
from service.proposals import service
from service.proposals.access import access_key
from service.proposals.validation import SubmissionInput
from service.ratelimit import SubmissionBudget, identity


@strawberry.type
class ProposalMutation:
    @strawberry.mutation(
        description="Send a proposal or obstacle report; returns its tracking code."
    )
    async def submit_proposal(self, info: Info, input: SubmitProposalInput) -> SubmitProposalResult:
        runtime = info.context.runtime
        # The form's per-IP budget: the API must not be a way around it. As on the form, only
        # accepted submissions spend it; refused ones spend the refused budget.
        caller = identity(info.context.request.scope, runtime.settings, info.context.actor)
        budget = SubmissionBudget(runtime.queue, runtime.settings, caller)
        wait = await budget.check()
        if wait is not None:
            await budget.refund()
            _ = translations(info.context.language).gettext
            message = _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": wait}
            return ValidationErrors(
                errors=[FieldError(field="input", code="rate_limited", message=message)]
            )
        # Refused for a field error, screening or a duplicate, or a failure of ours (masked for
        # the client): nothing was stored, so the accepted budget is given back.
        try:
            result = await _submit(info, input)
        except BaseException:
            await budget.refund()
            raise
        if not isinstance(result, SubmitProposalSuccess):
            await budget.refund()
        return result


async def _submit(info: Info, input: SubmitProposalInput) -> SubmitProposalResult:
    runtime = info.context.runtime
    data = SubmissionInput(
        kind=input.kind.value,
        title=input.title,
        description=input.description,
        category=input.category_code,
        province=input.province_code or "",
        legal_references=input.legal_references or "",
        submitter_type=input.submitter_type.value,
        name=input.name,
        email=input.email or "",
        phone=input.phone or "",
        organisation=input.organisation or "",
        consent_to_publish=input.consent_to_publish,
        language=input.language.value if input.language else "",
    )
    files = await read_uploads(input.attachments)
    try:
        async with info.context.write() as session:
            proposal = await service.submit_proposal(
                session, data, runtime.settings, info.context.language, files
            )
    except ValidationFailed as failure:
        return ValidationErrors.from_domain(failure.errors)
    return SubmitProposalSuccess(
        proposal=Proposal.of(proposal, info.context.actor),
        tracking_code=proposal.tracking_code,
        access_key=access_key(runtime.settings, proposal),
    )
