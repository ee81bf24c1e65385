"""An agency's response templates: the answers it gives often, ready to adapt."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.api.context import Info
from service.api.errors import ValidationErrors
from service.api.relay import from_global_id, to_global_id
from service.api.workflow.types import NotFoundError, NotPermittedError
from service.errors import ValidationFailed
from service.i18n import translations
from service.proposals.errors import ProposalNotFound
from service.workflow import service as workflow
from service.workflow.errors import NotPermitted
from service.workflow.models import ResponseTemplate as TemplateRow


@strawberry.type
class ResponseTemplate:
    id: strawberry.ID
    name: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, row: TemplateRow) -> ResponseTemplate:
        assert row.id is not None
        return cls(
            id=to_global_id("ResponseTemplate", row.id),
            name=row.name,
            body=row.body,
            created_at=row.created_at,
        )


@strawberry.input
class SaveResponseTemplateInput:
    name: str
    body: str
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Given: change that template; absent: create a new one."
    )


@strawberry.type
class ResponseTemplateSaved:
    template: ResponseTemplate


@strawberry.type
class ResponseTemplateDeleted:
    id: strawberry.ID


SaveTemplateResult = Annotated[
    ResponseTemplateSaved | ValidationErrors | NotFoundError | NotPermittedError,
    strawberry.union("SaveResponseTemplateResult"),
]
DeleteTemplateResult = Annotated[
    ResponseTemplateDeleted | NotFoundError, strawberry.union("DeleteResponseTemplateResult")
]


def _pk(global_id: str | None) -> int | None:
    decoded = from_global_id(global_id) if global_id else None
    return decoded[1] if decoded and decoded[0] == "ResponseTemplate" else None


def _not_found(info: Info) -> NotFoundError:
    _ = translations(info.context.language).gettext
    return NotFoundError(message=_("No such template."))


@strawberry.type
class TemplateQuery:
    @strawberry.field(description="Your agency's response templates; empty for other callers.")
    async def response_templates(self, info: Info) -> list[ResponseTemplate]:
        async with info.context.runtime.db.session() as session:
            rows = await workflow.response_templates(session, info.context.actor)
        return [ResponseTemplate.of(row) for row in rows]


@strawberry.type
class TemplateMutation:
    @strawberry.mutation(description="Agency officials: create or change a response template.")
    async def save_response_template(
        self, info: Info, input: SaveResponseTemplateInput
    ) -> SaveTemplateResult:
        template_id = _pk(input.id)
        if input.id is not None and template_id is None:
            return _not_found(info)
        try:
            async with info.context.write() as session:
                row = await workflow.save_response_template(
                    session,
                    info.context.actor,
                    input.name,
                    input.body,
                    info.context.language,
                    template_id,
                )
        except NotPermitted as error:
            return NotPermittedError(message=str(error))
        except ProposalNotFound:
            return _not_found(info)
        except ValidationFailed as failure:
            return ValidationErrors.from_domain(failure.errors)
        return ResponseTemplateSaved(template=ResponseTemplate.of(row))

    @strawberry.mutation(description="Agency officials: delete one of your agency's templates.")
    async def delete_response_template(self, info: Info, id: strawberry.ID) -> DeleteTemplateResult:
        pk = _pk(id)
        if pk is None:
            return _not_found(info)
        async with info.context.write() as session:
            deleted = await workflow.delete_response_template(session, info.context.actor, pk)
        return ResponseTemplateDeleted(id=id) if deleted else _not_found(info)
