"""The secretariat's edit of an agency's names, contact emails and deadline overrides."""

from __future__ import annotations

from typing import Annotated

import strawberry

from service.api.context import Info
from service.api.directory.types import Agency
from service.api.errors import ValidationErrors
from service.api.workflow.types import NotPermittedError
from service.directory import service
from service.errors import ValidationFailed
from service.i18n import translations


@strawberry.input
class UpdateAgencyInput:
    agency_code: str
    name_vi: str
    name_en: str
    emails: list[str] = strawberry.field(description="Contact addresses; at most ten.")
    acknowledge_days: int | None = strawberry.field(
        default=None, description="Business days to acknowledge; null: the default."
    )
    respond_days: int | None = strawberry.field(
        default=None, description="Business days to respond; null: the default."
    )


@strawberry.type(description="The agency as saved; each change is in the directory history.")
class AgencyUpdated:
    agency: Agency


UpdateAgencyResult = Annotated[
    AgencyUpdated | ValidationErrors | NotPermittedError, strawberry.union("UpdateAgencyResult")
]


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(
        description="Secretariat: an agency's names, contact emails and deadline overrides."
    )
    async def update_agency(self, info: Info, input: UpdateAgencyInput) -> UpdateAgencyResult:
        context = info.context
        if not context.actor.is_secretariat:
            _ = translations(context.language).gettext
            return NotPermittedError(message=_("Only the secretariat may change agencies."))
        try:
            async with context.write() as session:
                agency = await service.update_agency(
                    session,
                    context.actor.label,
                    input.agency_code,
                    context.language,
                    name_vi=input.name_vi,
                    name_en=input.name_en,
                    emails=input.emails,
                    acknowledge_days=input.acknowledge_days,
                    respond_days=input.respond_days,
                    defaults=(
                        context.runtime.settings.acknowledge_business_days,
                        context.runtime.settings.response_business_days,
                    ),
                )
        except ValidationFailed as failure:
            return ValidationErrors.from_domain(failure.errors)
        return AgencyUpdated(agency=Agency.of(agency, context.language))
